"""Ids that left the process are never handed out again, on both databases; revision
0008 gives SQLite's tables AUTOINCREMENT without losing a row or changing an id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Connection, select, text

from storage.database import Database
from storage.events import add_note
from storage.migrate import alembic_config, migration_transaction, upgrade
from storage.models import Answer, Event, OutboxMessage, Pitch, Pitcher
from storage.workflow import erase_pitcher
from tests.conftest import SERVER_URL
from tests.storage.staff_helpers import NOW, pitcher, sent

ERASED_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def _newest_of_everything(database: Database, user_id: int) -> dict[str, int]:
    """A pitcher with a sent pitch, its answers and a note: the new ids of each."""
    async with database.transaction() as session:
        owner = await pitcher(session, user_id=user_id)
        pitch = await sent(session, owner, NOW, {"idea": "x"})
        note = await add_note(session, pitch.id, "bel terug", actor_id=7001, now=NOW)
        answer = (await session.execute(select(Answer.id).where(Answer.pitch_id == pitch.id))).one()
        return {"pitcher": owner.id, "pitch": pitch.id, "answer": answer[0], "event": note}


async def test_erasing_the_newest_pitcher_frees_no_id_for_the_next(database: Database) -> None:
    first = await _newest_of_everything(database, 1001)
    async with database.transaction() as session:
        assert await erase_pitcher(session, first["pitcher"], reason="request", now=ERASED_AT)

    second = await _newest_of_everything(database, 1002)

    for kind, old_id in first.items():
        assert second[kind] > old_id, kind


@pytest.mark.skipif(SERVER_URL is not None, reason="SQLite only: PostgreSQL never reused ids")
async def test_at_head_every_table_with_a_generated_id_is_autoincrement(
    database: Database,
) -> None:
    """Later migrations that copy a table (batch mode) must keep AUTOINCREMENT."""
    async with database.sessions() as session:
        rows = await session.execute(text("SELECT name, sql FROM sqlite_master WHERE type='table'"))
        schema = {name: sql for name, sql in rows.all()}
    for model in (Pitcher, Pitch, Answer, Event, OutboxMessage):
        assert "AUTOINCREMENT" in schema[model.__tablename__], model.__tablename__


def _downgrade_to_0007(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with migration_transaction(connection):
        command.downgrade(config, "0007")


async def _rows(database: Database) -> list[list[tuple[object, ...]]]:
    async with database.sessions() as session:
        return [
            [tuple(row) for row in (await session.execute(select(model.__table__))).all()]
            for model in (Pitcher, Pitch, Answer, Event)
        ]


@pytest.mark.skipif(SERVER_URL is not None, reason="SQLite only: PostgreSQL never reused ids")
async def test_upgrading_an_old_sqlite_file_keeps_every_row_and_id(database: Database) -> None:
    await _newest_of_everything(database, 1001)
    await _newest_of_everything(database, 1002)
    before = await _rows(database)
    async with database.engine.connect() as connection:
        await connection.run_sync(_downgrade_to_0007)  # the tables as they were, rows kept

    await upgrade(database)

    assert await _rows(database) == before
    async with database.transaction() as session:
        assert await erase_pitcher(session, 2, reason="request", now=ERASED_AT)
    third = await _newest_of_everything(database, 1003)
    # two events a pitch (sent, note): the erased pitcher's were 3 and 4
    assert third == {"pitcher": 3, "pitch": 3, "answer": 3, "event": 6}, "counts on, no reuse"
