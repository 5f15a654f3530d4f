"""A draft's one reminder: which drafts are due, marking them, and the pitcher's "stop".

Marking is one conditional UPDATE (``reminded_at IS NULL``): with several workers on one
database, each draft is marked by exactly one of them, and a restart finds it marked.
Functions take the caller's session, never commit and are handed ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, false, select, true, update

from storage.database import Session
from storage.models import Pitch, Pitcher, PitchStatus

PITCHES = cast(Table, Pitch.__table__)
PITCHERS = cast(Table, Pitcher.__table__)
_D, _P = PITCHES.c, PITCHERS.c


def _due(idle_since: datetime) -> ColumnElement[bool]:
    return (
        (_D.status == PitchStatus.DRAFT.value)
        & _D.reminded_at.is_(None)
        & (_D.reminders_off == false())
        & (_D.updated_at <= idle_since)
    )


async def mark_due(
    session: Session, *, idle_since: datetime, now: datetime, limit: int = 100
) -> list[tuple[int, int]]:
    """Mark drafts untouched since ``idle_since`` (never reminded, not stopped) as reminded
    now: their (pitch id, chat id). A draft another worker marked first is not returned."""
    due = _due(idle_since)
    oldest = select(_D.id).where(due).order_by(_D.updated_at, _D.id).limit(limit)
    marked = (
        update(PITCHES)
        .where(_D.id.in_(oldest.scalar_subquery()), due)
        .values(reminded_at=now)
        .returning(_D.id, _D.pitcher_id)
    )
    owners = {int(row[0]): int(row[1]) for row in await session.execute(marked)}
    if not owners:
        return []
    chats = select(_P.id, _P.chat_id).where(_P.id.in_(set(owners.values())))
    chat_of = {int(row[0]): int(row[1]) for row in await session.execute(chats)}
    return sorted((pitch_id, chat_of[pitcher_id]) for pitch_id, pitcher_id in owners.items())


@dataclass(frozen=True)
class ReminderState:
    """A reminded draft as it is when its reminder is about to go out."""

    pitch_id: int
    telegram_user_id: int
    updated_at: datetime
    """Its last activity: the retention counts from here."""
    still_due: bool
    """Still a draft, reminders not stopped, untouched since it was marked."""


async def reminder_state(session: Session, pitch_id: int) -> ReminderState | None:
    """The draft a queued reminder is about; None when it is gone."""
    query = (
        select(
            _P.telegram_user_id,
            _D.status,
            _D.reminded_at,
            _D.reminders_off,
            _D.updated_at,
        )
        .join(PITCHERS, _P.id == _D.pitcher_id)
        .where(_D.id == pitch_id)
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        return None
    user_id, status, reminded_at, off, updated_at = row
    due = status == PitchStatus.DRAFT.value and reminded_at is not None and not off
    return ReminderState(pitch_id, user_id, updated_at, due and updated_at <= reminded_at)


async def stop(session: Session, pitch_id: int, pitcher_id: int) -> bool:
    """The pitcher said "stop": no reminder ever again for this draft of theirs. False
    when it is not their open draft (an old reminder, forged data)."""
    stopped = (
        update(PITCHES)
        .where(
            _D.id == pitch_id,
            _D.pitcher_id == pitcher_id,
            _D.status == PitchStatus.DRAFT.value,
        )
        .values(reminders_off=true())
        .returning(_D.id)
    )
    return (await session.execute(stopped)).scalar_one_or_none() is not None
