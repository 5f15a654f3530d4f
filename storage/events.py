"""The thread of a pitch: status changes, assignments, notes, and the messages between
the pitcher and the team, each an event (who, when, what), so the history tells the
whole story. Functions take the caller's session, never commit and are handed ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, insert, select, update

from storage.database import Session
from storage.models import Event

EVENTS = cast(Table, Event.__table__)
_E = EVENTS.c


@dataclass(frozen=True)
class EventView:
    """One line of a pitch's history."""

    id: int
    at: datetime
    actor_id: int | None
    """Telegram user id of a staff member; None for the system or the pitcher."""
    kind: str
    payload: dict[str, Any]


async def record(
    session: Session,
    pitch_id: int,
    kind: str,
    payload: dict[str, Any],
    *,
    actor_id: int | None,
    now: datetime,
) -> int:
    """Add an event to a pitch's history; its id (a delivery is marked on it later)."""
    added = insert(EVENTS).values(
        pitch_id=pitch_id, at=now, actor_id=actor_id, kind=kind, payload=payload
    )
    return int((await session.execute(added.returning(_E.id))).scalar_one())


async def add_note(
    session: Session, pitch_id: int, text: str, *, actor_id: int, now: datetime
) -> int:
    """A staff-only note on the pitch."""
    return await record(session, pitch_id, "note", {"text": text}, actor_id=actor_id, now=now)


async def add_message(
    session: Session,
    pitch_id: int,
    text: str,
    *,
    direction: Literal["in", "out"],
    actor_id: int | None,
    delivered: bool,
    now: datetime,
) -> int:
    """One message of the thread with the pitcher: ``in`` from them, ``out`` from staff."""
    payload = {"text": text, "delivered": delivered}
    return await record(
        session, pitch_id, f"message_{direction}", payload, actor_id=actor_id, now=now
    )


async def add_file(
    session: Session,
    pitch_id: int,
    *,
    kind: str,
    chat_id: int,
    message_id: int,
    caption: str | None,
    now: datetime,
) -> int:
    """A file the pitcher sent the team: kept as where it is in their chat (Telegram keeps
    the file; the team gets a copy), with its caption."""
    payload = {"kind": kind, "chat_id": chat_id, "message_id": message_id, "text": caption or ""}
    return await record(session, pitch_id, "file", payload, actor_id=None, now=now)


async def file_of(session: Session, event_id: int) -> dict[str, Any] | None:
    """A file event's payload; None when it is gone (erased)."""
    query = select(_E.payload).where(_E.id == event_id, _E.kind == "file")
    payload = (await session.execute(query)).scalar()
    return dict(payload) if payload is not None else None


async def mark_delivery(session: Session, event_id: int, delivered: bool) -> None:
    """Record whether Telegram accepted a message, once the send has been tried."""
    payload = (await session.execute(select(_E.payload).where(_E.id == event_id))).scalar()
    if payload is None:
        raise LookupError(f"no event {event_id}")
    changed = {**payload, "delivered": delivered}
    await session.execute(update(EVENTS).where(_E.id == event_id).values(payload=changed))


async def message_text(session: Session, event_id: int) -> str | None:
    """What a message of the thread said; None when it is gone (erased)."""
    payload = (await session.execute(select(_E.payload).where(_E.id == event_id))).scalar()
    return str(payload.get("text", "")) if payload is not None else None


async def history(session: Session, pitch_id: int) -> list[EventView]:
    """Everything that happened to a pitch, oldest first."""
    query = (
        select(_E.id, _E.at, _E.actor_id, _E.kind, _E.payload)
        .where(_E.pitch_id == pitch_id)
        .order_by(_E.at, _E.id)
    )
    rows = await session.execute(query)
    return [
        EventView(id, at, actor, kind, dict(payload or {})) for id, at, actor, kind, payload in rows
    ]
