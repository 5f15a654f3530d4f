"""What the staff scenarios share: pitches sent through the bot, cards, events on record."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from telegram.ext import Job

from dialogs.threads import find_reference
from storage import events, outbox, pitches
from storage.database import Database
from storage.models import Pitch
from storage.outbox import Queued
from tests.bot.conftest import STAFF_CHAT, TeamHarness
from tests.bot.scenario import ANSWERS, answer_questions, consent, visible
from tests.storage.staff_helpers import pitcher as stored_pitcher
from tests.storage.staff_helpers import sent as stored_sent
from tests.support.telegram import PrivateChat, Sent

FULL: dict[str, dict[str, str]] = {
    language: {**typed, "municipality": "Antwerpen"} for language, typed in ANSWERS.items()
}
"""Every typed answer, the municipality too (it is on the card)."""

NEUTRAL = "Dit commando is voor het team."
"""The one line a stranger gets, whatever they asked."""


async def send_pitch(
    chat: PrivateChat,
    language: str = "nl",
    answers: dict[str, str] | None = None,
    *,
    first: bool = True,
) -> tuple[str, list[Sent]]:
    """A pitcher answers every question and sends: the reference and what the bot sent."""
    if first:
        await consent(chat)
    else:
        await chat.send("/start")
    await answer_questions(chat, language, answers=answers or FULL[language])
    replies = await chat.tap("📨")
    mine = [r for r in replies if r.chat_id == chat.chat["id"]]
    reference = next((find_reference(r.text) for r in mine if find_reference(r.text)), None)
    assert reference is not None, [r.text for r in mine]
    return reference, replies


def cards(team: TeamHarness, reference: str, since: int = 0) -> list[Sent]:
    """Pitch cards (new messages, not edits) that reached the staff group about ``reference``."""
    return [
        m
        for m in team.group_messages(since)
        if m.method == "sendMessage" and f"📬 {reference}" in visible(m.text)
    ]


def only(messages: list[Sent], chat_id: int) -> list[Sent]:
    return [m for m in messages if m.chat_id == chat_id]


def in_group(messages: list[Sent]) -> list[Sent]:
    """What reached the staff group as new messages (cards redrawn in place aside)."""
    return [m for m in only(messages, STAFF_CHAT) if m.method != "editMessageText"]


def texts(messages: list[Sent]) -> list[str]:
    return [visible(m.text) for m in messages]


def said(messages: list[Sent]) -> list[Sent]:
    """New messages only, without the cards redrawn in place."""
    return [m for m in messages if m.method == "sendMessage"]


def redrawn(messages: list[Sent]) -> list[str]:
    """The staff group's messages edited in place (a changed pitch's card), as read."""
    return [visible(m.text) for m in only(messages, STAFF_CHAT) if m.method == "editMessageText"]


async def pitch_row(database: Database, reference: str) -> Pitch:
    async with database.sessions() as session:
        query = select(Pitch).where(Pitch.reference == reference)
        return (await session.execute(query)).scalar_one()


async def events_of(database: Database, reference: str) -> list[tuple[str, int | None, Any]]:
    """(kind, actor, payload) of every event of the pitch, oldest first, as the team's
    history reads them."""
    async with database.sessions() as session:
        pitch = await pitches.find(session, reference)
        assert pitch is not None, f"no pitch {reference}"
        return [(e.kind, e.actor_id, e.payload) for e in await events.history(session, pitch.id)]


async def stored_pitches(database: Database, count: int, since: datetime) -> list[Pitch]:
    """``count`` sent pitches of one pitcher, an hour apart from ``since`` (no Telegram)."""
    async with database.sessions() as session, session.begin():
        owner = await stored_pitcher(session, user_id=4242, name="Ines")
        pitches = []
        for number in range(count):
            answers = {"idea": f"Idee nummer {number + 1:02d} voor de buurt"}
            at = since + timedelta(hours=number)
            pitches.append(await stored_sent(session, owner, at, answers))
        return pitches


def retry_job(team: TeamHarness) -> Job:  # type: ignore[type-arg]
    """The repeating job that sends the cards and messages the group did not take."""
    assert team.app.job_queue is not None
    jobs = [j for j in team.app.job_queue.jobs() if j.name == "retry_job"]
    assert len(jobs) == 1
    return jobs[0]


async def retry(team: TeamHarness) -> None:
    """The repeating job comes by, and what it woke has done what it can."""
    await retry_job(team).run(team.app)
    await team.settle()


async def queued(database: Database) -> list[Queued]:
    """What waits in the staff group's outbox, oldest first."""
    async with database.sessions() as session:
        return await outbox.due(session)


async def until(condition: Callable[[], bool], what: str) -> None:
    """Let the other tasks run until ``condition`` holds (a few hundred turns at most)."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"never happened: {what}")


REFERRAL = "Buurtwerk Noord"
"""To whom tests refer a pitch."""


def preview_of(replies: list[Sent], chat: PrivateChat) -> Sent | None:
    """The status preview with its three choices among what ``chat`` was shown, if any."""
    return next(
        (r for r in reversed(replies) if r.chat_id == chat.chat["id"] and has_choices(r)), None
    )


def has_choices(message: Sent) -> bool:
    return any(data.startswith("sv:") for _, data in message.buttons)


async def confirm(
    chat: PrivateChat, replies: list[Sent], choice: str = "Versturen", referral: str = REFERRAL
) -> list[Sent]:
    """Go through the steps of a status the pitcher hears of, after ``replies`` (a /status
    or a status button): say to whom (a referral), then press ``choice`` on the preview.
    Everything shown on the way, in order; ``replies`` as they are for any other status."""
    shown = list(replies)
    asked = [r for r in replies if r.chat_id == chat.chat["id"] and "aan wie verwijs" in r.text]
    if asked:
        shown += await chat.reply(asked[-1], referral)
    preview = preview_of(shown, chat)
    if preview is None:
        return shown
    return shown + await chat.tap_on(preview, choice)


async def set_status(
    chat: PrivateChat, reference: str, status: str, choice: str = "Versturen"
) -> list[Sent]:
    """/status REF status, confirmed with ``choice`` when the pitcher hears of it."""
    return await confirm(chat, await chat.send(f"/status {reference} {status}"), choice)
