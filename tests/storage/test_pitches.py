"""Staff find their way through the pile: pages of new pitches, search, lookups, figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from storage.database import Database
from storage.models import Event
from storage.pitches import Page, find, page_of_status, search, stats, view
from storage.workflow import set_status
from tests.storage.staff_helpers import NOW, OLGA, draft, pitcher, sent

HOUR = timedelta(hours=1)


def _ids(page: Page) -> list[int]:
    return [pitch.id for pitch in page.pitches]


async def _pile_of_new(database: Database) -> list[int]:
    """25 new pitches, oldest first, some sent in the same second; others in between."""
    new: list[int] = []
    async with database.sessions() as session:
        owner = await pitcher(session)
        for n in range(25):
            at = NOW + (n // 3) * HOUR  # threes share a timestamp: the id breaks the tie
            new.append((await sent(session, owner, at)).id)
            if n % 4 == 0:
                await sent(session, owner, at, status="in_review")
        await draft(session, owner)
        await session.commit()
    return new


async def test_staff_page_through_new_pitches_forward_and_back(database: Database) -> None:
    new = await _pile_of_new(database)

    async with database.sessions() as session:
        first = await page_of_status(session, "new")
        second = await page_of_status(session, "new", after_id=first.pitches[-1].id)
        third = await page_of_status(session, "new", after_id=second.pitches[-1].id)
        back_to_second = await page_of_status(session, "new", before_id=third.pitches[0].id)
        back_to_first = await page_of_status(session, "new", before_id=second.pitches[0].id)

    assert _ids(first) + _ids(second) + _ids(third) == new
    assert (first.has_previous, first.has_next) == (False, True)
    assert (second.has_previous, second.has_next) == (True, True)
    assert (third.has_previous, third.has_next, len(third.pitches)) == (True, False, 5)
    assert back_to_second == second and back_to_first == first
    # Answers and pitcher came along: usable after the session closed.
    assert first.pitches[0].answers[0] == ("idea", "an idea")
    assert first.pitches[0].pitcher.first_name == "Ines"


async def test_going_back_near_the_start_shows_the_whole_first_page(database: Database) -> None:
    new = await _pile_of_new(database)
    async with database.sessions() as session:
        # Two of the first page were handled meanwhile: fewer than ten lie before #12.
        for pitch_id in new[:2]:
            pitch = await view(session, pitch_id)
            assert pitch is not None
            await set_status(session, pitch.id, "in_review", actor_id=OLGA, now=NOW)
        await session.commit()

        back = await page_of_status(session, "new", before_id=new[11])
        gone = await page_of_status(session, "new", after_id=424242)
        past_the_end = await page_of_status(session, "new", after_id=new[-1])

    assert _ids(back) == new[2:12] and (back.has_previous, back.has_next) == (False, True)
    assert _ids(gone) == new[2:12] and not gone.has_previous
    assert past_the_end == Page([], has_previous=True, has_next=False)


async def test_an_empty_status_is_one_empty_page(database: Database) -> None:
    async with database.sessions() as session:
        assert await page_of_status(session, "supported") == Page([], False, False)
        with pytest.raises(ValueError, match="draft"):
            await page_of_status(session, "draft")
        with pytest.raises(ValueError, match="unknown"):
            await page_of_status(session, "lost")


async def test_search_finds_every_word_across_answers_ignoring_case(database: Database) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        cafe = await sent(
            session, owner, NOW, {"idea": "A Repair Café on wheels", "who": "Neighbours in GHENT"}
        )
        shop = await sent(session, owner, NOW + HOUR, {"idea": "repair shop", "who": "students"})
        await draft(session, owner, {"idea": "repair everything in Ghent"})
        await session.commit()

        both = await search(session, statuses=None, words=["REPAIR", "ghent"])
        repair = await search(session, statuses=None, words=["repair"])
        nothing = await search(session, statuses=None, words=["repair", "antwerp"])
        await set_status(session, cafe.id, "in_review", actor_id=OLGA, now=NOW)
        only_new = await search(session, statuses=["new"], words=["Repair"])
        one_of_two = await search(session, statuses=None, words=["repair"], limit=1)

    assert ([p.id for p in both[0]], both[1]) == ([cafe.id], False)
    assert [p.id for p in repair[0]] == [shop.id, cafe.id]  # newest first
    assert nothing == ([], False)
    assert [p.id for p in only_new[0]] == [shop.id]
    assert ([p.id for p in one_of_two[0]], one_of_two[1]) == ([shop.id], True)
    assert both[0][0].pitcher.first_name == "Ines"


async def test_percent_and_underscore_in_a_search_are_plain_characters(
    database: Database,
) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        organic = await sent(session, owner, NOW, {"idea": "100% organic_food"})
        await sent(session, owner, NOW, {"idea": "100 organic food, 50 percent"})
        await session.commit()

        for word in ("%", "_", "100%", "C_F", "organic_"):
            found, more = await search(session, statuses=None, words=[word])
            assert [p.id for p in found] == [organic.id], word
            assert not more


async def test_a_reference_is_found_whatever_its_case(database: Database) -> None:
    async with database.sessions() as session:
        pitch = await sent(session, await pitcher(session), NOW, {"idea": "Buurtmoestuin"})
        await session.commit()

    async with database.sessions() as session:
        found = await find(session, " p-2026-0001 ")
        assert await find(session, "P-2026-0002") is None
        assert await view(session, 424242) is None

    assert found is not None and found.id == pitch.id
    assert found.answer("idea") == "Buurtmoestuin" and found.pitcher.first_name == "Ines"


async def test_stats_count_each_status_the_week_and_the_median_first_reply(
    database: Database,
) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        fresh = await sent(session, owner, NOW - timedelta(days=1))
        await sent(session, owner, NOW - timedelta(days=8))  # before the week
        week_old = await sent(session, owner, NOW - timedelta(days=6, hours=23), status="in_review")
        archived = await sent(session, owner, NOW - timedelta(days=10), status="archived")
        await draft(session, owner)
        for pitch, first_reply in ((fresh, 1 * HOUR), (week_old, 10 * HOUR), (archived, 3 * HOUR)):
            assert pitch.submitted_at is not None
            reply_at = pitch.submitted_at + first_reply
            session.add(Event(pitch_id=pitch.id, at=reply_at, kind="message_out", payload={}))
            later = reply_at + 48 * HOUR  # only the first reply counts
            session.add(Event(pitch_id=pitch.id, at=later, kind="message_out", payload={}))
        at = NOW - 20 * HOUR  # the pitcher writing first is no reply
        session.add(Event(pitch_id=fresh.id, at=at, kind="message_in", payload={}))
        await session.commit()

        figures = await stats(session, now=NOW)

    assert figures.per_status == {
        "new": 2,
        "in_review": 1,
        "in_conversation": 0,
        "supported": 0,
        "referred": 0,
        "not_pursued": 0,
        "archived": 1,
    }
    assert figures.new_this_week == 2
    assert figures.median_first_reply == 3 * HOUR


async def test_stats_of_an_empty_desk(database: Database) -> None:
    async with database.sessions() as session:
        figures = await stats(session, now=NOW)
    assert set(figures.per_status.values()) == {0} and len(figures.per_status) == 7
    assert (figures.new_this_week, figures.median_first_reply) == (0, None)


async def test_search_ignores_the_case_of_accented_letters_too(database: Database) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        cafe = await sent(session, owner, NOW, {"idea": "Een repaircafé in Élisabethville"})
        await session.commit()

        found, _ = await search(session, statuses=None, words=["REPAIRCAFÉ", "élisabethville"])

    assert [p.id for p in found] == [cafe.id]


async def test_on_postgresql_a_word_search_can_use_the_trigram_index(database: Database) -> None:
    """With a million pitches only the index keeps search fast: the query must match it."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL index (SQLite reads the answers)")
    executed: list[str] = []

    def record(*args: Any) -> None:
        executed.append(args[2])

    async with database.sessions() as session:
        event.listen(database.engine.sync_engine, "before_cursor_execute", record)
        try:
            await search(session, statuses=["new"], words=["repair"])
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    async with database.engine.connect() as connection:
        index = await connection.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_answers_value_trgm'"
        )
        await connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table otherwise
        plan = await connection.exec_driver_sql(
            "EXPLAIN SELECT id FROM answers WHERE lower(value) LIKE '%' || $1 || '%' ESCAPE '/'",
            ("repair",),
        )
        steps = "\n".join(row[0] for row in plan)

    assert "lower(answers.value) LIKE" in executed[0]  # the indexed expression, as is
    assert "gin (lower(value) gin_trgm_ops)" in index.scalar_one()
    assert "ix_answers_value_trgm" in steps
