"""A pitch to keep: the PDF a pitcher gets after sending, and again under /mypitches."""

from __future__ import annotations

import logging
import threading

import pytest

import bot.documents
from dialogs.answers import display
from services.pitch_document import printable
from storage.database import Database
from tests.bot.conftest import (
    STAFF_CHAT,
    FakeMonotonic,
    FrozenClock,
    TeamHarness,
    make_team_app,
)
from tests.bot.scenario import FLOW, answer_questions, consent, pitches_of, visible
from tests.bot.staff_scenario import FULL, send_pitch
from tests.support.pdf import pdf_pages
from tests.support.telegram import PrivateChat

ANNA, BART = 1001, 1002
CONTACT = "Buurtwerk Noord · info@buurtwerk.be · www.buurtwerk.be"

CAPTION = {
    "nl": "Je pitch P-2026-0001 als document",
    "en": "Your pitch P-2026-0001 as a document",
    "fr": "Votre pitch P-2026-0001 en document",
}
LISTED = {"nl": "Tik op een referentie", "en": "Tap a reference", "fr": "Touchez une référence"}
REFUSED = "Dat document kan ik je niet sturen"


def delivered_documents(team: TeamHarness) -> list[bool]:
    """For each sendDocument so far: whether Telegram took it."""
    made = zip(team.request.calls, team.request.results, strict=True)
    return [result is not None for (name, _), result in made if name == "sendDocument"]


def documents_to(team: TeamHarness, chat_id: int) -> list[tuple[str, bytes]]:
    return [(name, content) for to, name, content in team.request.documents if to == chat_id]


@pytest.mark.parametrize("language", ["nl", "en", "fr"])
async def test_after_sending_the_pitcher_gets_their_pitch_as_a_pdf_in_their_language(
    team: TeamHarness, language: str
) -> None:
    anna = team.pitcher(language_code=language)
    before = len(team.request.calls)

    reference, replies = await send_pitch(anna, language)

    [(name, content)] = documents_to(team, ANNA)
    assert (reference, name) == ("P-2026-0001", "P-2026-0001.pdf")
    [page] = pdf_pages(content)  # one page
    assert reference in page
    for question in FLOW.questions:
        value = FULL[language].get(question.key)
        if value is not None:
            label = question.texts[language].label
            assert f"{label} {printable(display(question, value, language))}" in page
    # below the thank-you with the reference, and the card still reached the team
    made = team.request.calls[before:]
    to_anna = [i for i, (name, p) in enumerate(made) if int(p.get("chat_id", 0)) == ANNA]
    assert [made[i][0] for i in to_anna][-2:] == ["sendMessage", "sendDocument"]
    [document] = team.request.sent("sendDocument")
    assert CAPTION[language] in visible(document["caption"])
    assert any(r.chat_id == STAFF_CHAT for r in replies)


async def test_a_redelivered_send_does_not_send_the_document_twice(team: TeamHarness) -> None:
    anna = team.pitcher()
    await send_pitch(anna)

    await anna.redeliver()  # Telegram sends the press on "send" again

    assert len(documents_to(team, ANNA)) == 1
    assert len(await pitches_of(team.database, ANNA)) == 1


async def test_the_organisation_contact_from_the_settings_is_on_the_document(
    database: Database, clock: FrozenClock, monotonic: FakeMonotonic
) -> None:
    app, request, gate = make_team_app(database, clock, monotonic, organisation_contact=CONTACT)
    async with app:
        await send_pitch(TeamHarness(app, request, database, clock, monotonic, gate).pitcher())

    [(_, _, content)] = request.documents
    assert f"Contact: {CONTACT}" in pdf_pages(content)[0]


async def test_without_an_organisation_contact_the_document_has_no_contact_line(
    team: TeamHarness,
) -> None:
    await send_pitch(team.pitcher())

    [(_, content)] = documents_to(team, ANNA)
    page = pdf_pages(content)[0]
    assert "Wat nu?" in page and "Contact:" not in page


async def test_mypitches_offers_each_sent_pitch_as_a_pdf_and_sends_it_again(
    team: TeamHarness,
) -> None:
    anna = team.pitcher()
    await send_pitch(anna)
    await send_pitch(anna, first=False)
    await anna.send("/start")  # a draft in progress is listed, without a document

    [listing] = await anna.send("/mypitches")

    assert LISTED["nl"] in visible(listing.text)
    assert listing.buttons == [
        ("📄 P-2026-0002", "doc:P-2026-0002"),
        ("📄 P-2026-0001", "doc:P-2026-0001"),
    ]
    replies = await anna.tap("P-2026-0001")
    assert replies == []  # the document is the answer
    assert len(documents_to(team, ANNA)) == 3
    name, content = documents_to(team, ANNA)[-1]
    assert name == "P-2026-0001.pdf" and "P-2026-0001" in pdf_pages(content)[0]

    await anna.redeliver()  # the same press again: nothing more
    assert len(documents_to(team, ANNA)) == 3


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_the_document_asked_for_speaks_the_pitchers_language_now(
    team: TeamHarness, language: str
) -> None:
    anna = team.pitcher()
    await send_pitch(anna)  # in Dutch
    await anna.send("/language")
    await anna.tap({"en": "English", "fr": "Français"}[language])

    await anna.send("/mypitches P-2026-0001")

    name, content = documents_to(team, ANNA)[-1]
    assert name == "P-2026-0001.pdf"
    title = {"en": "Your pitch", "fr": "Votre pitch"}[language]
    assert pdf_pages(content)[0].startswith(title)


