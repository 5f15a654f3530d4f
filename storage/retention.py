"""What retention removes: drafts untouched too long, and pitchers whose pitches were all
closed (and left alone) too long.

The rules are single queries, so a dry run counts exactly what a purge removes: a draft
the purge deletes first never keeps its pitcher from being erased. Functions take the
caller's session, never commit and are handed the cut-off moments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, delete, exists, func, select

from storage.database import Session
from storage.models import CLOSED_STATUSES, Event, Pitch, Pitcher, PitchStatus

PITCHES = cast(Table, Pitch.__table__)
PITCHERS = cast(Table, Pitcher.__table__)
EVENTS = cast(Table, Event.__table__)
_D, _P, _E = PITCHES.c, PITCHERS.c, EVENTS.c
DRAFT = PitchStatus.DRAFT.value


def _stale_drafts(drafts_before: datetime) -> Select[Any]:
    return select(_D.id).where(_D.status == DRAFT, _D.updated_at < drafts_before)


async def count_stale_drafts(session: Session, drafts_before: datetime) -> int:
    """Drafts untouched since before ``drafts_before``."""
    counted = select(func.count()).select_from(_stale_drafts(drafts_before).subquery())
    return int((await session.execute(counted)).scalar_one())


async def delete_stale_drafts(session: Session, drafts_before: datetime) -> int:
    """Delete drafts untouched since before ``drafts_before`` (answers go by cascade, and
    a reminder still queued for one with it); how many. Sent pitches are never touched."""
    gone = delete(PITCHES).where(_D.status == DRAFT, _D.updated_at < drafts_before)
    return len((await session.execute(gone.returning(_D.id))).all())


def _idle_people(drafts_before: datetime) -> Select[Any]:
    """People who agreed before ``drafts_before`` and have no pitch left but stale drafts
    (which the purge deletes first): nothing of theirs is worth keeping their name for."""
    kept = (
        select(_D.id)
        .where(_D.pitcher_id == _P.id)
        .where((_D.status != DRAFT) | (_D.updated_at >= drafts_before))
    )
    return select(_P.id).where(_P.consent_at < drafts_before, ~exists(kept))


async def count_idle_people(session: Session, drafts_before: datetime) -> int:
    counted = select(func.count()).select_from(_idle_people(drafts_before).subquery())
    return int((await session.execute(counted)).scalar_one())


async def delete_idle_people(session: Session, drafts_before: datetime) -> int:
    """Delete them (their consents go by cascade); how many. Call after
    :func:`delete_stale_drafts`, in the same transaction."""
    idle = _idle_people(drafts_before).scalar_subquery()
    gone = delete(PITCHERS).where(_P.id.in_(idle)).returning(_P.id)
    return len((await session.execute(gone)).all())


def _retired(closed_before: datetime, drafts_before: datetime) -> Select[Any]:
    """Pitchers with a sent pitch, none of whose pitches keeps them: a draft touched since
    ``drafts_before`` (older ones are deleted), a sent pitch not closed, or a closed one
    decided, changed or written about since ``closed_before``."""
    recent_event = exists().where(_E.pitch_id == _D.id, _E.at >= closed_before)
    keeps = (
        ((_D.status == DRAFT) & (_D.updated_at >= drafts_before))
        | ((_D.status != DRAFT) & _D.status.not_in(CLOSED_STATUSES))
        | (
            _D.status.in_(CLOSED_STATUSES)
            & (
                _D.status_changed_at.is_(None)
                | (_D.status_changed_at >= closed_before)
                | (_D.updated_at >= closed_before)
                | recent_event
            )
        )
    )
    sent = exists().where(_D.pitcher_id == _P.id, _D.status != DRAFT)
    kept = exists().where(_D.pitcher_id == _P.id, keeps)
    return select(_P.id).where(sent, ~kept)


async def retired_pitchers(
    session: Session, *, closed_before: datetime, drafts_before: datetime
) -> list[int]:
    """The pitchers whose personal data retention erases, oldest first."""
    query = _retired(closed_before, drafts_before).order_by(_P.id)
    return [int(pitcher_id) for pitcher_id in (await session.execute(query)).scalars()]


async def still_retired(
    session: Session, pitcher_id: int, *, closed_before: datetime, drafts_before: datetime
) -> bool:
    """Whether the pitcher is still to be erased, their row locked first (PostgreSQL):
    a message of theirs handled meanwhile (it locks the row too) is seen here."""
    locked = select(_P.id).where(_P.id == pitcher_id).with_for_update()
    if (await session.execute(locked)).scalar_one_or_none() is None:
        return False
    query = _retired(closed_before, drafts_before).where(_P.id == pitcher_id)
    return (await session.execute(query)).scalar_one_or_none() is not None


async def sent_pitches_of(session: Session, pitcher_ids: list[int]) -> int:
    """How many sent pitches these pitchers have (what erasing them removes)."""
    if not pitcher_ids:
        return 0
    counted = select(func.count()).where(_D.pitcher_id.in_(pitcher_ids), _D.status != DRAFT)
    return int((await session.execute(counted)).scalar_one())
