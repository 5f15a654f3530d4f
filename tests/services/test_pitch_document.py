"""A pitch to keep: the PDF a pitcher gets of their sent pitch, read back with pypdf."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from dialogs.answers import display
from dialogs.catalog import Catalog
from dialogs.flow import Kind, load_flow
from dialogs.replies import text
from services.pitch_document import (
    PitchDocument,
    document_text,
    pitch_document,
    printable,
)
from storage.pitchers import PitcherRecord
from storage.pitches import PitchView
from tests.bot.scenario import expected_answers
from tests.support.pdf import pdf_pages

FLOW = load_flow()
CATALOG = Catalog.load()
SENT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
CONTACT = "Buurtwerk Noord · info@buurtwerk.be · www.buurtwerk.be"


def sent_pitch(
    answers: dict[str, str],
    language: str = "nl",
    reference: str = "P-2026-0042",
    submitted_at: datetime = SENT,
) -> PitchView:
    pitcher = PitcherRecord(1, 1001, 1001, None, "Anna", language, False, None)
    return PitchView(
        1, reference, "new", language, None, submitted_at, None, None, False, None, pitcher,
        tuple(answers.items()),
    )  # fmt: skip


def read(document: PitchDocument) -> tuple[int, list[str]]:
    """The number of pages and each page's text, whitespace made single spaces."""
    pages = pdf_pages(document.content)
    return len(pages), pages


def flat(value: str) -> str:
    return " ".join(value.split())


@pytest.mark.parametrize("language", ["nl", "en", "fr"])
def test_a_normal_pitch_is_one_page_with_every_answer_under_its_label(language: str) -> None:
    answers = expected_answers(language)
    document = pitch_document(sent_pitch(answers, language), FLOW, CATALOG, language, CONTACT)

    pages, texts = read(document)

    assert document.file_name == "P-2026-0042.pdf"
    assert pages == 1
    shown = texts[0]
    title = {"nl": "Je pitch", "en": "Your pitch", "fr": "Votre pitch"}[language]
    assert shown.startswith(title)
    assert "P-2026-0042" in shown
    for question in FLOW.questions:
        if question.key not in answers:
            continue  # skipped: left out (see below)
        label = question.texts[language].label
        value = flat(printable(display(question, answers[question.key], language)))
        assert f"{label} {value}" in shown, (label, value)
    assert "Anna Peeters" in shown  # the pitcher's own document: name and contact too
    headings = [
        s.heading
        for s in document_text(sent_pitch(answers, language), FLOW, CATALOG, language).sections
    ]
    answered = [q.texts[language].label for q in FLOW.questions if q.key in answers]
    assert headings == answered
    assert flat(CATALOG.render_plain(language, text("document_next"))) in shown
    assert f"Contact{' :' if language == 'fr' else ':'} {CONTACT}" in shown


@pytest.mark.parametrize(
    ("language", "day"),
    [("nl", "26 november 2026"), ("en", "26 November 2026"), ("fr", "26 novembre 2026")],
)
def test_the_day_it_was_sent_is_named_in_the_pitchers_language(language: str, day: str) -> None:
    pitch = sent_pitch(expected_answers(language), language)

    subtitle = document_text(pitch, FLOW, CATALOG, language).subtitle

    assert subtitle.endswith(day)
    assert subtitle.startswith({"nl": "Referentie", "en": "Reference", "fr": "Référence"}[language])


def test_the_day_is_brussels_time_and_the_first_is_premier_in_french() -> None:
    late = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 December, 00:30 in Brussels
    pitch = sent_pitch(expected_answers("fr"), "fr", submitted_at=late)

    assert document_text(pitch, FLOW, CATALOG, "fr").subtitle.endswith("1er décembre 2026")
    assert document_text(pitch, FLOW, CATALOG, "en").subtitle.endswith("1 December 2026")


def test_without_an_organisation_contact_that_line_is_left_out() -> None:
    pitch = sent_pitch(expected_answers("nl"))

    _, texts = read(pitch_document(pitch, FLOW, CATALOG, "nl", contact=None))

    assert "Contact:" not in texts[0]
    assert "Wat nu?" in texts[0]
    assert document_text(pitch, FLOW, CATALOG, "nl", contact="  ").contact is None


def test_emoji_accents_quotes_and_a_long_answer_make_a_valid_pdf() -> None:
    answers = expected_answers("fr")
    answers["idea"] = (
        "🎉🚀 Un café “répar’” à Liège 👩‍👩‍👧 pour élèves, façon été ✨ — 100 % ouvert…"
    )
    answers["dream"] = ("Noël à côté, où l'on répare ensemble 🙂 " * 40)[:1000]
    answers["challenge"] = "😀" * 300
    answers["connect"] = "Łódź, Kraków, Győr, İstanbul, Ærø; ﬁn; x² — 🇧🇪"

    pages, texts = read(pitch_document(sent_pitch(answers, "fr"), FLOW, CATALOG, "fr", CONTACT))

    shown = " ".join(texts)
    assert pages in (1, 2)
    assert "Un café “répar’” à Liège pour élèves, façon été — 100 % ouvert…" in shown
    assert all(accent in shown for accent in "éèëçà")
    assert "Noël à côté, où l'on répare ensemble" in shown
    assert "Lódz, Kraków, Gyor, Istanbul, Ærø; fin; x² —" in shown
    assert not re.search(r"[\U0001F000-\U0001FFFF]", shown)
    # the challenge was emoji only: nothing printable, so it is left out, not empty
    assert FLOW.question("challenge").texts["fr"].label not in shown  # type: ignore[union-attr]


def test_a_very_long_pitch_flows_onto_a_second_page_with_its_reference_on_each() -> None:
    answers = expected_answers("nl")
    for question in FLOW.questions:
        if question.kind is Kind.TEXT and question.key in answers:
            answers[question.key] = ("Een lang antwoord met veel details. " * 60)[
                : question.max_length
            ]

    pages, texts = read(pitch_document(sent_pitch(answers), FLOW, CATALOG, "nl", CONTACT))

    assert pages >= 2
    for number, shown in enumerate(texts, start=1):
        assert f"P-2026-0042 · pagina {number} van {pages}" in shown
    assert "Wat nu?" in texts[-1]


def test_a_word_longer_than_a_line_is_broken_rather_than_lost() -> None:
    answers = expected_answers("en")
    answers["dream"] = "x" * 1000

    pages, texts = read(pitch_document(sent_pitch(answers, "en"), FLOW, CATALOG, "en"))

    assert "".join("".join(texts).split()).count("x" * 1000) == 1


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Café “De Kroon” – 5 €…", "Café “De Kroon” – 5 €…"),
        ("élève, façon, Noël, à", "élève, façon, Noël, à"),
        ("Łódź en Győr", "Lódz en Gyor"),
        ("ﬁets² ", "fiets²"),
        ("feest 🎉 met 👩‍👩‍👧 buren", "feest met buren"),
        ("🎉🎉", ""),
        ("tab\tand\x07bell", "tab andbell"),
        ("een\n\n\n\nregel\n", "een\n\nregel"),
        ("Ελλάδα Київ 北京", ""),
    ],
)
def test_printable_keeps_what_the_font_shows_and_folds_or_drops_the_rest(
    typed: str, shown: str
) -> None:
    assert printable(typed) == shown
    printable(typed).encode("cp1252")  # always encodable
