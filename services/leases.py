"""Work one process at a time does, when several workers share a server database.

SQLite has one process, so there every lease is held at once and nothing is written.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from services.types import Clock, utc_now
from storage import leases
from storage.database import Database

HELD_FOR = timedelta(minutes=2)
"""A lease's length; its holder renews it while it works (see :meth:`Leases.renew`)."""


def this_process() -> str:
    """A holder name unique to this process, readable in the leases table."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leases:
    def __init__(
        self, database: Database, clock: Clock = utc_now, holder: str | None = None
    ) -> None:
        self.database = database
        self.clock = clock
        self.holder = holder or this_process()

    @property
    def needed(self) -> bool:
        """Whether other processes may share the database (it is not SQLite)."""
        return self.database.write_lock is None

    async def renew(self, name: str) -> bool:
        """Take or keep ``name`` for :data:`HELD_FOR`; False when another process has it."""
        if not self.needed:
            return True
        now = self.clock()
        async with self.database.transaction() as session:
            return await leases.take(session, name, self.holder, now, now + HELD_FOR)

    @asynccontextmanager
    async def held(self, name: str) -> AsyncIterator[bool]:
        """Hold ``name`` while the block runs (True), or learn that another process does
        the work now (False: skip it). Given back at the end, whatever happened."""
        taken = await self.renew(name)
        try:
            yield taken
        finally:
            if taken and self.needed:
                async with self.database.transaction() as session:
                    await leases.give_back(session, name, self.holder, self.clock())
