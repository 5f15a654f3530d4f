"""Revision 0012 moves what waited in the two old queues (unsent cards, pending relays)
into the outbox, oldest first, and back again on the way down."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import Connection, text

from storage import outbox
from storage.database import Database
from storage.events import add_message
from storage.migrate import alembic_config, migration_transaction, upgrade
from tests.storage.staff_helpers import NOW, pitcher, sent


def _downgrade_to_0011(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    with migration_transaction(connection):
        command.downgrade(config, "0011")


async def test_waiting_cards_and_messages_move_into_the_outbox_in_order(
    database: Database,
) -> None:
    async with database.transaction() as session:
        anna = await pitcher(session)
        older = await sent(session, anna, NOW)
        newer = await sent(session, anna, NOW + timedelta(hours=2))
        said = await add_message(
            session,
            older.id,
            "vraag",
            direction="in",
            actor_id=None,
            delivered=True,
            now=NOW + timedelta(hours=1),
        )
        # the queue as the old code kept it: cards by staff_card_sent_at, relays apart
        await outbox.queue(session, "relay", NOW + timedelta(hours=1), event_id=said)
    async with database.engine.connect() as connection:
        await connection.run_sync(_downgrade_to_0011)
        waiting = await connection.execute(text("SELECT event_id FROM pending_relays"))
        assert waiting.scalars().all() == [said]

    await upgrade(database)

    async with database.sessions() as session:
        moved = await outbox.due(session)
    assert [(m.kind, m.pitch_id, m.event_id) for m in moved] == [
        ("card", older.id, None),
        ("relay", older.id, said),
        ("card", newer.id, None),
    ]
