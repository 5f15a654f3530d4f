"""The outbox: messages for the staff group, queued by a unit of work, sent later.

Functions take the caller's session and never commit, like every repository here; the
sender reads frozen :class:`Queued` items and reports back per item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage

Kind = Literal["card", "relay", "erased"]


@dataclass(frozen=True)
class Queued:
    """One message waiting in the outbox, as the sender needs it."""

    id: int
    kind: str
    pitch_id: int | None
    event_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0


async def queue(
    session: AsyncSession,
    kind: Kind,
    now: datetime,
    *,
    pitch_id: int | None = None,
    event_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Queue a message in the caller's transaction: it exists if and only if what
    caused it was stored."""
    session.add(
        OutboxMessage(
            kind=kind, pitch_id=pitch_id, event_id=event_id, payload=payload or {}, queued_at=now
        )
    )


async def due(session: AsyncSession, *, after: int = 0, limit: int = 20) -> list[Queued]:
    """The oldest waiting messages (after id ``after``), in the order they were queued."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.id > after)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [
        Queued(m.id, m.kind, m.pitch_id, m.event_id, dict(m.payload), m.attempts)
        for m in (await session.execute(query)).scalars()
    ]


async def waiting_cards(session: AsyncSession, *, after: int = 0) -> tuple[int, int]:
    """How many new pitches' cards wait beyond id ``after`` (a burst's size), and the
    newest one's id (``after`` when none)."""
    query = select(func.count(), func.max(OutboxMessage.id)).where(
        OutboxMessage.kind == "card", OutboxMessage.id > after
    )
    count, newest = (await session.execute(query)).one()
    return count, newest if newest is not None else after


async def sent(session: AsyncSession, message_id: int) -> None:
    """Telegram took it: it leaves the outbox."""
    await session.execute(delete(OutboxMessage).where(OutboxMessage.id == message_id))


async def failed(session: AsyncSession, message_id: int) -> None:
    """One more try failed through the message's own fault."""
    more = OutboxMessage.attempts + 1
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(attempts=more)
    )
