"""Telegram updates: kept as fetched until handled (the inbox), and claimed once handled,
so that no update is lost to a crash and none acts twice."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
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
    session: AsyncSession,
    batch: Sequence[dict[str, Any]],
    handled: Iterable[int],
    now: datetime,
    keys: dict[int, int] | None = None,
) -> set[int]:
    """Keep a fetched batch and forget the updates handled since: the ids new to the
    inbox (an update fetched again after a crash is not new: it is replayed already).
    ``keys`` gives, by update id, the chat whose turn an update waits for."""
    keys = keys or {}
    await _out_of_the_inbox(session, handled, now)
    if not batch:
        return set()
    # one handled already (a webhook delivered again when our "200 OK" got lost) is not new
    ids = [u["update_id"] for u in batch]
    spent = select(HandledUpdate.update_id).where(HandledUpdate.update_id.in_(ids))
    seen = set((await session.execute(spent)).scalars())
    batch = [u for u in batch if u["update_id"] not in seen]
    if not batch:
        return set()
    rows = [
        {
            "update_id": u["update_id"],
            "payload": u,
            "received_at": now,
            "chat_key": keys.get(u["update_id"]),
        }
        for u in batch
    ]
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


async def take_turn(session: AsyncSession, chat_key: int) -> None:
    """Wait for ``chat_key``'s turn, held until the caller's transaction ends.

    PostgreSQL's transaction-level advisory lock: workers sharing the database take a
    chat's updates one at a time. (SQLite has one process, which orders them itself.)
    """
    await session.execute(select(func.pg_advisory_xact_lock(chat_key)))


async def waiting_in_turn(session: AsyncSession, chat_key: int, update_id: int) -> list[Any]:
    """The chat's updates still in the inbox up to ``update_id``, oldest first: the
    ones before it that another worker received but has not handled yet, and itself."""
    query = (
        select(InboxUpdate.update_id, InboxUpdate.payload)
        .where(InboxUpdate.chat_key == chat_key, InboxUpdate.update_id <= update_id)
        .order_by(InboxUpdate.update_id)
    )
    return list((await session.execute(query)).all())


async def handled_now(session: AsyncSession, update_ids: Iterable[int], now: datetime) -> None:
    """Handled in this turn: out of the inbox, so no other worker handles it again."""
    await _out_of_the_inbox(session, update_ids, now)


async def _out_of_the_inbox(
    session: AsyncSession, update_ids: Iterable[int], now: datetime
) -> None:
    """Handled: the updates leave the inbox and are remembered as handled (a claim, kept
    for :data:`KEPT_FOR`), so the same update received again is not handled twice."""
    done = list(update_ids)
    if not done:
        return
    await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(done)))
    claims = [{"update_id": update_id, "handled_at": now} for update_id in done]
    remember = insert_with_conflicts(session, HandledUpdate).values(claims)
    await session.execute(remember.on_conflict_do_nothing(index_elements=["update_id"]))
