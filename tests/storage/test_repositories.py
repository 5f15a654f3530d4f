"""Scenarios of a pitcher's life, from consent to submitted pitch, against a real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.models import Answer, Event, Pitch, Pitcher, PitchStatus, ReferenceCounter
from storage.repositories import (
    add_draft,
    add_pitcher,
    claim_update,
    delete_answer,
    delete_pitch,
    get_pitcher,
    get_pitcher_and_draft,
    mark_group_notified,
    pitches_of,
    set_answer,
    submit_pitch,
)

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


async def _pitcher(session: AsyncSession, user_id: int = 1001) -> Pitcher:
    return await add_pitcher(
        session,
        telegram_user_id=user_id,
        chat_id=user_id,
        username="ines",
        first_name="Ines",
        language="nl",
        consent_version="2026-01",
        now=NOW,
    )


async def _draft(session: AsyncSession, pitcher: Pitcher, now: datetime = NOW) -> Pitch:
    return await add_draft(
        session, pitcher_id=pitcher.id, flow_version=1, step="idea", language="nl", now=now
    )


async def _count(session: AsyncSession, model: type[Answer] | type[Event]) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_pitcher_with_consent_is_stored_and_found_again(database: Database) -> None:
    async with database.sessions() as session:
        await _pitcher(session)
        await session.commit()

    async with database.sessions() as session:
        pitcher = await get_pitcher(session, 1001)
        assert await get_pitcher(session, 2002) is None

    assert pitcher is not None
    assert (pitcher.chat_id, pitcher.language, pitcher.consent_version) == (1001, "nl", "2026-01")
    assert pitcher.consent_at == NOW
    assert pitcher.last_update_id is None


async def test_a_redelivered_update_is_refused_once_claimed(database: Database) -> None:
    async with database.sessions() as session:
        pitcher = await _pitcher(session)
        assert claim_update(pitcher, 500)
        await session.commit()

    async with database.sessions() as session:
        pitcher_again = await get_pitcher(session, 1001)
        assert pitcher_again is not None
        assert not claim_update(pitcher_again, 500)
        assert not claim_update(pitcher_again, 499)
        assert claim_update(pitcher_again, 501)
        assert pitcher_again.last_update_id == 501


async def test_a_draft_keeps_its_answers_across_sessions(database: Database) -> None:
    async with database.sessions() as session:
        pitcher = await _pitcher(session)
        draft = await _draft(session, pitcher)
        await set_answer(session, draft, "idea", "A repair café on wheels", 11, NOW)
        await set_answer(session, draft, "who", "Neighbours in Ghent", 12, NOW)
        draft.step = "why"
        await session.commit()

    async with database.sessions() as session:
        found, again = await get_pitcher_and_draft(session, 1001)

    assert found is not None and found.id == pitcher.id
    assert again is not None and again.id == draft.id
    assert again.step == "why" and again.phase == "asking" and not again.nudged
    assert {a.question_key: a.value for a in again.answers} == {
        "idea": "A repair café on wheels",
        "who": "Neighbours in Ghent",
    }


async def test_a_pitcher_without_a_draft_is_found_without_one(database: Database) -> None:
    async with database.sessions() as session:
        pitcher = await _pitcher(session)
        await submit_pitch(session, await _draft(session, pitcher), NOW)
        await session.commit()

    async with database.sessions() as session:
        found, draft = await get_pitcher_and_draft(session, 1001)
        assert await get_pitcher_and_draft(session, 2002) == (None, None)

    assert found is not None and found.id == pitcher.id and draft is None


async def test_an_answer_updated_twice_keeps_one_row(database: Database) -> None:
    later = NOW + timedelta(minutes=5)
    async with database.sessions() as session:
        draft = await _draft(session, await _pitcher(session))
        await set_answer(session, draft, "idea", "first", 11, NOW)
        await session.commit()
        await set_answer(session, draft, "idea", "second", 11, NOW)
        await set_answer(session, draft, "idea", "third, edited", 14, later)
        await session.commit()

    async with database.sessions() as session:
        answers = (await session.execute(select(Answer))).scalars().all()
    assert [(a.value, a.message_id, a.updated_at) for a in answers] == [
        ("third, edited", 14, later)
    ]


async def test_a_deleted_answer_is_forgotten(database: Database) -> None:
    async with database.sessions() as session:
        pitcher = await _pitcher(session)
        draft = await _draft(session, pitcher)
        await set_answer(session, draft, "idea", "x", None, NOW)
        await set_answer(session, draft, "who", "y", None, NOW)
        await session.commit()
        await delete_answer(session, draft, "idea")
        await delete_answer(session, draft, "never-answered")
        await session.commit()

    async with database.sessions() as session:
        _, again = await get_pitcher_and_draft(session, 1001)
        assert again is not None
        assert [a.question_key for a in again.answers] == ["who"]
        assert await _count(session, Answer) == 1


async def test_references_count_up_and_restart_each_year(database: Database) -> None:
    next_year = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC)
    references = []
    async with database.sessions() as session:
        pitcher = await _pitcher(session)
        for now in (NOW, NOW, next_year, NOW):
            draft = await _draft(session, pitcher, now)
            references.append(await submit_pitch(session, draft, now))
            await session.commit()

    assert references == ["P-2026-0001", "P-2026-0002", "P-2027-0001", "P-2026-0003"]


async def test_references_keep_growing_past_four_digits(database: Database) -> None:
    async with database.sessions() as session:
        session.add(ReferenceCounter(year=2026, last_number=9999))
        draft = await _draft(session, await _pitcher(session))
        assert await submit_pitch(session, draft, NOW) == "P-2026-10000"


async def test_submitting_makes_a_new_pitch_and_records_the_change(database: Database) -> None:
    submitted = NOW + timedelta(hours=1)
    async with database.sessions() as session:
        draft = await _draft(session, await _pitcher(session))
        await submit_pitch(session, draft, submitted)
        await session.commit()

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
    async with database.sessions() as session:
        draft = await _draft(session, await _pitcher(session))
        await submit_pitch(session, draft, NOW)
        with pytest.raises(ValueError, match="not a draft"):
            await submit_pitch(session, draft, NOW)
        assert draft.reference == "P-2026-0001"


async def test_concurrent_submissions_get_different_references(database: Database) -> None:
    async with database.sessions() as session:
        pitcher = await _pitcher(session)
        drafts = [(await _draft(session, pitcher)).id for _ in range(5)]
        await session.commit()

    async def submit(pitch_id: int) -> str:
        async with database.sessions() as session:
            pitch = await session.get(Pitch, pitch_id)
            assert pitch is not None
            reference = await submit_pitch(session, pitch, NOW)
            await session.commit()
            return reference

    # The first two race to create the year's counter; the rest queue on its row.
    first = await asyncio.gather(*(submit(pitch_id) for pitch_id in drafts[:2]))
    rest = await asyncio.gather(*(submit(pitch_id) for pitch_id in drafts[2:]))

    assert sorted(first) == ["P-2026-0001", "P-2026-0002"]
    assert sorted(rest) == ["P-2026-0003", "P-2026-0004", "P-2026-0005"]


async def test_deleting_a_draft_removes_its_answers_and_events(database: Database) -> None:
    async with database.sessions() as session:
        pitcher = await _pitcher(session)
        kept = await _draft(session, pitcher)
        await set_answer(session, kept, "idea", "kept", None, NOW)
        doomed = await _draft(session, pitcher)
        await set_answer(session, doomed, "idea", "doomed", None, NOW)
        session.add(Event(pitch_id=doomed.id, at=NOW, kind="note", payload={"text": "hi"}))
        await session.commit()

        await delete_pitch(session, doomed)
        await session.commit()

    async with database.sessions() as session:
        assert [p.id for p in await pitches_of(session, pitcher.id)] == [kept.id]
        assert (await session.execute(select(Answer.value))).scalars().all() == ["kept"]
        assert await _count(session, Event) == 0


async def test_pitches_of_lists_newest_first_drafts_included(database: Database) -> None:
    async with database.sessions() as session:
        pitcher = await _pitcher(session)
        other = await _pitcher(session, user_id=2002)
        oldest = await _draft(session, pitcher, NOW - timedelta(days=2))
        await submit_pitch(session, oldest, NOW - timedelta(days=1))
        newest = await _draft(session, pitcher, NOW)
        await _draft(session, other, NOW)
        await session.commit()

    async with database.sessions() as session:
        pitches = await pitches_of(session, pitcher.id)
        _, draft = await get_pitcher_and_draft(session, 1001)

    assert [(p.id, p.status) for p in pitches] == [(newest.id, "draft"), (oldest.id, "new")]
    assert draft is not None and draft.id == newest.id
    assert all(p.answers == [] for p in pitches)


async def test_a_group_is_told_about_private_chats_only_once(database: Database) -> None:
    async with database.sessions() as session:
        assert await mark_group_notified(session, -100123, NOW)
        assert not await mark_group_notified(session, -100123, NOW)
        await session.commit()

    async with database.sessions() as session:
        assert not await mark_group_notified(session, -100123, NOW)
        assert await mark_group_notified(session, -100456, NOW)


async def test_a_rolled_back_group_notice_is_forgotten(database: Database) -> None:
    async with database.sessions() as session:
        assert await mark_group_notified(session, -100123, NOW)
        await session.rollback()

    async with database.sessions() as session:
        assert await mark_group_notified(session, -100123, NOW)
