"""One background task at a time that does queued work: woken by handlers, never awaited
by them, so nobody's answer waits for it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Bot


class Background:
    """Runs ``work(bot)`` in a task of its own when woken; a wake-up while it runs makes
    it look again before it stops (``work`` loops while :meth:`woken` says so)."""

    def __init__(self, work: Callable[[Bot], Coroutine[Any, Any, object]]) -> None:
        self._work = work
        self._task: asyncio.Task[object] | None = None
        self._woken = False

    def wake(self, bot: Bot) -> None:
        """Something was queued: do it soon, without making the caller wait."""
        self._woken = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._work(bot))

    def wake_again(self) -> None:
        """For ``work``: look (once more) even if nobody woke it meanwhile."""
        self._woken = True

    def woken(self) -> bool:
        """For ``work``: was it woken since it last looked? (Resets the flag.)"""
        woken, self._woken = self._woken, False
        return woken

    async def settled(self) -> None:
        """Wait until the work has done what it can now (tests, and the repeating job)."""
        while self._task is not None and not self._task.done():
            await asyncio.wait([self._task])

    async def stop(self) -> None:
        """At a stop: what was not done stays queued for the next start."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.wait([self._task])
