"""A draft's life in storage: answers, its place, sending it, deleting it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.drafts import (
    DraftPlace,
    delete_answers,
    delete_draft,
    place_draft,
    set_answer,
    submit,
    summaries,
)
from storage.models import Answer, Event, Pitch, PitchStatus, ReferenceCounter
from storage.pitchers import (
    is_repeat,
    load,
)
from tests.storage.staff_helpers import NOW, consented, open_draft


async def _count(session: AsyncSession, model: type[Answer] | type[Event]) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_draft_keeps_its_answers_and_place_across_sessions(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await consented(session)
        draft = await open_draft(session, pitcher)
        await set_answer(session, draft, "idea", "A repair café on wheels", 11, NOW)
        await set_answer(session, draft, "who", "Neighbours in Ghent", 12, NOW)
        place = DraftPlace("why", "review", True, False, False, "en", 700)
        await place_draft(session, draft, place, NOW)

    async with database.sessions() as session:
        found, again = await load(session, 1001)

    assert found is not None and found.id == pitcher.id
    assert again is not None and again.id == draft
    assert (again.step, again.phase, again.nudged, again.language) == ("why", "review", True, "en")
    assert again.last_update_id == 700 and is_repeat(found, again, 700), "claimed on the draft"
    assert not is_repeat(found, again, 701)
    assert [(a.key, a.value, a.message_id) for a in again.answers] == [
        ("idea", "A repair café on wheels", 11),
        ("who", "Neighbours in Ghent", 12),
    ]


async def test_an_answer_updated_twice_keeps_one_row(database: Database) -> None:
    later = NOW + timedelta(minutes=5)
    async with database.transaction() as session:
        draft = await open_draft(session, await consented(session))
        await set_answer(session, draft, "idea", "first", 11, NOW)
    async with database.transaction() as session:
        await set_answer(session, draft, "idea", "second", 11, NOW)
        await set_answer(session, draft, "idea", "third, edited", 14, later)

    async with database.sessions() as session:
        answers = (await session.execute(select(Answer))).scalars().all()
    assert [(a.value, a.message_id, a.updated_at) for a in answers] == [
        ("third, edited", 14, later)
    ]


async def test_a_deleted_answer_is_forgotten(database: Database) -> None:
    async with database.transaction() as session:
        draft = await open_draft(session, await consented(session))
        await set_answer(session, draft, "idea", "x", None, NOW)
        await set_answer(session, draft, "who", "y", None, NOW)
    async with database.transaction() as session:
        await delete_answers(session, draft, ["idea", "never-answered"])

    async with database.sessions() as session:
        _, again = await load(session, 1001)
        assert again is not None
        assert [a.key for a in again.answers] == ["who"]
        assert await _count(session, Answer) == 1


async def test_references_count_up_and_restart_each_year(database: Database) -> None:
    next_year = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC)
    references = []
    async with database.transaction() as session:
        pitcher = await consented(session)
    for now in (NOW, NOW, next_year, NOW):
        async with database.transaction() as session:
            draft = await open_draft(session, pitcher, now)
            references.append(await submit(session, draft, now))

    assert references == ["P-2026-0001", "P-2026-0002", "P-2027-0001", "P-2026-0003"]


async def test_references_keep_growing_past_four_digits(database: Database) -> None:
    async with database.transaction() as session:
        session.add(ReferenceCounter(year=2026, last_number=9999))
        draft = await open_draft(session, await consented(session))
        assert await submit(session, draft, NOW) == "P-2026-10000"


async def test_submitting_makes_a_new_pitch_and_records_the_change(database: Database) -> None:
    submitted = NOW + timedelta(hours=1)
    async with database.transaction() as session:
        draft = await open_draft(session, await consented(session))
        await submit(session, draft, submitted)

    async with database.sessions() as session:
        pitch = (await session.execute(select(Pitch))).scalar_one()
        event = (await session.execute(select(Event))).scalar_one()
    assert (pitch.reference, pitch.status, pitch.step) == ("P-2026-0001", PitchStatus.NEW, None)
    assert pitch.submitted_at == pitch.status_changed_at == pitch.updated_at == submitted
    assert (event.pitch_id, event.kind, event.at, event.actor_id) == (
        pitch.id,
        "status",
        submitted,
        None,
    )
    assert event.payload == {"from": "draft", "to": "new"}


async def test_a_pitch_cannot_be_submitted_twice(database: Database) -> None:
    async with database.transaction() as session:
        draft = await open_draft(session, await consented(session))
        await submit(session, draft, NOW)
        with pytest.raises(ValueError, match="not a draft"):
            await submit(session, draft, NOW)

    async with database.sessions() as session:
        assert (await session.execute(select(Pitch.reference))).scalars().all() == ["P-2026-0001"]


async def test_concurrent_submissions_get_different_references(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await consented(session)
        drafts = [await open_draft(session, pitcher) for _ in range(5)]

    async def sending(pitch_id: int) -> str:
        async with database.sessions() as session:
            reference = await submit(session, pitch_id, NOW)
            await session.commit()
            return reference

    # The first two race to create the year's counter; the rest queue on its row.
    first = await asyncio.gather(*(sending(pitch_id) for pitch_id in drafts[:2]))
    rest = await asyncio.gather(*(sending(pitch_id) for pitch_id in drafts[2:]))

    assert sorted(first) == ["P-2026-0001", "P-2026-0002"]
    assert sorted(rest) == ["P-2026-0003", "P-2026-0004", "P-2026-0005"]


async def test_deleting_a_draft_removes_its_answers_and_events(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await consented(session)
        kept = await open_draft(session, pitcher)
        await set_answer(session, kept, "idea", "kept", None, NOW)
        doomed = await open_draft(session, pitcher)
        await set_answer(session, doomed, "idea", "doomed", None, NOW)
        session.add(Event(pitch_id=doomed, at=NOW, kind="note", payload={"text": "hi"}))
    async with database.transaction() as session:
        await delete_draft(session, doomed)

    async with database.sessions() as session:
        assert (await session.execute(select(Pitch.id))).scalars().all() == [kept]
        assert (await session.execute(select(Answer.value))).scalars().all() == ["kept"]
        assert await _count(session, Event) == 0


async def test_summaries_list_newest_first_drafts_included(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await consented(session)
        other = await consented(session, user_id=2002)
        oldest = await open_draft(session, pitcher, NOW - timedelta(days=2))
        await set_answer(session, oldest, "idea", "the first idea", None, NOW)
        await set_answer(session, oldest, "who", "not the headline", None, NOW)
        await submit(session, oldest, NOW - timedelta(days=1))
        newest = await open_draft(session, pitcher, NOW)
        await open_draft(session, other, NOW)

    async with database.sessions() as session:
        listed = await summaries(session, pitcher.id, "idea")
        _, draft = await load(session, 1001)

    assert [(p.reference, p.status, p.headline) for p in listed] == [
        (None, "draft", ""),
        ("P-2026-0001", "new", "the first idea"),
    ]
    assert draft is not None and draft.id == newest
