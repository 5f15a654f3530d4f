"""Staff members as last seen on Telegram: names for "@olga" and "taken by Olga"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import updates
from storage.models import StaffMember

MEMBERS = cast(Table, StaffMember.__table__)


@dataclass(frozen=True)
class StaffName:
    """A staff member as last seen on Telegram."""

    telegram_user_id: int
    username: str | None
    first_name: str | None
    last_seen_at: datetime | None = None

    @property
    def shown(self) -> str:
        """How cards and lists name them: first name, else @username, else the id."""
        if self.first_name or self.username:
            return self.first_name or f"@{self.username}"
        return str(self.telegram_user_id)


def _name(member: StaffMember) -> StaffName:
    return StaffName(
        member.telegram_user_id, member.username, member.first_name, member.last_seen_at
    )


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
    names = {
        "username": username,
        "username_key": _username_key(username),
        "first_name": first_name,
        "last_seen_at": now,
    }
    seen = (
        update(MEMBERS)
        .where(MEMBERS.c.telegram_user_id == telegram_user_id)
        .values(**names)
        .returning(MEMBERS.c.telegram_user_id)
    )
    if (await session.execute(seen)).scalar_one_or_none() is not None:
        return True
    try:
        async with session.begin_nested():
            await session.execute(
                insert(MEMBERS).values(telegram_user_id=telegram_user_id, **names)
            )
    except IntegrityError:  # the same person, seen by another process a moment ago
        await session.execute(seen)
    return True


def _username_key(username: str | None) -> str | None:
    return (username or "").strip().removeprefix("@").lower() or None


async def staff_by_username(session: AsyncSession, username: str) -> StaffName | None:
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
    member = (await session.execute(query)).scalar_one_or_none()
    return _name(member) if member is not None else None


async def staff_called(session: AsyncSession, name: str) -> list[StaffName]:
    """The staff members ``name`` may mean: ``@username`` (any case) is one; a bare word
    is a username or a first name (any case), possibly several people."""
    key = _username_key(name)
    if key is None:
        return []
    by_username = StaffMember.username_key == key
    if name.strip().startswith("@"):
        found = await staff_by_username(session, name)
        return [found] if found is not None else []
    first = func.lower(StaffMember.first_name) == name.strip().lower()
    newest_first = (StaffMember.last_seen_at.desc(), StaffMember.telegram_user_id)
    query = select(StaffMember).where(by_username | first).order_by(*newest_first)
    return [_name(member) for member in (await session.execute(query)).scalars()]


async def staff_names(session: AsyncSession, ids: Iterable[int]) -> dict[int, StaffName]:
    """The known staff members among ``ids``, by Telegram user id (unknown ones left out)."""
    wanted = set(ids)
    if not wanted:
        return {}
    query = select(StaffMember).where(StaffMember.telegram_user_id.in_(wanted))
    members = (await session.execute(query)).scalars()
    return {member.telegram_user_id: _name(member) for member in members}
