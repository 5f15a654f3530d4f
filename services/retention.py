"""Retention: drafts untouched too long are deleted, and pitchers whose pitches were all
closed too long are erased as with /erase. Run nightly by the bot and by `pitchbot purge`.

Counts only are said and logged: never a name or a reference. A dry run counts exactly
what a purge at the same moment would remove. The draft deletion is one statement; each
erasure is one unit of work of its own, which checks the rule again with the pitcher's row
locked, so someone who wrote a moment ago is kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.types import Clock, utc_now
from storage import outbox, retention, workflow
from storage.database import Database, Session, leave_no_trace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    """What a purge removed (or, in a dry run, would remove)."""

    drafts: int
    pitchers: int
    """Pitchers erased for retention."""
    pitches: int
    """Their sent pitches, gone with them."""
    dry_run: bool = False
    people: int = 0
    """People deleted because nothing of theirs was left (no pitch but stale drafts, and
    their consent older than the drafts' retention): their name is not kept for nothing."""


class Retention:
    def __init__(
        self,
        database: Database,
        *,
        draft_days: int = 60,
        closed_days: int | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.database = database
        self.draft_days = draft_days
        self.closed_days = closed_days
        self.clock = clock

    async def purge(self, *, dry_run: bool = False) -> Purged:
        """Delete the stale drafts, then erase the retired pitchers (or only count them)."""
        now = self.clock()
        drafts_before = now - timedelta(days=self.draft_days)
        closed_before = now - timedelta(days=self.closed_days) if self.closed_days else None
        async with self.database.transaction() as session:
            if dry_run:
                drafts = await retention.count_stale_drafts(session, drafts_before)
                people = await retention.count_idle_people(session, drafts_before)
            else:
                drafts = await retention.delete_stale_drafts(session, drafts_before)
                people = await retention.delete_idle_people(session, drafts_before)
            retired: list[int] = []
            if closed_before is not None:
                retired = await retention.retired_pitchers(
                    session, closed_before=closed_before, drafts_before=drafts_before
                )
            pitches = await retention.sent_pitches_of(session, retired)
        if not dry_run and closed_before is not None:
            erased = [await self._erase(p, closed_before, drafts_before) for p in retired]
            retired = [p for p, gone in zip(retired, erased, strict=True) if gone is not None]
            pitches = sum(gone for gone in erased if gone is not None)
        purged = Purged(drafts, len(retired), pitches, dry_run, people)
        if not dry_run and (purged.drafts or purged.pitchers or purged.people):
            await leave_no_trace(self.database)  # deleted drafts and erasures: off the disk
        log.info(
            "retention%s: %d draft(s) deleted, %d idle person(s) deleted, "
            "%d pitcher(s) erased with %d sent pitch(es)",
            " (dry run)" if dry_run else "",
            purged.drafts,
            purged.people,
            purged.pitchers,
            purged.pitches,
        )
        return purged

    async def _erase(
        self, pitcher_id: int, closed_before: datetime, drafts_before: datetime
    ) -> int | None:
        """Erase one retired pitcher, as /erase does, if the rule still holds for them: how
        many sent pitches went with them; None when they were kept after all."""
        now = self.clock()
        async with self.database.transaction() as session:
            if not await retention.still_retired(
                session, pitcher_id, closed_before=closed_before, drafts_before=drafts_before
            ):
                return None
            erasure = await workflow.erasure_of_pitcher(session, pitcher_id)
            if not await workflow.erase_pitcher(session, pitcher_id, reason="retention", now=now):
                return None
            await self._tell_team(session, erasure, now)
        return len(erasure.references)

    async def _tell_team(self, session: Session, erasure: workflow.Erasure, now: datetime) -> None:
        """The staff group hears which references are gone; their cards keep only the
        reference, their topics are deleted (as after /forgetme)."""
        payload = {
            "references": erasure.references,
            "cards": [list(c) for c in erasure.cards],
            "topics": erasure.topics,
            "reason": "retention",
            "days": self.closed_days,
        }
        await outbox.queue(session, "erased", now, payload=payload)
