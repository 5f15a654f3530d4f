"""Telegram updates already handled: a redelivered update must not act twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import HandledUpdate

KEPT_FOR = timedelta(days=2)
"""Telegram keeps an unconfirmed update for a day: a claim older than that is spent."""


async def claim(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Mark an update as handled in the caller's transaction; False if it already was.

    One INSERT that does nothing on conflict, so two processes (or two tasks) handling
    the same update cannot both win, and no error aborts the caller's transaction.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = (
        dialect.insert(HandledUpdate)
        .values(update_id=update_id, handled_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(HandledUpdate.update_id)
    )
    return (await session.execute(insert)).scalar_one_or_none() is not None


async def forget_handled(session: AsyncSession, now: datetime) -> int:
    """Drop claims Telegram can no longer redeliver; how many went."""
    old = delete(HandledUpdate).where(HandledUpdate.handled_at < now - KEPT_FOR)
    return (await session.execute(old)).rowcount  # type: ignore[attr-defined,no-any-return]
