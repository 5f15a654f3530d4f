"""The migrations build exactly the schema the models describe, on either database."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from storage.database import Database, create_database
from storage.migrate import alembic_config, migration_transaction, pending, upgrade, upgrade_url
from storage.models import Base, in_schema


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"include_object": in_schema})
    return list(compare_metadata(context, Base.metadata))


def _downgrade_to_base(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with migration_transaction(connection):
        command.downgrade(config, "base")


async def test_upgrade_creates_every_table(database: Database) -> None:
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(_tables)
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


async def test_migrated_schema_matches_the_models(database: Database) -> None:
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_nothing_is_pending_after_upgrade_and_upgrading_again_is_harmless(
    database: Database,
) -> None:
    assert not await pending(database)
    await upgrade(database)
    assert not await pending(database)


async def test_downgrade_to_base_and_back(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.run_sync(_downgrade_to_base)
        assert await connection.run_sync(_tables) <= {"alembic_version"}
        await connection.commit()
    assert await pending(database)

    await upgrade(database)

    assert not await pending(database)
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_command_line_upgrade_migrates_a_database_url(database_url: str) -> None:
    # upgrade_url runs its own event loop, as a CLI would: keep it off this one.
    await asyncio.to_thread(upgrade_url, database_url)

    database = create_database(database_url)
    try:
        assert not await pending(database)
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await database.dispose()
