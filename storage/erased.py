"""What stays of an erased pitch (see :class:`storage.models.ErasedPitch`): its reference,
its status and dates, and why it was erased, so the team is not left guessing and the
figures stay right. Functions take the caller's session and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select

from storage.database import Session
from storage.models import ErasedPitch


@dataclass(frozen=True)
class Tombstone:
    """An erased pitch as the team may still know it."""

    reference: str
    status: str
    submitted_at: datetime | None
    erased_at: datetime
    reason: str
    """"request", "team" or "retention" (see :class:`storage.models.ErasedPitch`)."""


async def tombstone(session: Session, reference: str) -> Tombstone | None:
    """The erased pitch of this reference, typed in any case; None if it was not erased."""
    e = ErasedPitch
    query = select(e.reference, e.status, e.submitted_at, e.erased_at, e.reason).where(
        e.reference == reference.strip().upper()
    )
    row = (await session.execute(query)).one_or_none()
    return Tombstone(*row) if row is not None else None


async def counts(session: Session, *, now: datetime) -> list[tuple[str, int, int]]:
    """Erased pitches per status they had when erased: (status, how many, how many of
    them were sent in the seven days up to ``now``)."""
    e = ErasedPitch
    recent = and_(e.submitted_at > now - timedelta(days=7), e.submitted_at <= now)
    query = select(e.status, func.count(), func.count(case((recent, 1)))).group_by(e.status)
    return [(status, count, fresh) for status, count, fresh in await session.execute(query)]
