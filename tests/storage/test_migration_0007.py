"""Revision 0007 copies the pitchers table on SQLite: nothing may be lost on the way, and
the cascade an erasure relies on must still work afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Connection, func, select

from storage.database import Database
from storage.migrate import alembic_config, migration_transaction, upgrade
from storage.models import Answer, Event, Pitch, Pitcher
from storage.workflow import erase_pitcher
from tests.storage.staff_helpers import NOW, pitcher, sent

ERASED_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _downgrade_to_0006(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with migration_transaction(connection):
        command.downgrade(config, "0006")


async def _counts(database: Database) -> list[int]:
    async with database.sessions() as session:
        return [
            (await session.execute(select(func.count()).select_from(model))).scalar_one()
            for model in (Pitcher, Pitch, Answer, Event)
        ]


async def test_down_to_0006_and_up_again_loses_nothing_and_erasure_still_cascades(
    database: Database,
) -> None:
    async with database.sessions() as session:
        anna = await pitcher(session)
        await sent(session, anna, NOW, {"idea": "x", "who": "y"})
        await session.commit()
    assert await _counts(database) == [1, 1, 2, 1]

    async with database.engine.connect() as connection:
        await connection.run_sync(_downgrade_to_0006)
    await upgrade(database)

    assert await _counts(database) == [1, 1, 2, 1]
    async with database.transaction() as session:
        assert await erase_pitcher(session, anna.id, reason="request", now=ERASED_AT)
    assert await _counts(database) == [0, 0, 0, 0]
