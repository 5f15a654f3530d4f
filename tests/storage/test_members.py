"""Staff members as last seen on Telegram: found by @name, renamed, seen twice at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.database import Database
from storage.members import remember_staff, staff_by_username, staff_names
from tests.storage.staff_helpers import NOW, OLGA, PIETER

LATER = NOW + timedelta(hours=2)


async def test_staff_are_found_by_username_in_any_case(database: Database) -> None:
    async with database.sessions() as session:
        await remember_staff(
            session, telegram_user_id=OLGA, username="Olga_B", first_name="Olga", now=NOW
        )
        await remember_staff(
            session, telegram_user_id=PIETER, username=None, first_name="Pieter", now=NOW
        )
        await session.commit()

    async with database.sessions() as session:
        olga = await staff_by_username(session, "@olga_b")
        assert await staff_by_username(session, "@") is None
        names = await staff_names(session, [OLGA, PIETER, 424242, OLGA])
        assert await staff_names(session, []) == {}

    assert olga is not None and (olga.telegram_user_id, olga.username) == (OLGA, "Olga_B")
    assert {i: m.first_name for i, m in names.items()} == {OLGA: "Olga", PIETER: "Pieter"}


async def test_a_renamed_staff_member_is_found_by_the_new_name_only(database: Database) -> None:
    async with database.sessions() as session:
        await remember_staff(
            session, telegram_user_id=OLGA, username="olga", first_name="O", now=NOW
        )
        await session.commit()
        await remember_staff(
            session, telegram_user_id=OLGA, username="OlgaDesk", first_name="Olga", now=LATER
        )
        await session.commit()

    async with database.sessions() as session:
        assert await staff_by_username(session, "olga") is None
        member = await staff_by_username(session, "OLGADESK")
    assert member is not None
    assert (member.first_name, member.last_seen_at) == ("Olga", LATER)


async def test_staff_seen_by_two_processes_at_once_are_remembered_once(
    database: Database,
) -> None:
    async def seen(first_name: str) -> None:
        async with database.sessions() as session, session.begin():
            await remember_staff(
                session, telegram_user_id=OLGA, username="olga", first_name=first_name, now=NOW
            )

    await asyncio.gather(seen("Olga"), seen("Olga B."))

    async with database.sessions() as session:
        names = await staff_names(session, [OLGA])
    assert names[OLGA].first_name in {"Olga", "Olga B."}
