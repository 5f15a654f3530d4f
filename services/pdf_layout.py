"""How a pitch document looks: an A4 page drawn with fpdf2 from a :class:`DocumentText`.

Imported by :func:`services.pitch_document.pitch_document` on first use only. The text
arrives printable (see :func:`services.pitch_document.printable`); the standard
Helvetica font shows it as Windows-1252.

The answers stand in two columns, the question's label on the left and the answer on
the right, so a short answer takes one line: a pitch of ordinary length fits one page.
A long one breaks onto further pages; a label is never left alone at the foot of a page.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.pitch_document import ENCODING, PAGE, DocumentText

FONT = "helvetica"
MARGIN = 18.0
"""Left, right and top margin, in mm."""
FOOT = 16.0
"""Room kept at the bottom of each page for its foot, in mm."""
LABELS = 46.0
"""Width of the labels' column, in mm; the answers take the rest after a gutter."""
GUTTER = 5.0
LINE = 4.6
"""Height of a line of body text, in mm."""
SPACE = 2.4
"""Space between two answers, in mm."""
INK = (33, 37, 41)
ACCENT = (0, 98, 110)
QUIET = (108, 117, 125)


class _Page(FPDF):
    """A4 portrait with the reference and page number at the foot of every page."""

    def __init__(self, document: DocumentText) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        self.core_fonts_encoding = ENCODING  # “quotes”, € and … as well as Latin-1
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=FOOT)

    def footer(self) -> None:
        self.set_y(-FOOT + 4)
        self.set_font(FONT, size=8)
        self.set_text_color(*QUIET)
        shown = self.document.footer.replace(PAGE, str(self.page_no()))
        self.cell(0, 5, shown, align="C")


def render_pdf(document: DocumentText) -> bytes:
    """The PDF file of ``document``."""
    pdf = _Page(document)
    pdf.set_title(f"{document.title} {document.reference}")
    pdf.set_creator("pitchbot")
    pdf.set_lang(document.language)
    pdf.add_page()

    _style(pdf, ACCENT, "B", 20)
    _paragraph(pdf, document.title, 9)
    _style(pdf, INK, "B", 11)
    _paragraph(pdf, document.subtitle, 6)
    _style(pdf, QUIET, "I", 9)
    _paragraph(pdf, document.intro, LINE)
    _rule(pdf)

    for section in document.sections:
        _answer(pdf, section.heading, section.body)

    _rule(pdf)
    if pdf.will_page_break(5 + 2 * LINE):
        pdf.add_page()
    _style(pdf, ACCENT, "B", 9.5)
    _paragraph(pdf, document.next_heading, 5)
    _style(pdf, INK, "", 9.5)
    _paragraph(pdf, document.next_steps, LINE)
    if document.contact:
        pdf.ln(1)
        _style(pdf, INK, "B", 9.5)
        _paragraph(pdf, document.contact, LINE)
    return bytes(pdf.output())


def _answer(pdf: FPDF, label: str, body: str) -> None:
    """The label on the left, the answer beside it; both start on the same page."""
    if pdf.will_page_break(2 * LINE):  # a label (two lines at most) and its first lines
        pdf.add_page()
    top, page = pdf.get_y(), pdf.page
    _style(pdf, ACCENT, "B", 9)
    _lines(pdf, pdf.l_margin, LABELS, label)
    below_label = pdf.get_y()
    pdf.set_y(top)
    _style(pdf, INK, "", 9.5)
    _lines(pdf, pdf.l_margin + LABELS + GUTTER, pdf.epw - LABELS - GUTTER, body)
    if pdf.page == page:  # the answer did not run onto the next page
        pdf.set_y(max(pdf.get_y(), below_label))
    pdf.ln(SPACE)


def _paragraph(pdf: FPDF, words: str, height: float) -> None:
    _lines(pdf, pdf.l_margin, pdf.epw, words, height)


def _lines(pdf: FPDF, x: float, width: float, words: str, height: float = LINE) -> None:
    """``words`` in a column at ``x``, broken into lines; a line that does not fit on the
    page starts the next one, in the same column."""
    for line in _wrap(pdf, words, width - 2 * pdf.c_margin):
        pdf.set_x(x)
        pdf.cell(width, height, line, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _wrap(pdf: FPDF, words: str, width: float) -> list[str]:
    """The lines ``words`` take in the current font: broken between words, and inside a
    word longer than a whole line.

    fpdf2's own ``multi_cell`` does this too, but measures every line again for each
    character added: several times slower, and a document is made for every pitch.
    """
    space = pdf.get_string_width(" ")
    lines: list[str] = []
    for paragraph in words.split("\n"):
        line, used = "", 0.0
        for word in paragraph.split(" "):
            size = pdf.get_string_width(word)
            if line and used + space + size <= width:
                line, used = f"{line} {word}", used + space + size
                continue
            if line:
                lines.append(line)
            while size > width:  # a word longer than a line: as much as fits, then on
                cut = _fitting(pdf, word, width)
                lines.append(word[:cut])
                word = word[cut:]
                size = pdf.get_string_width(word)
            line, used = word, size
        lines.append(line)
    return lines


def _fitting(pdf: FPDF, word: str, width: float) -> int:
    """How many of ``word``'s first characters fit in ``width`` (at least one)."""
    used = 0.0
    for count, char in enumerate(word):
        used += pdf.get_string_width(char)
        if used > width:
            return max(count, 1)
    return len(word)


def _style(pdf: FPDF, colour: tuple[int, int, int], style: str, size: float) -> None:
    pdf.set_text_color(*colour)
    pdf.set_font(FONT, style=style, size=size)


def _rule(pdf: FPDF) -> None:
    pdf.ln(2.5)
    pdf.set_draw_color(*QUIET)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
