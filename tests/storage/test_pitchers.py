"""Scenarios of a pitcher's life, from consent to submitted pitch, against a real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.drafts import (
    DraftPlace,
    add_draft,
    delete_answers,
    delete_draft,
    place_draft,
    set_answer,
    submit,
    summaries,
)
from storage.models import Answer, Event, Pitch, Pitcher, PitchStatus, ReferenceCounter
from storage.pitchers import (
    PitcherRecord,
    add_pitcher,
    claim,
    is_repeat,
    load,
    mark_group_notified,
    update_pitcher,
)

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


async def _pitcher(session: AsyncSession, user_id: int = 1001) -> PitcherRecord:
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


async def _draft(session: AsyncSession, pitcher: PitcherRecord, now: datetime = NOW) -> int:
    return await add_draft(
        session, pitcher_id=pitcher.id, flow_version=1, step="idea", language="nl", now=now
    )


async def _count(session: AsyncSession, model: type[Answer] | type[Event]) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_pitcher_with_consent_is_stored_and_found_again(database: Database) -> None:
    async with database.transaction() as session:
        await _pitcher(session)

    async with database.sessions() as session:
        found, draft = await load(session, 1001)
        assert await load(session, 2002) == (None, None)
        row = await session.get(Pitcher, found.id if found else 0)

    assert found is not None and draft is None
    assert (found.chat_id, found.language, found.last_update_id) == (1001, "nl", None)
    assert row is not None and (row.consent_at, row.consent_version) == (NOW, "2026-01")


async def test_a_redelivered_update_is_refused_once_claimed(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await _pitcher(session)
        assert await claim(session, pitcher.id, 500)

    async with database.transaction() as session:
        again, _ = await load(session, 1001)
        assert again is not None and again.last_update_id == 500
        assert is_repeat(again, None, 500) and is_repeat(again, None, 499)
        assert not is_repeat(again, None, 501)
        assert not await claim(session, pitcher.id, 500)
        assert not await claim(session, pitcher.id, 499)
        assert await claim(session, pitcher.id, 501)


async def test_only_the_changed_columns_of_a_pitcher_are_written(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await _pitcher(session)
        await update_pitcher(session, pitcher, language="fr", first_name="Inès", last_update_id=9)

    async with database.sessions() as session:
        again, _ = await load(session, 1001)
    assert again is not None
    assert (again.language, again.first_name, again.username, again.last_update_id) == (
        "fr",
        "Inès",
        "ines",
        9,
    )


async def test_a_draft_keeps_its_answers_and_place_across_sessions(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await _pitcher(session)
        draft = await _draft(session, pitcher)
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


async def test_a_pitcher_without_a_draft_is_found_without_one(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await _pitcher(session)
        await submit(session, await _draft(session, pitcher), NOW)

    async with database.sessions() as session:
        found, draft = await load(session, 1001)

    assert found is not None and found.id == pitcher.id and draft is None


async def test_an_answer_updated_twice_keeps_one_row(database: Database) -> None:
    later = NOW + timedelta(minutes=5)
    async with database.transaction() as session:
        draft = await _draft(session, await _pitcher(session))
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
        draft = await _draft(session, await _pitcher(session))
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
        pitcher = await _pitcher(session)
    for now in (NOW, NOW, next_year, NOW):
        async with database.transaction() as session:
            draft = await _draft(session, pitcher, now)
            references.append(await submit(session, draft, now))

    assert references == ["P-2026-0001", "P-2026-0002", "P-2027-0001", "P-2026-0003"]


async def test_references_keep_growing_past_four_digits(database: Database) -> None:
    async with database.transaction() as session:
        session.add(ReferenceCounter(year=2026, last_number=9999))
        draft = await _draft(session, await _pitcher(session))
        assert await submit(session, draft, NOW) == "P-2026-10000"


async def test_submitting_makes_a_new_pitch_and_records_the_change(database: Database) -> None:
    submitted = NOW + timedelta(hours=1)
    async with database.transaction() as session:
        draft = await _draft(session, await _pitcher(session))
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
        draft = await _draft(session, await _pitcher(session))
        await submit(session, draft, NOW)
        with pytest.raises(ValueError, match="not a draft"):
            await submit(session, draft, NOW)

    async with database.sessions() as session:
        assert (await session.execute(select(Pitch.reference))).scalars().all() == ["P-2026-0001"]


async def test_concurrent_submissions_get_different_references(database: Database) -> None:
    async with database.transaction() as session:
        pitcher = await _pitcher(session)
        drafts = [await _draft(session, pitcher) for _ in range(5)]

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
        pitcher = await _pitcher(session)
        kept = await _draft(session, pitcher)
        await set_answer(session, kept, "idea", "kept", None, NOW)
        doomed = await _draft(session, pitcher)
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
        pitcher = await _pitcher(session)
        other = await _pitcher(session, user_id=2002)
        oldest = await _draft(session, pitcher, NOW - timedelta(days=2))
        await set_answer(session, oldest, "idea", "the first idea", None, NOW)
        await set_answer(session, oldest, "who", "not the headline", None, NOW)
        await submit(session, oldest, NOW - timedelta(days=1))
        newest = await _draft(session, pitcher, NOW)
        await _draft(session, other, NOW)

    async with database.sessions() as session:
        listed = await summaries(session, pitcher.id, "idea")
        _, draft = await load(session, 1001)

    assert [(p.reference, p.status, p.headline) for p in listed] == [
        (None, "draft", ""),
        ("P-2026-0001", "new", "the first idea"),
    ]
    assert draft is not None and draft.id == newest


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
