"""The bot's own rounds: drafts' reminders every few minutes, retention every night.

Both act once across workers sharing a database: a reminder is marked by one conditional
UPDATE before it is queued (and the people's outbox is sent under a lease), and the
nightly purge runs under a lease; what it deletes or erases is conditional too, so a
second run finds nothing left to do.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import time

from telegram.ext import ContextTypes, JobQueue

from bot.pitcher import WakeTeam
from bot.redelivery import Redelivery
from services.leases import Leases
from services.reminders import Reminders
from services.retention import Purged, Retention
from storage.models import TEAM_ZONE

log = logging.getLogger(__name__)

REMINDERS_EVERY = 300.0
"""Seconds between looks for drafts whose reminder is due."""
PURGE_AT = time(3, 30, tzinfo=TEAM_ZONE)
"""When the nightly purge runs (Brussels time)."""
RETENTION = "retention"
"""The lease of the nightly purge: one worker at a time."""


class Housekeeping:
    """The reminder and retention jobs on python-telegram-bot's job queue."""

    def __init__(
        self,
        reminders: Reminders,
        retention: Retention,
        redelivery: Redelivery,
        wake_team: WakeTeam,
    ) -> None:
        self.reminders = reminders
        self.retention = retention
        self.redelivery = redelivery
        self.wake_team = wake_team
        self.leases = Leases(retention.database, retention.clock)

    def register(self, job_queue: JobQueue | None) -> None:  # type: ignore[type-arg]
        if job_queue is None:
            return
        job_queue.run_repeating(
            self.remind_job, interval=REMINDERS_EVERY, first=60, name="reminders"
        )
        job_queue.run_daily(self.purge_job, time=PURGE_AT, name="retention")

    async def remind_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Queue the reminders that are due and wake the people's sender."""
        try:
            if await self.reminders.queue_due():
                self.redelivery.sending.wake(context.bot)
        except asyncio.CancelledError:  # the job queue's stop cancels a job that runs
            log.info("stopped while queueing reminders; each step is one transaction")

    async def purge_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The nightly purge, by one worker; the staff group hears of erasures."""
        purged = await self.purge()
        if purged is not None and purged.pitchers:
            self.wake_team(context.bot)

    async def purge(self) -> Purged | None:
        """Purge now, unless another worker holds the lease (None)."""
        async with self.leases.held(RETENTION) as ours:
            if not ours:
                log.info("another process runs the retention purge now")
                return None
            return await self.retention.purge()
