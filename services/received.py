"""Keeping what Telegram sent until it is handled: the inbox's units of work.

The adapter (:mod:`bot.inbox`) hands each ``getUpdates`` batch here before
python-telegram-bot reads it, and what was handled since leaves in the same transaction;
at start, what the last run did not finish is read back to be replayed.
"""

from __future__ import annotations

from typing import Any

from services.types import Clock, utc_now
from storage import updates
from storage.database import Database


class Received:
    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    async def keep(self, batch: list[dict[str, Any]], handled: set[int]) -> set[int]:
        """Keep ``batch`` and forget the ``handled`` ids, in one transaction; the ids that
        are new to the inbox (the others were fetched before a crash and are replayed)."""
        async with self.database.transaction() as session:
            return await updates.receive(session, batch, handled, self.clock())

    async def unhandled(self, give_up_after: int) -> tuple[list[dict[str, Any]], int]:
        """What the last run fetched but did not finish, oldest first, and how many were
        given up (they failed ``give_up_after`` starts in a row)."""
        async with self.database.transaction() as session:
            return await updates.unhandled(session, give_up_after)
