"""Revision 0002 (staff follow-up) keeps every pitch, answer and event, both ways."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, func, select

from storage import outbox
from storage.database import Database
from storage.migrate import alembic_config, migration_transaction, upgrade
from storage.models import Answer, Event, Pitch
from tests.storage.staff_helpers import NOW, pitcher, sent


def _downgrade_to_0001(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with migration_transaction(connection):
        command.downgrade(config, "0001")


async def test_down_to_0001_and_up_again_loses_nothing(database: Database) -> None:
    async with database.sessions() as session:
        pitch = await sent(session, await pitcher(session), NOW, {"idea": "x", "who": "y"})
        await session.commit()

    # On SQLite, dropping staff_card_sent_at copies the pitches table: no cascade may fire.
    async with database.engine.connect() as connection:
        await connection.run_sync(_downgrade_to_0001)
    await upgrade(database)

    async with database.sessions() as session:
        counts = [
            (await session.execute(select(func.count()).select_from(model))).scalar_one()
            for model in (Pitch, Answer, Event)
        ]
        waiting = await outbox.due(session)
    assert counts == [1, 2, 1]
    # never carded: revision 0012 queues its card in the outbox
    assert [(m.kind, m.pitch_id) for m in waiting] == [("card", pitch.id)]
