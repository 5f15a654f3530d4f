"""Keeping what Telegram sent until it is handled: the inbox's units of work.

The adapter (:mod:`bot.inbox`) hands each ``getUpdates`` batch here before
python-telegram-bot reads it, and what was handled since leaves in the same transaction;
at start, what the last run did not finish is read back to be replayed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from services.types import Clock, utc_now
from storage import updates
from storage.database import Database, Session


class Received:
    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    async def keep(
        self, batch: list[dict[str, Any]], handled: set[int], keys: dict[int, int] | None = None
    ) -> set[int]:
        """Keep ``batch`` and forget the ``handled`` ids, in one transaction; the ids that
        are new to the inbox (the others were fetched before a crash and are replayed).
        ``keys``: each update's chat, by update id (see :class:`Turns`)."""
        async with self.database.transaction() as session:
            return await updates.receive(session, batch, handled, self.clock(), keys)

    async def unhandled(self, give_up_after: int) -> tuple[list[dict[str, Any]], int]:
        """What the last run fetched but did not finish, oldest first, and how many were
        given up (they failed ``give_up_after`` starts in a row)."""
        async with self.database.transaction() as session:
            return await updates.unhandled(session, give_up_after)


class Turn:
    """A chat's turn, held: what waits in it, and marking updates handled."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def waiting(self, chat_key: int, update_id: int) -> list[tuple[int, dict[str, Any]]]:
        """The chat's unhandled updates up to ``update_id`` (itself included, unless it
        was handled already), oldest first."""
        rows = await updates.waiting_in_turn(self._session, chat_key, update_id)
        return [(row.update_id, row.payload) for row in rows]

    async def handled(self, update_ids: list[int]) -> None:
        await updates.handled_now(self._session, update_ids, self._clock())


class Turns:
    """One chat's updates in update order, whichever worker received them.

    Webhook workers sharing a PostgreSQL database each get some of a person's updates.
    A worker handles an update in the chat's turn (a database lock), after the chat's
    earlier updates still waiting in the inbox, and takes all of them out of the inbox
    when the turn ends, so another worker holding one of them finds it gone.
    """

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock

    @asynccontextmanager
    async def turn(self, chat_key: int) -> AsyncIterator[Turn]:
        async with self.database.transaction() as session:
            await updates.take_turn(session, chat_key)
            yield Turn(session, self.clock)
