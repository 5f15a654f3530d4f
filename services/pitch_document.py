"""A pitch to keep: the pitcher's sent pitch as a one-page PDF, in their language.

What the document says is built here from the pitch, the flow and the catalogue: the
reference and the day it was sent, every answer under its question's label (choices by
their label; name and contact too, the document is the pitcher's own), what happens
next and the organisation's contact (``PITCHBOT_ORGANISATION_CONTACT``; left out when
it is not set). No Telegram and no database: the caller hands a frozen
:class:`~storage.pitches.PitchView`.

How it looks is :mod:`services.pdf_layout` (fpdf2), imported on first use only: fpdf2
and what it imports (Pillow, fontTools) add about 0.25 s and 35 MiB to a start, for a
file made once per pitch.

**One page is the aim.** A pitch with answers of ordinary length (a few lines each)
fits on one A4 page. A very long pitch (many answers near their 1,000-character limit)
flows onto a second page or more; every page's foot names the reference and the page.

**Text.** The PDF uses the standard Helvetica font, so no font file is shipped; it shows
Windows-1252: every Western European accent (é è ë ç à ß ø), “quotes”, € – and ….
Anything else is folded to its closest letters (ő → o, ł → l) or dropped (emoji): see
:func:`printable`. Nothing a pitcher typed can make the document fail.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dialogs.answers import display
from dialogs.catalog import Catalog
from dialogs.dates import calendar_day
from dialogs.flow import Flow
from dialogs.replies import Text, text
from storage.models import TEAM_ZONE
from storage.pitches import PitchView

ENCODING = "cp1252"
"""What the PDF's standard fonts can show (WinAnsiEncoding)."""

_NO_DECOMPOSITION = str.maketrans(
    {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T"}
)
"""Letters Unicode does not decompose, with the letter they are read as."""
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")

PAGE = "{page}"
"""Stands for the page number in :attr:`DocumentText.footer`; the layout fills it in."""
PAGES = "{nb}"
"""Stands for the number of pages (fpdf2's alias, filled in when the file is written)."""


@dataclass(frozen=True)
class Section:
    """One answer under its heading (the question's label)."""

    heading: str
    body: str


@dataclass(frozen=True)
class DocumentText:
    """Everything the document says, already made printable, in the order it is shown."""

    language: str
    reference: str
    title: str
    subtitle: str
    """The reference and the day it was sent."""
    intro: str
    sections: tuple[Section, ...]
    next_heading: str
    next_steps: str
    contact: str | None
    footer: str
    """Shown at the foot of every page; holds :data:`PAGE` and :data:`PAGES`."""


@dataclass(frozen=True)
class PitchDocument:
    """A finished file: its name and its bytes."""

    file_name: str
    content: bytes


def printable(value: str) -> str:
    """``value`` as the standard PDF fonts can show it.

    Characters Windows-1252 has are kept; others are decomposed (NFKD: ő → o + ˝,
    ﬁ → fi, ² → 2) and what is still not encodable is dropped (emoji, their joiners and
    variation selectors, other scripts). Control characters go, runs of spaces left by a
    dropped emoji become one, and lines keep their breaks.
    """
    kept: list[str] = []
    for char in value.translate(_NO_DECOMPOSITION):
        if char == "\n" or (_encodable(char) and unicodedata.category(char) != "Cc"):
            kept.append(char)
            continue
        if char == "\t":
            kept.append(" ")
            continue
        for part in unicodedata.normalize("NFKD", char):
            if _encodable(part) and unicodedata.category(part) not in ("Cc", "Mn"):
                kept.append(part)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(kept).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _encodable(char: str) -> bool:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def document_text(
    pitch: PitchView,
    flow: Flow,
    catalog: Catalog,
    language: str,
    contact: str | None = None,
) -> DocumentText:
    """What the document of ``pitch`` says in ``language``.

    Answers follow the flow's order; a question without an answer (skipped) and an
    answer to a question the flow no longer has are left out, as in the export.
    """

    def say(item: Text) -> str:
        return printable(catalog.render_plain(language, item))

    sections = []
    for question in flow.questions:
        value = pitch.answer(question.key)
        shown = printable(display(question, value, language)) if value else ""
        if shown:
            sections.append(Section(printable(question.texts[language].label), shown))
    day = _day(catalog, language, pitch)
    contact = printable(contact or "")
    return DocumentText(
        language=language,
        reference=pitch.reference,
        title=say(text("document_title")),
        subtitle=say(text("document_sent", reference=pitch.reference, date=day)),
        intro=say(text("document_intro")),
        sections=tuple(sections),
        next_heading=say(text("document_next_title")),
        next_steps=say(text("document_next")),
        contact=say(text("document_contact", contact=contact)) if contact else None,
        footer=say(text("document_page", reference=pitch.reference, page=PAGE, pages=PAGES)),
    )


def _day(catalog: Catalog, language: str, pitch: PitchView) -> str:
    """The calendar day the pitch was sent, in Brussels, with the month's name."""
    if pitch.submitted_at is None:
        return "–"
    return catalog.render_plain(language, calendar_day(pitch.submitted_at.astimezone(TEAM_ZONE)))


def pitch_document(
    pitch: PitchView,
    flow: Flow,
    catalog: Catalog,
    language: str,
    contact: str | None = None,
) -> PitchDocument:
    """The PDF of ``pitch`` in ``language`` (``contact``: the organisation's, or None).

    About 5 ms of CPU for a pitch of ordinary length, 30 ms for one at every length
    limit; the first call also imports fpdf2. Async callers run it in a thread.
    """
    from services.pdf_layout import render_pdf  # fpdf2 is imported for the first document

    content = render_pdf(document_text(pitch, flow, catalog, language, contact))
    return PitchDocument(f"{pitch.reference}.pdf", content)
