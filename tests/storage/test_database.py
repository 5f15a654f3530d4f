"""The engine keeps its promises: foreign keys, WAL, and savepoints that really nest."""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, make_url, select, text
from sqlalchemy.exc import IntegrityError

from storage.database import Database, create_database, is_sqlite, leave_no_trace
from storage.migrate import upgrade
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
            for name in (
                "journal_mode",
                "foreign_keys",
                "busy_timeout",
                "synchronous",
                "secure_delete",
            )
        ]
    assert settings == ["wal", 1, 5000, 1, 1]


async def test_after_an_erasure_the_wal_is_emptied(database: Database, database_url: str) -> None:
    """What an erasure deleted stays in the WAL's older pages until it is checkpointed."""
    async with database.transaction() as session:
        now = datetime(2026, 3, 14, tzinfo=UTC)
        await session.execute(insert(GroupNotice).values(chat_id=-1, notified_at=now))
    wal = Path(f"{make_url(database_url).database}-wal")
    assert not is_sqlite(database_url) or wal.stat().st_size > 0

    await leave_no_trace(database)  # on PostgreSQL: nothing to do

    assert not is_sqlite(database_url) or wal.stat().st_size == 0


def test_sqlite_urls_are_recognised_whatever_the_driver() -> None:
    assert is_sqlite("sqlite+aiosqlite:///pitchbot.db")
    assert is_sqlite("sqlite:///:memory:")
    assert not is_sqlite("postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def test_sqlite_writers_queue_in_the_process_instead_of_failing(database: Database) -> None:
    """A unit of work holding SQLite's write lock across awaits makes the next one wait
    its turn here, never in SQLite's busy handler (which gives up: "database is locked")."""
    if database.write_lock is None:
        pytest.skip("SQLite only: PostgreSQL has many writers")
    order: list[str] = []
    entered, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with database.transaction() as session:
            await session.execute(text("INSERT INTO group_notices VALUES (1, '2026-11-26')"))
            order.append("first in")
            entered.set()
            await release.wait()
        order.append("first out")

    async def second() -> None:
        async with database.transaction() as session:
            order.append("second in")
            await session.execute(text("INSERT INTO group_notices VALUES (2, '2026-11-26')"))

    one = asyncio.create_task(first())
    await entered.wait()
    two = asyncio.create_task(second())
    await asyncio.sleep(0)  # let the second reach the lock (a yield, no waiting for time)

    assert order == ["first in"]
    release.set()
    await asyncio.gather(one, two)
    assert order == ["first in", "first out", "second in"]


async def test_the_sqlite_file_and_its_journal_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    older = tmp_path / "older.db"
    older.write_bytes(b"")
    older.chmod(0o644)  # made by an earlier version, or by hand
    for path in (tmp_path / "new.db", older):
        database = create_database(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(database)
            async with database.transaction() as session:
                await session.execute(text("CREATE TABLE scratch (x INTEGER)"))
            files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
            assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {
                f.name: 0o600 for f in files
            }
        finally:
            await database.dispose()
