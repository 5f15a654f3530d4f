"""Handled updates: each is claimed once, and claims Telegram can no longer need go."""

from __future__ import annotations

from datetime import timedelta

from storage import updates
from storage.database import Database
from tests.storage.staff_helpers import NOW


async def test_an_update_is_claimed_once_whatever_order_they_come_in(database: Database) -> None:
    async with database.transaction() as session:
        assert await updates.claim(session, 12, NOW)
        assert await updates.claim(session, 11, NOW), "a lower id from another chat"
        assert not await updates.claim(session, 12, NOW)


async def test_claims_older_than_two_days_are_pruned(database: Database) -> None:
    async with database.transaction() as session:
        await updates.claim(session, 1, NOW - timedelta(days=3))
        await updates.claim(session, 2, NOW - timedelta(hours=1))

    async with database.transaction() as session:
        assert await updates.forget_handled(session, NOW) == 1

    async with database.transaction() as session:
        assert await updates.claim(session, 1, NOW), "spent: may be claimed again"
        assert not await updates.claim(session, 2, NOW)
