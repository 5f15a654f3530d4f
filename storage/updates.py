"""Telegram updates: kept as fetched until handled (the inbox), and claimed once handled,
so that no update is lost to a crash and none acts twice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import insert_with_conflicts
from storage.models import HandledUpdate, InboxUpdate

KEPT_FOR = timedelta(days=2)
"""Telegram keeps an unconfirmed update for a day: a claim older than that is spent."""


async def claim(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Mark an update as handled in the caller's transaction; False if it already was.

    One INSERT that does nothing on conflict, so two processes (or two tasks) handling
    the same update cannot both win, and no error aborts the caller's transaction.
    """
    insert = (
        insert_with_conflicts(session, HandledUpdate)
        .values(update_id=update_id, handled_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(HandledUpdate.update_id)
    )
    return (await session.execute(insert)).scalar_one_or_none() is not None


async def forget_handled(session: AsyncSession, now: datetime) -> int:
    """Drop claims Telegram can no longer redeliver; how many went."""
    old = delete(HandledUpdate).where(HandledUpdate.handled_at < now - KEPT_FOR)
    return (await session.execute(old)).rowcount  # type: ignore[attr-defined,no-any-return]


async def receive(
    session: AsyncSession, batch: Sequence[dict[str, Any]], handled: Iterable[int], now: datetime
) -> set[int]:
    """Keep a fetched batch and forget the updates handled since: the ids new to the
    inbox (an update fetched again after a crash is not new: it is replayed already)."""
    done = list(handled)
    if done:
        await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(done)))
    if not batch:
        return set()
    rows = [{"update_id": u["update_id"], "payload": u, "received_at": now} for u in batch]
    insert = (
        insert_with_conflicts(session, InboxUpdate)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(InboxUpdate.update_id)
    )
    return set((await session.execute(insert)).scalars())


async def unhandled(session: AsyncSession, give_up_after: int) -> tuple[list[dict[str, Any]], int]:
    """The updates to replay at start, oldest first, each counted as replayed once more;
    and how many were given up (replayed ``give_up_after`` times already: poison)."""
    rows = (await session.execute(select(InboxUpdate).order_by(InboxUpdate.update_id))).scalars()
    replay: list[dict[str, Any]] = []
    given_up = 0
    for row in rows:
        if row.replays >= give_up_after:
            await session.delete(row)
            given_up += 1
        else:
            row.replays += 1
            replay.append(row.payload)
    return replay, given_up
