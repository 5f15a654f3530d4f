"""The staff group's daily digest: which day's was queued, and what it tells."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import Table, select

from storage.database import Session, insert_with_conflicts
from storage.models import Digest, Pitch, PitchStatus
from storage.pitches import PitchView, views
from storage.worklists import Waiting, waiting

DIGESTS = cast(Table, Digest.__table__)
_D = cast(Table, Pitch.__table__).c

LISTED = 10
"""Lines per part of the digest; /new and /waiting show the rest."""


async def claim_day(session: Session, day: date, now: datetime) -> bool:
    """True the first time ``day``'s digest is claimed: once a day, across restarts and
    processes (the loser of a race finds the row)."""
    claimed = (
        insert_with_conflicts(session, DIGESTS)
        .values(day=day, queued_at=now)
        .on_conflict_do_nothing(index_elements=["day"])
        .returning(DIGESTS.c.day)
    )
    return (await session.execute(claimed)).scalar_one_or_none() is not None


@dataclass(frozen=True)
class DigestView:
    """What the digest tells: the new pitches, and what waits too long for us."""

    new: list[PitchView]
    new_count: int
    overdue: list[Waiting]
    overdue_more: bool


async def digest(session: Session, *, now: datetime, waiting_days: int) -> DigestView:
    """The new pitches (oldest first) and the pitches waiting for us longer than
    ``waiting_days``, as they are now."""
    new = select(_D.id).where(_D.status == PitchStatus.NEW.value)
    ids = list((await session.execute(new.order_by(_D.submitted_at, _D.id))).scalars())
    late, more = await waiting(session, limit=200)
    overdue = [w for w in late if w.since <= now - timedelta(days=waiting_days)]
    return DigestView(await views(session, ids[:LISTED]), len(ids), overdue, more)
