"""The engine keeps its promises: foreign keys, WAL, and savepoints that really nest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from storage.database import Database, is_sqlite
from storage.models import Answer, GroupNotice

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


async def test_foreign_keys_are_enforced(database: Database) -> None:
    async with database.sessions() as session:
        session.add(Answer(pitch_id=424242, question_key="idea", value="x", updated_at=NOW))
        with pytest.raises(IntegrityError):
            await session.flush()


async def test_a_released_savepoint_is_undone_by_rolling_back_the_session(
    database: Database,
) -> None:
    # On SQLite a SAVEPOINT opening the transaction would commit on release.
    async with database.sessions() as session:
        async with session.begin_nested():
            await session.execute(insert(GroupNotice).values(chat_id=-1, notified_at=NOW))
        await session.rollback()

    async with database.sessions() as session:
        count = select(func.count()).select_from(GroupNotice)
        assert (await session.execute(count)).scalar_one() == 0


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    async with database.engine.connect() as connection:
        settings = [
            (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        ]
    assert settings == ["wal", 1, 5000, 1]


def test_sqlite_urls_are_recognised_whatever_the_driver() -> None:
    assert is_sqlite("sqlite+aiosqlite:///pitchbot.db")
    assert is_sqlite("sqlite:///:memory:")
    assert not is_sqlite("postgresql+asyncpg://postgres@127.0.0.1:5432/test")
