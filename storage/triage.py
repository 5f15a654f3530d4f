"""What staff change on a sent pitch: status, who has it, notes, and the thread.

Every change is an event (who, when, what) so the pitch's history tells the whole story.
Like :mod:`storage.pitchers`, functions take the caller's session, never commit and
are handed the clock as ``now``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event, Pitch, Pitcher, PitchStatus
from storage.staff import submitted_status


async def set_status(
    session: AsyncSession, pitch: Pitch, status: str, *, actor_id: int | None, now: datetime
) -> str | None:
    """Move a sent pitch to ``status``; the previous status, or None if it already was."""
    new = submitted_status(status)
    if pitch.status == PitchStatus.DRAFT:
        raise ValueError(f"pitch {pitch.id} is a draft: only sending it changes its status")
    old = pitch.status
    if old == new:
        return None
    pitch.status = new
    pitch.status_changed_at = pitch.updated_at = now
    await _record(session, pitch.id, "status", {"from": old, "to": new}, actor_id, now)
    return old


async def claim(
    session: AsyncSession, pitch_id: int, staff_id: int, *, now: datetime
) -> int | None:
    """Take a pitch ("take it"): None when it is now ``staff_id``'s, else who has it.

    One conditional UPDATE decides, so of two staff members tapping at once exactly one
    wins: the database serialises the row, the loser's WHERE no longer matches.
    """
    take = (
        update(Pitch)
        .where(Pitch.id == pitch_id, Pitch.assignee_id.is_(None))
        .values(assignee_id=staff_id, updated_at=now)
        .returning(Pitch.id)
        .execution_options(synchronize_session="fetch")
    )
    if (await session.execute(take)).scalar_one_or_none() is not None:
        await _record(session, pitch_id, "assign", {"from": None, "to": staff_id}, staff_id, now)
        return None
    # Lost (or never free): re-read, refreshing a stale copy this session may hold.
    pitch = await session.get(Pitch, pitch_id, populate_existing=True)
    if pitch is None:
        raise LookupError(f"no pitch {pitch_id}")
    return None if pitch.assignee_id == staff_id else pitch.assignee_id


async def assign(
    session: AsyncSession, pitch: Pitch, staff_id: int | None, *, actor_id: int, now: datetime
) -> None:
    """Give the pitch to ``staff_id``, or to nobody (None); unchanged means no event."""
    old = pitch.assignee_id
    if old == staff_id:
        return
    pitch.assignee_id = staff_id
    pitch.updated_at = now
    await _record(session, pitch.id, "assign", {"from": old, "to": staff_id}, actor_id, now)


async def add_note(
    session: AsyncSession, pitch: Pitch, text: str, *, actor_id: int, now: datetime
) -> Event:
    """A staff-only note on the pitch."""
    return await _record(session, pitch.id, "note", {"text": text}, actor_id, now)


async def add_message(
    session: AsyncSession,
    pitch: Pitch,
    text: str,
    *,
    direction: Literal["in", "out"],
    actor_id: int | None,
    delivered: bool,
    now: datetime,
) -> Event:
    """One message of the thread with the pitcher: ``in`` from them, ``out`` from staff."""
    payload = {"text": text, "delivered": delivered}
    return await _record(session, pitch.id, f"message_{direction}", payload, actor_id, now)


async def mark_delivery(session: AsyncSession, event_id: int, delivered: bool) -> None:
    """Record whether Telegram accepted a message, once the send has been tried."""
    event = await session.get(Event, event_id)
    if event is None:
        raise LookupError(f"no event {event_id}")
    # A new dict: JSON columns do not notice changes made inside the old one.
    event.payload = {**event.payload, "delivered": delivered}


async def _record(
    session: AsyncSession,
    pitch_id: int,
    kind: str,
    payload: dict[str, Any],
    actor_id: int | None,
    now: datetime,
) -> Event:
    event = Event(pitch_id=pitch_id, at=now, actor_id=actor_id, kind=kind, payload=payload)
    session.add(event)
    await session.flush()  # the id, so a delivery can be marked later
    return event


async def erase_pitcher(session: AsyncSession, pitcher_id: int) -> bool:
    """Delete a pitcher and everything of theirs; False when someone else erased them a
    moment earlier.

    The right to erasure: their pitches (drafts too), answers, the thread, notes and
    history go by the foreign keys' ON DELETE CASCADE. Reference numbers are not reused.
    """
    gone = delete(Pitcher).where(Pitcher.id == pitcher_id).returning(Pitcher.id)
    return (await session.execute(gone)).scalar_one_or_none() is not None
