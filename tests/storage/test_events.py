"""A pitch's thread: notes and messages, in order, with their delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.database import Database
from storage.events import add_message, add_note, history, mark_delivery
from tests.storage.staff_helpers import NOW, OLGA, one_new_pitch

LATER = NOW + timedelta(hours=2)


async def test_notes_and_the_thread_come_back_in_order(database: Database) -> None:
    pitch_id = await one_new_pitch(database)
    async with database.sessions() as session:
        reply = await add_message(
            session,
            pitch_id,
            "Can we call?",
            direction="out",
            actor_id=OLGA,
            delivered=False,
            now=LATER,
        )
        await add_note(session, pitch_id, "Promising", actor_id=OLGA, now=NOW + timedelta(hours=1))
        await add_message(
            session, pitch_id, "Yes!", direction="in", actor_id=None, delivered=True, now=LATER
        )
        await session.commit()
        await mark_delivery(session, reply, True)
        await session.commit()

    async with database.sessions() as session:
        events = await history(session, pitch_id)
        with pytest.raises(LookupError):
            await mark_delivery(session, 424242, True)

    assert [(e.kind, e.actor_id, e.payload) for e in events] == [
        ("status", None, {"from": "draft", "to": "new"}),
        ("note", OLGA, {"text": "Promising"}),
        ("message_out", OLGA, {"text": "Can we call?", "delivered": True}),
        ("message_in", None, {"text": "Yes!", "delivered": True}),
    ]
