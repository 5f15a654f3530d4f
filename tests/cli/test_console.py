"""The terminal chat: the whole flow without Telegram, on the same engine and database."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import select

from cli.console import CONSOLE_PERSON, Reader, run_console
from dialogs.catalog import Catalog
from dialogs.flow import load_flow
from services.conversation import Conversations
from storage import pitchers
from storage.database import Database
from storage.models import Pitch
from tests.bot.scenario import draft_answers
from tests.support.pdf import pdf_pages


def scripted(lines: Iterable[str]) -> Reader:
    pending = list(lines)

    async def read() -> str | None:
        return pending.pop(0) if pending else None

    return read


async def chat(database: Database, lines: Iterable[str], documents: Path | None = None) -> str:
    out: list[str] = []
    conversations = Conversations(database, load_flow())
    await run_console(
        conversations, Catalog.load(), scripted(lines), out.append, documents=documents
    )
    return "\n".join(out)


async def test_buttons_are_numbered_and_a_number_presses_them(database: Database) -> None:
    screen = await chat(database, ["1"])

    assert "[1] ✅ Akkoord" in screen
    assert "Vraag 1 van 11" in screen
    assert screen.splitlines()[-1] == "Tot later! Met pitchbot chat ga je verder waar je was."


ANSWERS = {
    "idea": "Een buurtfrigo in elke wijk zodat niemand nog voedsel moet weggooien",
    "dream": "Een stad waar overschotten van winkels elke dag bij buren terechtkomen",
    "challenge": "Gezinnen met een krap budget eten te weinig vers, winkels gooien veel weg",
    "change": "Winkels, buurthuizen en vrijwilligers zetten samen een ophaalronde op",
    "solution": "Koelkasten in buurthuizen, gevuld door vrijwilligers met fietskarren",
    "novelty_detail": "Voedselbanken werken met een kaart, hier mag iedereen zonder drempel",
    "connect": "Supermarkten, het OCMW, buurtwerkers en de fietsersbond van onze gemeente",
    "name": "Anna Peeters",
    "contact": "anna@example.be",
}


def pitch_lines() -> list[str]:
    """Consent, every question answered (the first option of each choice), and send."""
    flow = load_flow()
    lines = ["1"]
    for question in flow.questions:
        if question.key in ANSWERS:
            lines.append(ANSWERS[question.key])
        elif question.kind == "multi_choice":
            lines += ["1", str(len(question.options) + 1)]  # tick the first, then "Klaar"
        elif question.is_choice:
            lines.append("1")
        else:
            lines.append("/skip")
    lines.append("12")  # the review card: 11 edit buttons, then "Insturen"
    return lines


async def test_a_pitch_can_be_written_and_sent_from_the_terminal(database: Database) -> None:
    screen = await chat(database, pitch_lines())

    assert "[12] 📨 Insturen" in screen
    assert "Je referentie is P-20" in screen

    async with database.sessions() as session:
        pitcher, _ = await pitchers.load(session, CONSOLE_PERSON.user_id)
        assert pitcher is not None
        sent = (await session.execute(select(Pitch).where(Pitch.reference.is_not(None)))).all()
        assert len(sent) == 1
        stored = {a.question_key: a.value for a in sent[0][0].answers}
    assert stored["contact"] == "anna@example.be"
    assert stored["idea"] == ANSWERS["idea"]


async def test_the_terminal_saves_the_pitch_as_a_pdf_when_given_a_folder(
    database: Database, tmp_path: Path
) -> None:
    screen = await chat(database, pitch_lines(), documents=tmp_path)

    saved = tmp_path / "P-2026-0001.pdf"
    assert f"📄 Je pitch staat als PDF in {saved}" in screen
    [page] = pdf_pages(saved.read_bytes())
    assert "P-2026-0001" in page and ANSWERS["idea"] in page

    saved.unlink()
    screen = await chat(database, ["/mypitches P-2026-0001", "/mypitches P-2026-0002"], tmp_path)
    assert saved.exists()
    assert "Dat document kan ik je niet sturen" in screen  # there is no second pitch
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf"] == [saved.name]


async def test_without_a_folder_the_terminal_saves_nothing(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    screen = await chat(database, pitch_lines())

    assert "Je referentie is P-2026-0001" in screen and "PDF" not in screen
    assert list(tmp_path.glob("*.pdf")) == []


async def test_a_restarted_terminal_offers_to_continue_where_it_stopped(
    database: Database,
) -> None:
    await chat(database, ["1", "Een repair café in elke school, voor en door leerlingen"])

    screen = await chat(database, ["1"])

    assert "Welkom terug" in screen
    assert "vraag 2 van 11" in screen
    assert "Vraag 2 van 11" in screen.split("Welkom terug")[1]


async def test_a_number_after_a_reply_without_buttons_still_presses_the_buttons_shown(
    database: Database,
) -> None:
    """/privacy shows no buttons: "1" afterwards is the consent button still on screen,
    not text."""
    screen = await chat(database, ["/privacy", "1"])

    assert "Vraag 1 van 11" in screen, "the consent button was pressed"
    async with database.sessions() as session:
        assert (await pitchers.load(session, CONSOLE_PERSON.user_id))[0] is not None


async def test_a_line_ending_with_a_backslash_goes_on_on_the_next(database: Database) -> None:
    screen = await chat(
        database,
        ["1", "Een buurtfrigo in Borgerhout\\", "voor buren die overschotten delen"],
    )

    answers = await draft_answers(database, CONSOLE_PERSON.user_id)
    assert answers["idea"] == "Een buurtfrigo in Borgerhout\nvoor buren die overschotten delen"
    assert "Vraag 2 van 11" in screen, "one answer, not two"


async def test_a_pasted_text_of_several_lines_is_one_answer_at_a_terminal() -> None:
    """prompt-toolkit reads what a terminal pastes (bracketed paste) as one answer."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from cli import console

    with create_pipe_input() as typed, create_app_session(input=typed, output=DummyOutput()):
        console._SESSION = None
        typed.send_text("\x1b[200~Eerste regel\nTweede regel\x1b[201~\r")
        answer = await console._read_terminal()
    console._SESSION = None

    assert answer == "Eerste regel\nTweede regel"


async def test_ticking_several_by_number_says_what_was_ticked(database: Database) -> None:
    lines = ["1"] + [
        "Een buurtfrigo in elke wijk zodat niemand nog voedsel moet weggooien",
        "Een stad waar overschotten van winkels elke dag bij buren terechtkomen",
        "Gezinnen met een krap budget eten te weinig vers, winkels gooien veel weg",
        "Winkels, buurthuizen en vrijwilligers zetten samen een ophaalronde op",
        "1,2",
    ]

    screen = await chat(database, lines)

    assert "👍 Genoteerd: 📦 Een product; 🤝 Een dienst" in screen