async def test_someone_elses_pitch_is_refused_kindly_and_nothing_is_sent(
    team: TeamHarness,
) -> None:
    await send_pitch(team.pitcher())
    bart = team.pitcher(BART, "Bart")
    await consent(bart)

    pressed = await bart.press("doc:P-2026-0001")
    typed = await bart.send("/mypitches p-2026-0001")

    for replies in (pressed, typed):
        [refusal] = replies
        assert REFUSED in visible(refusal.text)
    assert documents_to(team, BART) == []
    assert len(team.request.documents) == 1  # Anna's own, after sending


async def test_a_stranger_or_forged_data_gets_no_document(team: TeamHarness) -> None:
    await send_pitch(team.pitcher())
    stranger = team.pitcher(BART, "Bart")

    [refusal] = await stranger.press("doc:P-2026-0001")  # never consented
    assert REFUSED in visible(refusal.text)
    assert await pitches_of(team.database, BART) == []

    for forged in ("doc:P-2026-9999", "doc:", "doc:../../etc/passwd", "doc:P-2026-0001:x"):
        await stranger.press(forged)
    assert len(team.request.documents) == 1
    assert stranger.toast() == "Die knop ken ik niet."  # malformed: an unknown button


async def test_a_document_telegram_refuses_loses_nothing(
    team: TeamHarness, caplog: pytest.LogCaptureFixture
) -> None:
    anna = team.pitcher()
    team.request.fail_chat(ANNA, 400, "Bad Request: file is too big", method="sendDocument")

    reference, replies = await send_pitch(anna)

    assert reference == "P-2026-0001"
    [pitch] = await pitches_of(team.database, ANNA)
    assert pitch.status == "new"
    assert any(r.chat_id == STAFF_CHAT for r in replies), "the card went out all the same"
    assert delivered_documents(team) == [False]
    assert "could not send the document of P-2026-0001" in caplog.text

    # asked for again, it comes
    await anna.send("/mypitches P-2026-0001")
    assert delivered_documents(team) == [False, True]


async def test_a_document_that_cannot_be_made_loses_nothing_and_asking_says_so(
    team: TeamHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("no PDF today")

    monkeypatch.setattr(bot.documents, "pitch_document", broken)
    anna = team.pitcher()

    reference, _ = await send_pitch(anna)
    replies = await anna.send(f"/mypitches {reference}")

    assert [p.status for p in await pitches_of(team.database, ANNA)] == ["new"]
    assert "Het document kon ik nu niet sturen" in visible(replies[-1].text)
    assert team.request.documents == []
    warnings = [r for r in caplog.records if r.name == "bot.documents"]
    assert len(warnings) == 2 and all(r.levelno == logging.WARNING for r in warnings)


async def test_no_document_while_the_answer_itself_is_owed(team: TeamHarness) -> None:
    """Telegram could not take the thank-you: the reference is owed, the document waits
    for /mypitches (it would not have got through either)."""
    anna = team.pitcher()
    await consent(anna)
    await answer_questions(anna, answers=FULL["nl"])
    team.request.fail_chat(ANNA, 502, "Bad Gateway")

    await anna.tap("📨")

    assert [p.status for p in await pitches_of(team.database, ANNA)] == ["new"]
    assert team.request.documents == []


async def test_nobody_waits_for_a_document_being_made(
    team: TeamHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PDF is made and sent beside the handlers: the pitcher's next message is
    answered while it is still being made, and it follows once done."""
    made, release = bot.documents.pitch_document, threading.Event()

    def slow(*args: object) -> object:
        release.wait(timeout=10)  # in the worker thread, until the test lets it go
        return made(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.documents, "pitch_document", slow)
    anna = PrivateChat(team.app, team.request, ANNA, "Anna", "nl")  # does not settle
    await consent(anna)
    await answer_questions(anna, answers=FULL["nl"])

    replies = await anna.tap("📨")
    assert "P-2026-0001" in replies[-1].text
    listing = await anna.send("/mypitches")
    assert "P-2026-0001" in listing[-1].text
    assert team.request.documents == []

    release.set()
    await team.settle()
    assert [name for name, _ in documents_to(team, ANNA)] == ["P-2026-0001.pdf"]
