"""Leases: one holder at a time; a crashed holder's lease runs out; giving back frees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import leases
from storage.database import Database

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=2)


async def take(database: Database, holder: str, now: datetime = NOW) -> bool:
    async with database.transaction() as session:
        return await leases.take(session, "staff outbox", holder, now, now + timedelta(minutes=2))


async def test_one_holder_at_a_time_and_the_holder_may_renew(database: Database) -> None:
    assert await take(database, "worker-a")
    assert not await take(database, "worker-b")
    assert await take(database, "worker-a", NOW + timedelta(seconds=30))  # renewed
    assert not await take(database, "worker-b", LATER)  # renewal moved the end


async def test_a_crashed_holders_lease_runs_out(database: Database) -> None:
    assert await take(database, "worker-a")
    assert await take(database, "worker-b", LATER)
    assert not await take(database, "worker-a", LATER)


async def test_given_back_it_is_free_at_once_but_only_by_its_holder(database: Database) -> None:
    assert await take(database, "worker-a")
    async with database.transaction() as session:
        await leases.give_back(session, "staff outbox", "worker-b", NOW)  # not b's to give
    assert not await take(database, "worker-b")
    async with database.transaction() as session:
        await leases.give_back(session, "staff outbox", "worker-a", NOW)
    assert await take(database, "worker-b")
