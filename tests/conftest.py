"""Shared fixtures: every test gets a migrated, empty database.

SQLite by default, one fresh file per test. With ``PITCHBOT_TEST_DATABASE_URL`` set to
a PostgreSQL URL (e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``) the same
tests run there: the ``public`` schema is rebuilt and migrated once per test session,
and every test starts from emptied tables.

pytest-asyncio gives each test its own event loop and asyncpg connections belong to the
loop that opened them, so each test builds and disposes its own engine; the once-only
schema rebuild runs inside the first test's loop rather than in a loop of its own.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import Database, create_database
from storage.migrate import upgrade
from storage.models import Base

SERVER_URL = os.environ.get("PITCHBOT_TEST_DATABASE_URL") or None


@dataclass
class ServerSchema:
    """Whether the server's schema was already rebuilt in this test session."""

    rebuilt: bool = False


@pytest.fixture(scope="session")
def server_schema() -> ServerSchema:
    return ServerSchema()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The database under test: the server, or a fresh SQLite file."""
    return SERVER_URL or f"sqlite+aiosqlite:///{tmp_path / 'pitchbot.db'}"


@pytest.fixture
async def database(database_url: str, server_schema: ServerSchema) -> AsyncIterator[Database]:
    """A migrated database without rows, disposed after the test."""
    database = create_database(database_url)
    try:
        if SERVER_URL is None:
            await upgrade(database)
        else:
            if not server_schema.rebuilt:
                await _rebuild_schema(database)
                await upgrade(database)
                server_schema.rebuilt = True
            await _empty_tables(database)
        yield database
    finally:
        await database.dispose()


async def _rebuild_schema(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))


async def _empty_tables(database: Database) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
