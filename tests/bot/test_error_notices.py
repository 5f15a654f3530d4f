"""When the bot itself fails, the team hears of it in short: what failed and where, the
pitch reference or update id, never what anyone wrote; once per kind per ten minutes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.error import NetworkError

from bot.errors import apology
from services.desk import StaffDesk
from storage import drafts
from storage.database import Database
from tests.bot.conftest import (
    STAFF_CHAT,
    FakeMonotonic,
    FrozenClock,
    TeamHarness,
    make_team_app,
)
from tests.bot.scenario import ANSWERS, consent, draft_answers, prompt_of, visible
from tests.support.telegram import PrivateChat

ANNA = 1001
SECRET = "Mijn geheime plan voor de Kerkstraat"
NOT_KEPT = (
    "Oei, er liep iets mis aan mijn kant en je laatste bericht is niet bewaard. "
    "Stuur het zo meteen nog eens?"
)
CANNOT_SAVE = (
    "Sorry, ik kan je bericht nu even niet bewaren. Stuur het over een minuutje nog eens? "
    "Wat je eerder stuurde, blijft veilig bewaard."
)
TAIL = (
    "Wie de bot beheert, vindt de details in het logboek. "
    "Dezelfde fout meld ik hier hoogstens één keer per 10 minuten."
)


@pytest.fixture
async def team(
    database: Database, clock: FrozenClock, monotonic: FakeMonotonic
) -> AsyncIterator[TeamHarness]:
    """The bot with a team, in tests where failing is the point."""
    app, request, gate = make_team_app(database, clock, monotonic)
    async with app:
        yield TeamHarness(app, request, database, clock, monotonic, gate)


def answers_fail_with(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """Storing an answer raises ``error`` (inside the unit of work, which rolls back)."""

    async def failing(session: AsyncSession, *_: object) -> None:
        raise error

    monkeypatch.setattr(drafts, "set_answer", failing)


async def notices_after(team: TeamHarness, action: object) -> list[str]:
    """What the staff group read while ``action`` (an awaitable) ran."""
    before = len(team.request.calls)
    await action  # type: ignore[misc]
    return [visible(m.text) for m in team.group_messages(before)]


async def agreed(team: TeamHarness) -> PrivateChat:
    anna = team.pitcher()
    await consent(anna)
    return anna


async def test_a_failed_update_is_told_in_short_without_what_was_written(
    team: TeamHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await agreed(team)
    answers_fail_with(monkeypatch, ValueError(f"cannot store {SECRET!r} for Anna"))
    before = len(team.request.calls)

    replies = await anna.send(SECRET)

    assert anna.last_update is not None
    update_id = anna.last_update["update_id"]
    assert [visible(r.text) for r in replies if r.chat_id == ANNA] == [NOT_KEPT]
    assert [visible(m.text) for m in team.group_messages(before)] == [
        f"⚠️ Er liep iets mis in de bot: ValueError, bij update {update_id} "
        f"(bot.pitcher.on_message). {TAIL}"
    ]
    [logged] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert logged.getMessage() == f"update {update_id} failed"
    assert logged.exc_info is not None, "with its traceback"
    assert (getattr(logged, "chat_id", None), getattr(logged, "user_id", None)) == (ANNA, ANNA)


async def test_the_same_failure_is_told_once_in_ten_minutes(
    team: TeamHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = await agreed(team)
    answers_fail_with(monkeypatch, ValueError("x"))
    assert len(await notices_after(team, anna.send("eerste poging"))) == 1

    team.clock.now += timedelta(minutes=9, seconds=59)
    assert await notices_after(team, anna.send("tweede poging")) == [], "the same failure"
    answers_fail_with(monkeypatch, KeyError("y"))
    [other] = await notices_after(team, anna.send("derde poging"))
    assert "KeyError" in other, "another kind of failure is news"

    answers_fail_with(monkeypatch, ValueError("x"))
    team.clock.now += timedelta(seconds=1)
    [again] = await notices_after(team, anna.send("vierde poging"))
    assert "ValueError" in again, "ten minutes after the first notice"


async def test_a_failed_command_about_a_pitch_names_it(
    team: TeamHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing(*_: object) -> None:
        raise RuntimeError("the note could not be kept")

    monkeypatch.setattr(StaffDesk, "note", failing)
    olga = team.olga()

    [notice] = await notices_after(team, olga.send("/note P-2026-0042 belde met Anna Peeters"))

    assert notice == (
        "⚠️ Er liep iets mis in de bot: RuntimeError, bij een update over P-2026-0042 "
        f"(bot.staff.commands.on_command). {TAIL}"
    )


# PTB awaits the error handler of a job in a task it warns about when the application was
# not started (the tests run updates and jobs without polling)
@pytest.mark.filterwarnings("ignore:Tasks created via:telegram.warnings.PTBUserWarning")
async def test_a_failed_background_job_is_told_too(
    team: TeamHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def failing() -> None:
        raise RuntimeError("no claims to forget")

    monkeypatch.setattr(team.sender.posting, "forget_handled_updates", failing)
    assert team.app.job_queue is not None
    [job] = [j for j in team.app.job_queue.jobs() if j.name == "retry_job"]

    [notice] = await notices_after(team, job.run(team.app))

    assert notice == (
        f"⚠️ Er liep iets mis in de bot: RuntimeError, in de achtergrondtaak retry_job. {TAIL}"
    )
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "job retry_job failed"
    ]


async def test_a_group_that_refuses_the_notice_leaves_the_pitcher_answered(
    team: TeamHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await agreed(team)
    answers_fail_with(monkeypatch, ValueError("x"))
    team.request.fail_chat(STAFF_CHAT, 403, "Forbidden: bot was kicked from the supergroup chat")

    replies = await anna.send(ANSWERS["nl"]["idea"])

    assert [visible(r.text) for r in replies if r.chat_id == ANNA] == [NOT_KEPT]
    assert "could not tell the staff group about a failure (Forbidden)" in caplog.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["bot.errors"], "the error handler itself never fails"


async def test_a_database_that_cannot_be_reached_asks_the_pitcher_to_send_again(
    team: TeamHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real outage runs on PostgreSQL (test_database_down.py); here storing the
    answer meets a refused connection."""
    anna = await agreed(team)
    answers_fail_with(monkeypatch, ConnectionRefusedError(111, "Connect call failed"))
    before = len(team.request.calls)

    replies = await anna.send(ANSWERS["nl"]["idea"])

    assert [visible(r.text) for r in replies if r.chat_id == ANNA] == [CANNOT_SAVE]
    [notice] = [visible(m.text) for m in team.group_messages(before)]
    assert notice.startswith("⚠️ Er liep iets mis in de bot: de databank is onbereikbaar, ")

    async def also_down(*_: object) -> None:
        raise TimeoutError()

    monkeypatch.setattr(StaffDesk, "note", also_down)
    await team.olga().send("/note P-2026-0042 belde")
    assert len(team.group_messages(before)) == 1, "an outage is one notice, whatever fails"
    monkeypatch.undo()
    replies = await anna.send(ANSWERS["nl"]["idea"])
    assert prompt_of("dream", "nl") in replies[-1].text
    assert await draft_answers(team.database, ANNA) == {"idea": ANSWERS["nl"]["idea"]}


async def test_a_telegram_outage_is_not_mistaken_for_the_database() -> None:
    """A Telegram network error carries an OSError too; the apology must not blame the
    database for it."""
    try:
        try:
            raise ConnectionRefusedError(111, "Connect call failed")
        except OSError as cause:
            raise NetworkError("httpx.ConnectError") from cause
    except NetworkError as error:
        assert apology(error) == "error_generic"
