"""Updates of different people run side by side; one person's updates run in order.

python-telegram-bot processes updates one at a time by default, so a slow moment for one
person (a staff card held back by the flood-limit rate limiter, a busy database) would
make everyone wait. Fully concurrent processing would let two quick messages of the same
person race on their draft. This processor serialises per chat (or per user for updates
without a chat) and runs the rest concurrently, up to a bound.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from services.received import Turns

MAX_CONCURRENT_UPDATES = 64
SHARED_CONCURRENT_UPDATES = 8
"""With workers sharing a database, each update in flight holds two of its connections
(its chat's turn and its unit of work): fewer at once, so the pool never runs dry."""
UNBOUNDED = 2**30
"""The base class's own semaphore: never the limit (see :class:`PerChatUpdateProcessor`)."""


def ordering_key(update: object) -> int | None:
    """Updates with the same key are processed in arrival order."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat.

    An update first waits for its chat's turn and only then takes one of the
    ``max_concurrent_updates`` slots: a chat flooding the bot queues on its own lock and
    holds at most one slot, so everyone else's updates still find one free. (The base
    class would take a slot before the turn, and its ``process_update`` is final: its
    own semaphore is given room for every update and the bound is kept here; the base's
    ``max_concurrent_updates`` reports that room, not the bound.)
    """

    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        on_done: Callable[[object], None] | None = None,
        turns: Turns | None = None,
    ) -> None:
        """``on_done`` hears of every update whose handlers ran to the end; ``turns``
        orders each chat's updates in the database too, for workers sharing it."""
        super().__init__(UNBOUNDED)
        self._on_done = on_done
        self._turns = turns
        self.application: Application | None = None  # type: ignore[type-arg]
        """Set once built: a turn runs the chat's earlier updates other workers received."""
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await self._in_turn(update, coroutine)
        if self._on_done is not None:  # not on cancellation: a stopped update is not done
            self._on_done(update)

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
                if self._turns is None or not isinstance(update, Update):
                    await coroutine
                else:
                    await self._in_shared_turn(key, update, coroutine)
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:  # forget idle chats: memory stays flat
                del self._waiting[key]
                del self._locks[key]

    async def _in_shared_turn(self, key: int, update: Update, coroutine: Awaitable[Any]) -> None:
        """Run ``update`` in its chat's turn across workers: first the chat's earlier
        updates that another worker received and has not handled, then itself; skipped
        when another worker handled it already (it is no longer in the inbox)."""
        assert self._turns is not None and self.application is not None
        started = False
        try:
            async with self._turns.turn(key) as turn:
                waiting = await turn.waiting(key, update.update_id)
                if not waiting or waiting[-1][0] != update.update_id:
                    return
                for _, payload in waiting[:-1]:
                    earlier = Update.de_json(payload, self.application.bot)
                    await self.application.process_update(earlier)
                started = True
                await coroutine
                await turn.handled([update_id for update_id, _ in waiting])
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # never run: not "never awaited" either

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
