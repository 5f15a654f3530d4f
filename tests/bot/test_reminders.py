"""A draft's one reminder: after a day of quiet, never at night, once, never after "stop"
or a cancel, whatever restarts; and its buttons, pressed by the right person or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from telegram.ext import Job

from bot.housekeeping import Housekeeping
from storage.database import Database
from storage.models import Pitch
from tests.bot.conftest import FakeMonotonic, FrozenClock, TeamHarness, make_team_app
from tests.bot.scenario import answer_questions, consent, prompt_of, visible
from tests.support.telegram import Sent

ANNA = 1001
THURSDAY = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # 11:00 in Brussels


async def started(database: Database, clock: FrozenClock, **settings: object) -> TeamHarness:
    """The bot as a start leaves it (what the last run left in the outbox goes out)."""
    monotonic = FakeMonotonic()
    app, request, gate = make_team_app(database, clock, monotonic, **settings)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    team = TeamHarness(app, request, database, clock, monotonic, gate)
    await housekeeping(team).redelivery.sending.settled()
    return team


def _job(team: TeamHarness, name: str) -> Job:  # type: ignore[type-arg]
    assert team.app.job_queue is not None
    [job] = [j for j in team.app.job_queue.jobs() if j.name == name]
    return job


def housekeeping(team: TeamHarness) -> Housekeeping:
    owner = getattr(_job(team, "reminders").callback, "__self__", None)
    assert isinstance(owner, Housekeeping)
    return owner


async def look(team: TeamHarness) -> list[Sent]:
    """The reminder job comes by and the people's sender sends what it queued."""
    before = len(team.request.calls)
    await _job(team, "reminders").run(team.app)
    await housekeeping(team).redelivery.sending.settled()
    return [m for m in team.request.messages_to(ANNA, before) if m.method == "sendMessage"]


async def reminded_at(database: Database) -> datetime | None:
    async with database.sessions() as session:
        return (await session.execute(select(Pitch.reminded_at))).scalar_one_or_none()


async def at_question_5a(team: TeamHarness) -> None:
    anna = team.pitcher()
    await consent(anna)
    await answer_questions(anna, stop="solution_form")


async def test_one_reminder_after_a_day_of_quiet_and_continue_shows_the_question(
    database: Database, clock: FrozenClock
) -> None:
    clock.now = THURSDAY
    team = await started(database, clock)
    try:
        await at_question_5a(team)
        clock.now = THURSDAY + timedelta(hours=23, minutes=59)
        assert await look(team) == [], "not a day yet"

        clock.now = THURSDAY + timedelta(hours=24)
        [reminder] = await look(team)
        shown = visible(reminder.text)
        assert "Je was bij vraag 5a van 11 van je pitch. Verder gaan?" in shown
        assert "blijft bewaard tot 25 januari 2027" in shown
        [draft_id] = [int(d.rsplit(":", 1)[1]) for _, d in reminder.buttons if "stop" in d]
        assert reminder.buttons == [
            ("▶️ Verdergaan", f"remind:continue:{draft_id}"),
            ("🔕 Stop, geen herinneringen", f"remind:stop:{draft_id}"),
        ]
        assert await reminded_at(database) == clock.now

        clock.now += timedelta(days=3)
        assert await look(team) == [], "one per draft"

        anna = team.pitcher()
        replies = await anna.tap_on(reminder, "Verdergaan")
        assert "Vraag 5a van 11" in replies[-1].text
        assert prompt_of("solution_form", "nl") in replies[-1].text
    finally:
        await team.app.shutdown()


async def test_a_reminder_due_at_night_goes_at_eight_in_the_morning(
    database: Database, clock: FrozenClock
) -> None:
    clock.now = datetime(2026, 11, 26, 21, 0, tzinfo=UTC)  # 22:00 in Brussels
    team = await started(database, clock)
    try:
        await at_question_5a(team)
        clock.now += timedelta(hours=24)  # due at 22:00
        assert await look(team) == []
        clock.now = datetime(2026, 11, 28, 6, 59, tzinfo=UTC)  # 07:59 in Brussels
        assert await look(team) == []
        assert await reminded_at(database) is None, "nothing marked at night"
        clock.now = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)  # 08:00
        assert len(await look(team)) == 1
    finally:
        await team.app.shutdown()


async def test_no_reminders_when_they_are_off(database: Database, clock: FrozenClock) -> None:
    clock.now = THURSDAY
    team = await started(database, clock, reminder_after_hours=0)
    try:
        await at_question_5a(team)
        clock.now += timedelta(days=5)
        assert await look(team) == []
    finally:
        await team.app.shutdown()


