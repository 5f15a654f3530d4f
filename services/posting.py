"""What the staff group's sender reads and reports: the outbox, one message at a time.

The sender (:mod:`bot.staff.notify`) posts the queue oldest first at the group's pace;
each message is read here as it is about to be posted (so a late card shows the pitch as
it is now), and reported back once Telegram took it, refused it, or it became moot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.outcomes import PitchFile
from services.types import Clock, utc_now
from storage import digests, events, members, outbox, pitches, updates, workflow
from storage.database import Database, Session
from storage.digests import DigestView
from storage.members import StaffName
from storage.models import TEAM_ZONE
from storage.outbox import Queued


@dataclass(frozen=True)
class Relayed:
    """A pitcher's message for the group, with the pitch it is about."""

    file: PitchFile
    said: str


class Posting:
    """The staff group's outbox, read and settled in short units of work."""

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self.database = database
        self.clock = clock
        self._claimed: date | None = None
        """The last day whose digest this process found claimed."""

    async def queued(self, *, after: int = 0) -> list[Queued]:
        """The staff group's waiting messages, oldest first."""
        async with self.database.sessions() as session:
            return await outbox.due(session, after=after)

    async def queued_cards(self, *, after: int = 0) -> tuple[int, int]:
        """How many cards wait beyond outbox id ``after``, and the newest one's id."""
        async with self.database.sessions() as session:
            return await outbox.waiting_cards(session, after=after)

    async def pitch_of(self, message: Queued) -> PitchFile | None:
        """A queued message's pitch as it is now (taken by whom, if so); None if it is gone."""
        async with self.database.sessions() as session:
            return await _as_card(session, message.pitch_id or 0)

    async def relayed(self, message: Queued) -> Relayed | None:
        """What a pitcher wrote to the team, with its pitch as its card shows it; None if
        it is gone."""
        async with self.database.sessions() as session:
            file = await _as_card(session, message.pitch_id or 0)
            said = await events.message_text(session, message.event_id or 0)
            if file is None or said is None:
                return None
            return Relayed(file, said)

    async def file(self, message: Queued) -> tuple[PitchFile, dict[str, Any]] | None:
        """A pitcher's file for the group: its pitch as its card shows it, and where the
        file is; None when the pitch is gone."""
        async with self.database.sessions() as session:
            file = await _as_card(session, message.pitch_id or 0)
            payload = await events.file_of(session, message.event_id or 0)
            if file is None or payload is None:
                return None
            return file, payload

    async def posted(self, message: Queued, message_id: int | None) -> None:
        """The group took it: out of the outbox; a card is noted on its pitch (when, and
        which message, so that every change redraws it)."""
        async with self.database.transaction() as session:
            await outbox.sent(session, message.id)
            if message.kind == "card" and message.pitch_id is not None:
                await workflow.card_posted(session, message.pitch_id, message_id, self.clock())

    async def card_placed(self, pitch_id: int, message_id: int) -> None:
        """A pitch's card was posted in its new topic (before a message about it)."""
        async with self.database.transaction() as session:
            await workflow.card_posted(session, pitch_id, message_id, self.clock())

    async def topic_opened(self, pitch_id: int, topic_id: int) -> None:
        """Kept before anything is posted in it: a retry posts there, not in a second one."""
        async with self.database.transaction() as session:
            await workflow.topic_opened(session, pitch_id, topic_id)

    async def topic_closed(self, pitch_id: int, closed: bool) -> None:
        async with self.database.transaction() as session:
            await workflow.topic_closed(session, pitch_id, closed)

    async def topic_lost(self, pitch_id: int) -> None:
        """Someone deleted the pitch's topic: the next message opens a new one."""
        async with self.database.transaction() as session:
            await workflow.topic_lost(session, pitch_id)

    async def not_posted(self, message: Queued) -> None:
        async with self.database.transaction() as session:
            await outbox.failed(session, message.id)

    async def dropped(self, message: Queued) -> None:
        async with self.database.transaction() as session:
            await outbox.sent(session, message.id)

    async def queue_digest(self, hour: int) -> bool:
        """Once the team's day has reached ``hour`` (Brussels time), queue that day's
        digest, once: the day is claimed in the database in the same transaction, so a
        restart neither skips a digest that is due nor sends one twice."""
        now = self.clock()
        local = now.astimezone(TEAM_ZONE)
        if local.hour < hour or local.date() == self._claimed:
            return False  # not yet, or this process saw today's claimed: no write needed
        async with self.database.transaction() as session:
            fresh = await digests.claim_day(session, local.date(), now)
            if fresh:
                day = local.date().isoformat()
                await outbox.queue(session, "digest", now, payload={"day": day})
        self._claimed = local.date()
        return fresh

    async def digest(self, waiting_days: int) -> DigestView:
        """What the digest tells, as things are when it is posted."""
        async with self.database.sessions() as session:
            return await digests.digest(session, now=self.clock(), waiting_days=waiting_days)

    async def names(self, ids: set[int]) -> dict[int, StaffName]:
        async with self.database.sessions() as session:
            return await members.staff_names(session, ids)

    async def forget_handled_updates(self) -> None:
        """Claims of updates Telegram can no longer redeliver are spent: drop them."""
        async with self.database.transaction() as session:
            await updates.forget_handled(session, self.clock())


async def _as_card(session: Session, pitch_id: int) -> PitchFile | None:
    """A pitch with the name of whoever has it: what its card shows."""
    pitch = await pitches.view(session, pitch_id)
    if pitch is None:
        return None
    ids = {pitch.assignee_id} if pitch.assignee_id else set()
    return PitchFile(pitch, [], await members.staff_names(session, ids))
