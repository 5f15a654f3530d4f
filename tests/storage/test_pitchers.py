"""Scenarios of a pitcher's life, from consent to submitted pitch, against a real database."""

from __future__ import annotations

from storage.database import Database
from storage.drafts import (
    submit,
)
from storage.models import Pitcher
from storage.pitchers import (
    claim,
    is_repeat,
    load,
    mark_group_notified,
    update_pitcher,
)
from tests.storage.staff_helpers import NOW, consented, open_draft


async def test_a_pitcher_with_consent_is_stored_and_found_again(database: Database) -> None:
    async with database.transaction() as session:
        await consented(session)

    async with database.sessions() as session:
        found, draft = await load(session, 1001)
        assert await load(session, 2002) == (None, None)
        row = await session.get(Pitcher, found.id if found else 0)

    assert found is not None and draft is None
    assert (found.chat_id, found.language, found.last_update_id) == (1001, "nl", None)
    assert row is not None and (row.consent_at, row.consent_version) == (NOW, "2026-01")


async def test_a_redelivered_update_is_refused_once_claimed(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await consented(session)
        assert await claim(session, pitcher.id, 500)

    async with database.transaction() as session:
        again, _ = await load(session, 1001)
        assert again is not None and again.last_update_id == 500
        assert is_repeat(again, None, 500) and is_repeat(again, None, 499)
        assert not is_repeat(again, None, 501)
        assert not await claim(session, pitcher.id, 500)
        assert not await claim(session, pitcher.id, 499)
        assert await claim(session, pitcher.id, 501)


async def test_only_the_changed_columns_of_a_pitcher_are_written(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await consented(session)
        await update_pitcher(session, pitcher, language="fr", first_name="Inès", last_update_id=9)

    async with database.sessions() as session:
        again, _ = await load(session, 1001)
    assert again is not None
    assert (again.language, again.first_name, again.username, again.last_update_id) == (
        "fr",
        "Inès",
        "ines",
        9,
    )


async def test_a_pitcher_without_a_draft_is_found_without_one(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await consented(session)
        await submit(session, await open_draft(session, pitcher), NOW)

    async with database.sessions() as session:
        found, draft = await load(session, 1001)

    assert found is not None and found.id == pitcher.id and draft is None


async def test_a_group_is_told_about_private_chats_only_once(database: Database) -> None:
    async with database.sessions() as session:
        assert await mark_group_notified(session, -100123, NOW)
        assert not await mark_group_notified(session, -100123, NOW)
        await session.commit()

    async with database.sessions() as session:
        assert not await mark_group_notified(session, -100123, NOW)
        assert await mark_group_notified(session, -100456, NOW)


async def test_a_rolled_back_group_notice_is_forgotten(database: Database) -> None:
    async with database.sessions() as session:
        assert await mark_group_notified(session, -100123, NOW)
        await session.rollback()

    async with database.sessions() as session:
        assert await mark_group_notified(session, -100123, NOW)
