"""The outbox: messages queued by a unit of work and sent later, in two streams.

The staff group's messages (``chat_id`` None) are posted strictly in order. A person's
message (a chat id: where they were, after the bot's answer did not reach them) is tried
on its own schedule, backing off, and taken out early when the person writes first.
Functions take the caller's session and never commit, like every repository here; the
senders read frozen :class:`Queued` items and report back per item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage

Kind = Literal[
    "card", "relay", "file", "activity", "topic", "erased", "digest", "resume", "tell", "remind"
]


@dataclass(frozen=True)
class Queued:
    """One message waiting in the outbox, as the sender needs it."""

    id: int
    kind: str
    pitch_id: int | None
    event_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    chat_id: int | None = None


def _queued(m: OutboxMessage) -> Queued:
    return Queued(m.id, m.kind, m.pitch_id, m.event_id, dict(m.payload), m.attempts, m.chat_id)


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
    """The staff group's oldest waiting messages (after id ``after``), in queued order."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.chat_id.is_(None), OutboxMessage.id > after)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [_queued(m) for m in (await session.execute(query)).scalars()]


async def owe(session: AsyncSession, chat_id: int, now: datetime, payload: dict[str, Any]) -> None:
    """A person is owed where they were: one message per chat, merged, tried at once."""
    query = select(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.kind == "resume"
    )
    waiting = (await session.execute(query)).scalar_one_or_none()
    if waiting is None:
        session.add(OutboxMessage(kind="resume", chat_id=chat_id, payload=payload, queued_at=now))
        return
    waiting.payload = {**waiting.payload, **payload}
    waiting.attempts, waiting.next_attempt_at = 0, None


async def tell(
    session: AsyncSession,
    chat_id: int,
    now: datetime,
    payload: dict[str, Any],
    event_id: int | None = None,
) -> None:
    """Something the team told a person that Telegram did not take: tried again later."""
    session.add(
        OutboxMessage(
            kind="tell", chat_id=chat_id, event_id=event_id, payload=payload, queued_at=now
        )
    )


async def remind(session: AsyncSession, chat_id: int, pitch_id: int, now: datetime) -> None:
    """A draft's one reminder, queued in the transaction that marked it reminded: built
    from the draft when it is sent, and gone with the draft (a cancel, a purge)."""
    session.add(OutboxMessage(kind="remind", chat_id=chat_id, pitch_id=pitch_id, queued_at=now))


async def postpone(session: AsyncSession, message_id: int, at: datetime) -> None:
    """A person's message waits until ``at`` (not a failed try: the night, for a reminder)."""
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(next_attempt_at=at)
    )


async def owed(session: AsyncSession, now: datetime, *, give_up_after: int) -> list[Queued]:
    """People's messages whose time has come (not given up on), oldest first."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.chat_id.is_not(None),
            OutboxMessage.attempts < give_up_after,
            (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
        )
        .order_by(OutboxMessage.id)
    )
    return [_queued(m) for m in (await session.execute(query)).scalars()]


async def next_try(session: AsyncSession, *, give_up_after: int) -> datetime | None:
    """When a person's message is to be tried next; None when none waits for a try."""
    query = select(func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.chat_id.is_not(None), OutboxMessage.attempts < give_up_after
    )
    return (await session.execute(query)).scalar_one_or_none()


async def owed_chats(session: AsyncSession) -> set[int]:
    """Every chat that is owed where it was, tried or given up on."""
    query = select(OutboxMessage.chat_id).where(OutboxMessage.kind == "resume")
    return {chat_id for chat_id in (await session.execute(query)).scalars() if chat_id}


async def take_owed(session: AsyncSession, chat_id: int) -> dict[str, Any] | None:
    """The person wrote: what they were owed leaves the outbox, to be shown now."""
    query = (
        delete(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.kind == "resume")
        .returning(OutboxMessage.payload)
    )
    payloads = list((await session.execute(query)).scalars())
    return {k: v for payload in payloads for k, v in payload.items()} if payloads else None


async def retry_later(session: AsyncSession, message_id: int, at: datetime) -> None:
    """A person's message did not get through: one more failed try, next one at ``at``."""
    more = OutboxMessage.attempts + 1
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(attempts=more, next_attempt_at=at)
    )


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
