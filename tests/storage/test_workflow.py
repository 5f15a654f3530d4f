"""Staff follow a pitch up: status, taking it, notes, the thread, cards and names."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from storage import outbox, updates
from storage.database import Database
from storage.events import history
from storage.models import InboxUpdate, OutboxMessage, Pitch
from storage.pitches import PitchView, latest_open, view
from storage.workflow import assign, erase_pitcher, set_status, take
from tests.storage.staff_helpers import NOW, OLGA, PIETER, draft, one_new_pitch, pitcher, sent

LATER = NOW + timedelta(hours=2)


async def _pitch(database: Database, pitch_id: int) -> PitchView:
    async with database.sessions() as session:
        pitch = await view(session, pitch_id)
    assert pitch is not None
    return pitch


async def test_a_status_change_is_recorded_once_with_who_and_when(database: Database) -> None:
    pitch_id = await one_new_pitch(database)
    async with database.sessions() as session:
        assert await set_status(session, pitch_id, "in_review", actor_id=OLGA, now=LATER) == "new"
        assert await set_status(session, pitch_id, "in_review", actor_id=PIETER, now=LATER) is None
        await session.commit()

    async with database.sessions() as session:
        events = await history(session, pitch_id)
        row = await session.get(Pitch, pitch_id)
    assert row is not None and row.status == "in_review"
    assert row.status_changed_at == row.updated_at == LATER
    assert [(e.kind, e.actor_id, e.at, e.payload) for e in events] == [
        ("status", None, NOW, {"from": "draft", "to": "new"}),
        ("status", OLGA, LATER, {"from": "new", "to": "in_review"}),
    ]


async def test_no_status_change_to_draft_unknown_or_from_a_draft(database: Database) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        pitch = await sent(session, owner, NOW)
        unsent = await draft(session, owner)
        for status in ("draft", "lost"):
            with pytest.raises(ValueError):
                await set_status(session, pitch.id, status, actor_id=OLGA, now=LATER)
        with pytest.raises(ValueError, match="draft"):
            await set_status(session, unsent.id, "in_review", actor_id=OLGA, now=LATER)
        with pytest.raises(LookupError):
            await set_status(session, 424242, "in_review", actor_id=OLGA, now=LATER)
        await session.refresh(pitch)
        await session.refresh(unsent)
    assert (pitch.status, unsent.status) == ("new", "draft")


async def test_two_staff_taking_a_pitch_at_once_one_wins(database: Database) -> None:
    pitch_id = await one_new_pitch(database)

    both_read = asyncio.Barrier(2)

    async def taking(staff_id: int) -> int | None:
        async with database.sessions() as session, session.begin():
            pitch = await view(session, pitch_id)  # as a card shows it: free
            assert pitch is not None and pitch.assignee_id is None
            await both_read.wait()  # at once: neither has taken it when the other reads
            return await take(session, pitch_id, staff_id, now=LATER)

    results = await asyncio.gather(taking(OLGA), taking(PIETER))

    winners = [staff for staff, holder in zip((OLGA, PIETER), results, strict=True) if not holder]
    assert len(winners) == 1
    winner = winners[0]
    assert sorted(results, key=lambda r: r is not None) == [None, winner], "told who has it"
    async with database.sessions() as session:
        events = [e for e in await history(session, pitch_id) if e.kind == "assign"]
        assert await take(session, pitch_id, winner, now=LATER) is None  # already theirs
        await session.commit()
        assert len([e for e in await history(session, pitch_id) if e.kind == "assign"]) == 1
    assert [(e.actor_id, e.payload) for e in events] == [(winner, {"from": None, "to": winner})]
    assert (await _pitch(database, pitch_id)).assignee_id == winner


async def test_taking_a_pitch_that_does_not_exist_fails(database: Database) -> None:
    async with database.sessions() as session:
        with pytest.raises(LookupError):
            await take(session, 424242, OLGA, now=NOW)


async def test_assigning_and_unassigning_are_on_record(database: Database) -> None:
    pitch_id = await one_new_pitch(database)
    async with database.sessions() as session:
        assert await assign(session, pitch_id, PIETER, actor_id=OLGA, now=LATER)
        assert not await assign(session, pitch_id, PIETER, actor_id=OLGA, now=LATER), "no event"
        assert await assign(session, pitch_id, None, actor_id=PIETER, now=LATER)
        await session.commit()
        events = [e for e in await history(session, pitch_id) if e.kind == "assign"]

    assert (await _pitch(database, pitch_id)).assignee_id is None
    assert [(e.actor_id, e.payload) for e in events] == [
        (OLGA, {"from": None, "to": PIETER}),
        (PIETER, {"from": PIETER, "to": None}),
    ]


async def test_free_text_goes_to_the_newest_open_pitch(database: Database) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        other = await pitcher(session, user_id=2002, name="Jan")
        assert await latest_open(session, owner.id) is None
        older = await sent(session, owner, NOW, {"idea": "older"}, status="supported")
        await sent(session, owner, LATER, status="archived")
        await draft(session, owner)
        await sent(session, other, LATER + timedelta(hours=1))
        await session.commit()

    async with database.sessions() as session:
        found = await latest_open(session, owner.id)
    assert found is not None and found.id == older.id
    assert found.answer("idea") == "older"


async def test_an_erasure_takes_what_waits_for_the_persons_chat_and_nobody_elses(
    database: Database,
) -> None:
    """The outbox's messages to their chat and their updates in the inbox name no pitch:
    the erasure deletes them. Updates after the erasing one are still to be handled."""
    async with database.transaction() as session:
        ines, bram = await pitcher(session, 1001, "Ines"), await pitcher(session, 1002, "Bram")
        for chat in (1001, 1002):
            await outbox.tell(session, chat, NOW, {"blocks": ["the team's words"]})
        await outbox.owe(session, 1001, NOW, {"reference": "P-2026-0001"})
        batch = [{"update_id": update_id, "message": {}} for update_id in (10, 11, 12, 13)]
        keys = {10: 1001, 11: 1002, 12: 1001, 13: 1001}
        await updates.receive(session, batch, [], NOW, keys)
        ines_id, bram_id = ines.id, bram.id

    async with database.transaction() as session:
        assert await erase_pitcher(session, ines_id, reason="request", now=NOW, up_to_update=12)

    async with database.sessions() as session:
        waiting = (await session.execute(select(OutboxMessage.chat_id))).scalars()
        inbox = (await session.execute(select(InboxUpdate.update_id))).scalars()
        assert (sorted(waiting), sorted(inbox)) == ([1002], [11, 13])
    async with database.transaction() as session:
        assert await erase_pitcher(session, bram_id, reason="team", now=NOW)
        inbox = (await session.execute(select(InboxUpdate.update_id))).scalars()
        assert list(inbox) == [13], "without an erasing update, all of the chat's go"
