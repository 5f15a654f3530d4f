"""What people are owed when Telegram could not take a message: the outbox's person
stream, read and settled in short units of work for :mod:`bot.redelivery`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.types import Clock, utc_now
from storage import events, outbox
from storage.database import Database
from storage.outbox import Queued


class Deliveries:
    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    async def due(self, give_up_after: int) -> list[Queued]:
        """People's messages whose time has come (not given up on), oldest first."""
        async with self.database.sessions() as session:
            return await outbox.owed(session, self.clock(), give_up_after=give_up_after)

    async def next_try(self, give_up_after: int) -> datetime | None:
        """When a person's message is to be tried next; None when none waits."""
        async with self.database.sessions() as session:
            return await outbox.next_try(session, give_up_after=give_up_after)

    async def retry_later(self, message: Queued, at: datetime) -> None:
        async with self.database.transaction() as session:
            await outbox.retry_later(session, message.id, at)

    async def done(self, message: Queued, *, delivered: bool) -> None:
        """It left the outbox: sent (a team message's event is marked delivered), or moot."""
        async with self.database.transaction() as session:
            await outbox.sent(session, message.id)
            if delivered and message.event_id is not None:
                await events.mark_delivery(session, message.event_id, True)

    async def keep(self, chat_id: int, payload: dict[str, Any], event_id: int | None) -> None:
        """What the team said to a person, kept to be tried again."""
        async with self.database.transaction() as session:
            await outbox.tell(session, chat_id, self.clock(), payload, event_id)
