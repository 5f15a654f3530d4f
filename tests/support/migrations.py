"""Putting a test database behind the newest schema, as an older deploy left it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection

from storage.database import Database
from storage.migrate import alembic_config, migration_transaction


async def downgrade(database: Database, revision: str) -> None:
    """Migrate ``database`` down to ``revision`` (the test upgrades it again after)."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        with migration_transaction(connection):
            command.downgrade(config, revision)

    async with database.engine.connect() as connection:
        await connection.run_sync(run)
        await connection.commit()
