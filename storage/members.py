"""Staff members as last seen on Telegram: names for "@olga" and "taken by Olga"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import updates
from storage.models import StaffMember


async def remember_staff(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    username: str | None,
    first_name: str | None,
    now: datetime,
    update_id: int | None = None,
) -> bool:
    """Note a staff member as seen now, with their current Telegram names.

    False when ``update_id`` was handled before: Telegram redelivered it, and a repeated
    /reply or /note must not happen twice.
    """
    if update_id is not None and not await updates.claim(session, update_id, now):
        return False
    member = await session.get(StaffMember, telegram_user_id)
    if member is None:
        try:
            async with session.begin_nested():
                member = StaffMember(telegram_user_id=telegram_user_id)
                _describe(member, username, first_name, now)
                session.add(member)
            return True
        except IntegrityError:  # the same person, seen by another process a moment ago
            member = await session.get(StaffMember, telegram_user_id)
            assert member is not None
    _describe(member, username, first_name, now)
    return True


def _describe(
    member: StaffMember, username: str | None, first_name: str | None, now: datetime
) -> None:
    member.username = username
    member.username_key = _username_key(username)
    member.first_name = first_name
    member.last_seen_at = now


def _username_key(username: str | None) -> str | None:
    return (username or "").strip().removeprefix("@").lower() or None


async def staff_by_username(session: AsyncSession, username: str) -> StaffMember | None:
    """The staff member called ``@username`` (any case); the latest seen if it moved."""
    key = _username_key(username)
    if key is None:
        return None
    query = (
        select(StaffMember)
        .where(StaffMember.username_key == key)
        .order_by(StaffMember.last_seen_at.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def staff_names(session: AsyncSession, ids: Iterable[int]) -> dict[int, StaffMember]:
    """The known staff members among ``ids``, by Telegram user id (unknown ones left out)."""
    wanted = set(ids)
    if not wanted:
        return {}
    query = select(StaffMember).where(StaffMember.telegram_user_id.in_(wanted))
    return {member.telegram_user_id: member for member in (await session.execute(query)).scalars()}
