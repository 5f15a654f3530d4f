"""Which drafts get their one reminder: untouched long enough, never reminded, not stopped,
still drafts; and marking one is once only, however many workers ask."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from storage import reminders
from storage.database import Database
from storage.models import Pitch
from tests.storage.staff_helpers import NOW, draft, pitcher, sent

LATER = NOW + timedelta(hours=25)


async def test_only_quiet_drafts_never_reminded_and_not_stopped_are_due(
    database: Database,
) -> None:
    async with database.transaction() as session:
        people = [await pitcher(session, 1001 + i, f"P{i}") for i in range(5)]
        quiet = await draft(session, people[0])
        stopped = await draft(session, people[1])
        await session.execute(
            update(Pitch).where(Pitch.id == stopped.id).values(reminders_off=True)
        )
        busy = await draft(session, people[2])
        await session.execute(update(Pitch).where(Pitch.id == busy.id).values(updated_at=LATER))
        await sent(session, people[3], NOW)
        reminded = await draft(session, people[4])
        await session.execute(update(Pitch).where(Pitch.id == reminded.id).values(reminded_at=NOW))

    async with database.transaction() as session:
        due = await reminders.mark_due(session, idle_since=LATER - timedelta(hours=24), now=LATER)
    assert due == [(quiet.id, 1001)]
    async with database.transaction() as session:
        again = await reminders.mark_due(session, idle_since=LATER - timedelta(hours=1), now=LATER)
    assert again == [], "marked once: never again"


async def test_two_workers_marking_at_once_mark_each_draft_once(database: Database) -> None:
    async with database.transaction() as session:
        for i in range(6):
            await draft(session, await pitcher(session, 2001 + i, f"Q{i}"))

    async def worker() -> list[tuple[int, int]]:
        async with database.transaction() as session:
            return await reminders.mark_due(session, idle_since=LATER, now=LATER)

    first, second = await asyncio.gather(worker(), worker())
    assert len(first) + len(second) == 6
    assert not set(first) & set(second)


async def test_stop_is_only_for_the_owners_open_draft(database: Database) -> None:
    async with database.transaction() as session:
        anna, bram = await pitcher(session, 1001, "Anna"), await pitcher(session, 1002, "Bram")
        hers = await draft(session, anna)
        pitch = await sent(session, anna, NOW)
        assert not await reminders.stop(session, hers.id, bram.id)
        assert not await reminders.stop(session, pitch.id, anna.id)
        assert await reminders.stop(session, hers.id, anna.id)
        await session.refresh(hers)
    assert hers.reminders_off
