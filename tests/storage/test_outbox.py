"""The staff group's outbox: queued with what caused it, read in order, gone once sent
or with its pitch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import outbox
from storage.database import Database
from storage.events import add_message
from storage.workflow import erase_pitcher
from tests.storage.staff_helpers import NOW, pitcher, sent

ERASED_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def test_messages_come_out_in_the_order_they_were_queued(database: Database) -> None:
    async with database.transaction() as session:
        anna = await pitcher(session)
        pitch = await sent(session, anna, NOW)
        await outbox.queue(session, "card", NOW, pitch_id=pitch.id)
        said = await add_message(
            session, pitch.id, "vraag", direction="in", actor_id=None, delivered=True, now=NOW
        )
        await outbox.queue(session, "relay", NOW, pitch_id=pitch.id, event_id=said)
        await outbox.queue(session, "erased", NOW, payload={"references": ["P-2026-0009"]})

    async with database.transaction() as session:
        waiting = await outbox.due(session)
        assert [(m.kind, m.pitch_id, m.event_id) for m in waiting] == [
            ("card", pitch.id, None),
            ("relay", pitch.id, said),
            ("erased", None, None),
        ]
        assert waiting[2].payload == {"references": ["P-2026-0009"]}
        assert [m.kind for m in await outbox.due(session, after=waiting[0].id, limit=1)] == [
            "relay"
        ]
        assert await outbox.waiting_cards(session) == (1, waiting[0].id)
        assert await outbox.waiting_cards(session, after=waiting[0].id) == (0, waiting[0].id)
        await outbox.failed(session, waiting[1].id)
        await outbox.sent(session, waiting[0].id)

    async with database.transaction() as session:
        left = await outbox.due(session)
        assert [(m.kind, m.attempts) for m in left] == [("relay", 1), ("erased", 0)]
        assert await erase_pitcher(session, anna.id, reason="request", now=ERASED_AT)

    async with database.transaction() as session:
        assert [m.kind for m in await outbox.due(session)] == ["erased"], "gone with the pitch"


async def test_a_burst_counts_only_cards_after_the_last_announced_one(database: Database) -> None:
    async with database.transaction() as session:
        anna = await pitcher(session)
        for hour in range(3):
            pitch = await sent(session, anna, NOW + timedelta(hours=hour))
            await outbox.queue(session, "card", NOW, pitch_id=pitch.id)
        first = (await outbox.due(session))[0].id

        assert await outbox.waiting_cards(session, after=first) == (2, first + 2)