async def test_stop_keeps_the_draft_and_says_until_when(
    database: Database, clock: FrozenClock
) -> None:
    clock.now = THURSDAY
    team = await started(database, clock)
    try:
        await at_question_5a(team)
        clock.now += timedelta(hours=30)
        [reminder] = await look(team)
        anna = team.pitcher()
        replies = await anna.tap_on(reminder, "Stop")
        said = visible(replies[-1].text)
        assert "geen herinneringen meer" in said
        assert "blijft bewaard tot 26 januari 2027" in said and "/cancel" in said
        async with database.sessions() as session:
            [draft] = (await session.execute(select(Pitch))).scalars().all()
        assert draft.reminders_off and draft.status == "draft" and draft.step == "solution_form"
        clock.now += timedelta(days=5)
        assert await look(team) == []
    finally:
        await team.app.shutdown()


async def test_a_cancelled_draft_gets_none_even_when_it_was_already_queued(
    database: Database, clock: FrozenClock
) -> None:
    clock.now = THURSDAY
    team = await started(database, clock)
    try:
        await at_question_5a(team)
        clock.now += timedelta(hours=25)
        assert await housekeeping(team).reminders.queue_due() == 1  # queued, not yet sent
        anna = team.pitcher()
        await anna.send("/cancel")
        await anna.tap("Ja, wis mijn pitch")
        assert await look(team) == [], "it went with the draft"
        await consent_again(team)
        clock.now += timedelta(hours=3)
        assert await look(team) == [], "the new draft has its own day"
    finally:
        await team.app.shutdown()


async def consent_again(team: TeamHarness) -> None:
    anna = team.pitcher()
    replies = await anna.send("/start")
    assert "Vraag 1 van 11" in replies[-1].text


async def test_restarts_neither_lose_nor_repeat_a_reminder(
    database: Database, clock: FrozenClock
) -> None:
    clock.now = THURSDAY
    team = await started(database, clock)
    await at_question_5a(team)
    clock.now += timedelta(hours=25)
    assert await housekeeping(team).reminders.queue_due() == 1
    await team.app.shutdown()  # the "crash": marked and queued, never sent

    restarted = await started(database, clock)
    try:
        sent = [m for m in restarted.request.messages_to(ANNA) if m.method == "sendMessage"]
        assert len(sent) == 1 and "vraag 5a van 11" in sent[0].text, "sent at the start"
        clock.now += timedelta(days=2)
        assert await look(restarted) == []
    finally:
        await restarted.app.shutdown()
    again = await started(database, clock)
    try:
        assert again.request.messages_to(ANNA) == [], "nothing left to send"
        assert await look(again) == []
    finally:
        await again.app.shutdown()


async def test_a_queued_reminder_found_at_night_waits_for_the_morning(
    database: Database, clock: FrozenClock
) -> None:
    clock.now = THURSDAY
    team = await started(database, clock)
    await at_question_5a(team)
    clock.now = datetime(2026, 11, 27, 19, 59, tzinfo=UTC)  # 20:59 in Brussels
    assert await housekeeping(team).reminders.queue_due() == 1
    await team.app.shutdown()
    clock.now = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)  # restarted at 23:00
    restarted = await started(database, clock)
    try:
        assert restarted.request.messages_to(ANNA) == []
        clock.now = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)  # 08:00
        await housekeeping(restarted).redelivery.send_owed(restarted.app.bot)
        assert len(restarted.request.messages_to(ANNA)) == 1
    finally:
        await restarted.app.shutdown()


async def test_presses_by_others_forged_or_for_another_draft_change_nothing(
    database: Database, clock: FrozenClock
) -> None:
    clock.now = THURSDAY
    team = await started(database, clock)
    try:
        await at_question_5a(team)
        clock.now += timedelta(hours=25)
        [reminder] = await look(team)
        stop = reminder.buttons[1][1]
        anna = team.pitcher()

        bram = {"id": 1002, "is_bot": False, "first_name": "Bram", "language_code": "nl"}
        await anna.press(stop, from_user=bram, on=reminder)
        assert anna.toast() == "Die knop is niet voor jou bedoeld."

        await anna.press("remind:stop:abc")
        assert anna.toast() == "Die knop ken ik niet."

        replies = await anna.press("remind:stop:424242")
        assert "hoort bij een pitch in opbouw die er niet meer is" in visible(replies[0].text)

        bram_chat = team.pitcher(1002, "Bram")
        await consent(bram_chat)
        replies = await bram_chat.press(stop)
        assert "hoort bij een pitch in opbouw die er niet meer is" in visible(replies[0].text)

        async with database.sessions() as session:
            stopped = (await session.execute(select(Pitch.reminders_off))).scalars().all()
        assert stopped == [False, False]

        await answer_questions(anna, start="solution_form", stop="novelty")  # moved on
        replies = await anna.tap_on(reminder, "Verdergaan")
        assert "Vraag 6a van 11" in replies[-1].text, "where she is now"
    finally:
        await team.app.shutdown()
