"""A draft's one reminder: which are due, and what one says when it goes out.

Computed from the database, so a restart neither loses nor repeats one: a draft untouched
for :attr:`Reminders.after` is marked reminded in the same transaction that queues its
message in the outbox (:mod:`bot.redelivery` sends it, backing off, under a lease). A crash
between the two loses nothing: the queued message goes out at the next start. Nothing is
queued at night (21:00–08:00 in Brussels): what falls due then goes at 08:00, and a queued
reminder found at night (a restart) waits until 08:00 too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dialogs.flow import Flow
from dialogs.languages import known
from dialogs.reminders import reminder_reply
from dialogs.replies import Reply
from services.drafts import draft_of
from services.types import Clock, utc_now
from storage import outbox, pitchers, reminders
from storage.database import Database
from storage.models import TEAM_ZONE
from storage.outbox import Queued

log = logging.getLogger(__name__)

QUIET_FROM = time(21)
QUIET_UNTIL = time(8)
"""No reminder between these hours, Brussels time."""


def is_quiet(moment: datetime) -> bool:
    """Whether ``moment`` falls in the night, when no reminder goes out."""
    local = moment.astimezone(TEAM_ZONE).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def morning_after(moment: datetime) -> datetime:
    """The first 08:00 in Brussels at or after ``moment`` (summer time included)."""
    local = moment.astimezone(TEAM_ZONE)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=TEAM_ZONE)


def kept_until(last_activity: datetime, draft_days: int) -> date:
    """The last day (Brussels) a draft untouched since ``last_activity`` is kept."""
    return (last_activity + timedelta(days=draft_days)).astimezone(TEAM_ZONE).date()


@dataclass(frozen=True)
class Reminder:
    """A reminder as it goes out now: to whom, in which language, saying what."""

    chat_id: int
    language: str
    reply: Reply


class Reminders:
    """Queues the reminders that are due, and builds each one as it is sent."""

    def __init__(
        self,
        database: Database,
        flow: Flow,
        *,
        after_hours: int = 24,
        draft_days: int = 60,
        default_language: str = "nl",
        clock: Clock = utc_now,
    ) -> None:
        self.database = database
        self.flow = flow
        self.after = timedelta(hours=after_hours) if after_hours else None
        self.draft_days = draft_days
        self.default_language = default_language
        self.clock = clock

    async def queue_due(self) -> int:
        """Mark the drafts whose reminder is due and queue their messages, in one unit of
        work; how many. Nothing when reminders are off or it is night in Brussels."""
        now = self.clock()
        if self.after is None or is_quiet(now):
            return 0
        async with self.database.transaction() as session:
            due = await reminders.mark_due(session, idle_since=now - self.after, now=now)
            for pitch_id, chat_id in due:
                await outbox.remind(session, chat_id, pitch_id, now)
        if due:
            log.info("queued %d draft reminder(s)", len(due))
        return len(due)

    async def shown(self, message: Queued) -> Reminder | datetime | None:
        """What a queued reminder says now; a moment to wait for (it is night); None when
        it has become moot (the draft was sent, deleted, touched or stopped since)."""
        now = self.clock()
        if is_quiet(now):
            return morning_after(now)
        async with self.database.sessions() as session:
            state = await reminders.reminder_state(session, message.pitch_id or 0)
            if state is None or not state.still_due:
                return None
            pitcher, row = await pitchers.load(session, state.telegram_user_id)
        draft = draft_of(self.flow, row)
        if pitcher is None or row is None or row.id != state.pitch_id or draft is None:
            return None
        language = pitcher.language if known(pitcher.language) else self.default_language
        until = kept_until(state.updated_at, self.draft_days)
        return Reminder(pitcher.chat_id, language, reminder_reply(self.flow, draft, row.id, until))

    async def postpone(self, message: Queued, until: datetime) -> None:
        """Not at night: the reminder waits in the outbox until ``until``."""
        async with self.database.transaction() as session:
            await outbox.postpone(session, message.id, until)
