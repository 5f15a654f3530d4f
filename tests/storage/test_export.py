"""Reading pitches out for an export: the right ones, in batches, one query each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from storage.database import Database
from storage.events import add_note
from storage.export import ExportFilter, ExportRow, day_start, export_batches
from storage.members import remember_staff
from storage.workflow import assign
from tests.storage.staff_helpers import NOW, OLGA, PIETER, draft, pitcher, sent

KEYS = ("idea", "name")
"""The answers the tests ask for, in this order."""


async def _rows(database: Database, wanted: ExportFilter, batch_size: int = 500) -> list[ExportRow]:
    return [
        row
        async for batch in export_batches(database, wanted, KEYS, batch_size=batch_size)
        for row in batch
    ]


async def _references(database: Database, wanted: ExportFilter) -> list[str | None]:
    return [row.reference for row in await _rows(database, wanted)]


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@contextmanager
def _counting(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)


async def test_a_row_carries_the_pitch_its_pitcher_notes_and_the_assignee_by_name(
    database: Database,
) -> None:
    async with database.sessions() as session:
        ines = await pitcher(session, 1001, "Ines")
        pitch = await sent(session, ines, NOW, {"idea": "Soep", "name": "Ines V."})
        await remember_staff(
            session, telegram_user_id=OLGA, username="olga_b", first_name="Olga", now=NOW
        )
        await assign(session, pitch.id, OLGA, actor_id=OLGA, now=NOW)
        await add_note(session, pitch.id, "call her", actor_id=OLGA, now=NOW)
        await add_note(session, pitch.id, "called", actor_id=OLGA, now=NOW + timedelta(hours=1))
        await session.commit()

    (row,) = await _rows(database, ExportFilter())

    assert row.reference == "P-2026-0001"
    assert (row.status, row.language, row.submitted_at) == ("new", "nl", NOW)
    assert row.status_changed_at == NOW
    assert (row.assignee_id, row.assignee_name, row.notes) == (OLGA, "Olga", 2)
    assert row.answers == ("Soep", "Ines V.")
    assert (row.first_name, row.username, row.telegram_user_id) == ("Ines", "ines", 1001)


async def test_an_assignee_never_seen_by_the_bot_keeps_only_the_id(database: Database) -> None:
    async with database.sessions() as session:
        pitch = await sent(session, await pitcher(session), NOW)
        await assign(session, pitch.id, PIETER, actor_id=OLGA, now=NOW)
        await session.commit()

    (row,) = await _rows(database, ExportFilter())

    assert (row.assignee_id, row.assignee_name, row.notes) == (PIETER, None, 0)


async def test_statuses_pick_only_those_and_no_status_means_every_sent_pitch(
    database: Database,
) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        for status in ("new", "in_review", "supported", "archived"):
            await sent(session, owner, NOW, status=status)
        await session.commit()

    assert await _references(database, ExportFilter(("in_review", "archived"))) == [
        "P-2026-0002",
        "P-2026-0004",
    ]
    assert len(await _rows(database, ExportFilter())) == 4


async def test_drafts_stay_out_unless_asked_and_then_count_from_the_day_they_were_started(
    database: Database,
) -> None:
    async with database.sessions() as session:
        owner = await pitcher(session)
        await sent(session, owner, NOW + timedelta(days=30))  # sent in April
        unsent = await draft(session, owner, {"idea": "half an idea"})  # started 14 March
        await session.commit()

    assert await _references(database, ExportFilter()) == ["P-2026-0001"]
    with_drafts = await _rows(database, ExportFilter(include_drafts=True))
    assert [(row.status, row.id == unsent.id) for row in with_drafts] == [
        ("new", False),
        ("draft", True),
    ]
    march = ExportFilter(since=date(2026, 3, 1), until=date(2026, 3, 31), include_drafts=True)
    (only_draft,) = await _rows(database, march)
    assert (only_draft.status, only_draft.reference, only_draft.submitted_at) == (
        "draft",
        None,
        None,
    )
    assert only_draft.answers == ("half an idea", None)


@pytest.mark.parametrize(
    ("sent_at", "day"),
    [
        (_utc(2026, 3, 14, 22, 59, 59), date(2026, 3, 14)),  # 23:59:59 in Brussels (CET)
        (_utc(2026, 3, 14, 23, 0, 0), date(2026, 3, 15)),  # midnight in Brussels
        (_utc(2026, 7, 1, 21, 59, 59), date(2026, 7, 1)),  # 23:59:59 in summer (CEST)
        (_utc(2026, 7, 1, 22, 0, 0), date(2026, 7, 2)),
    ],
)
async def test_since_and_until_are_whole_brussels_days_both_included(
    database: Database, sent_at: datetime, day: date
) -> None:
    async with database.sessions() as session:
        await sent(session, await pitcher(session), sent_at)
        await session.commit()

    assert len(await _rows(database, ExportFilter(since=day, until=day))) == 1
    assert await _rows(database, ExportFilter(until=day - timedelta(days=1))) == []
    assert await _rows(database, ExportFilter(since=day + timedelta(days=1))) == []
    assert len(await _rows(database, ExportFilter(since=day))) == 1
    assert len(await _rows(database, ExportFilter(until=day))) == 1


def test_a_brussels_day_starts_at_local_midnight() -> None:
    assert day_start(date(2026, 1, 10)) == _utc(2026, 1, 9, 23)
    assert day_start(date(2026, 8, 10)) == _utc(2026, 8, 9, 22)


async def test_batches_are_fixed_size_in_id_order_and_each_is_one_query(
    database: Database,
) -> None:
    async with database.sessions() as session:
        for number in range(7):
            owner = await pitcher(session, 2000 + number, f"P{number}")
            pitch = await sent(session, owner, NOW + timedelta(minutes=number))
            await assign(session, pitch.id, OLGA + number % 2, actor_id=OLGA, now=NOW)
            await add_note(session, pitch.id, "n", actor_id=OLGA, now=NOW)
        await session.commit()

    with _counting(database) as statements:
        batches = [
            batch async for batch in export_batches(database, ExportFilter(), KEYS, batch_size=3)
        ]

    assert [len(batch) for batch in batches] == [3, 3, 1]
    ids = [row.id for batch in batches for row in batch]
    assert ids == sorted(ids) and len(set(ids)) == 7
    assert all(row.notes == 1 for batch in batches for row in batch)
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) == len(batches)  # answers, notes and staff names included


@pytest.mark.parametrize(
    "wanted",
    [
        ExportFilter(),
        ExportFilter(("new",)),
        ExportFilter(since=date(2026, 3, 1), until=date(2026, 3, 31), include_drafts=True),
    ],
)
async def test_sqlite_walks_the_primary_key_instead_of_sorting_each_batch(
    database: Database, wanted: ExportFilter
) -> None:
    """Without statistics SQLite would pick the status index and sort every batch."""
    if database.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite query plan")
    executed: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        executed.append((args[2], args[3]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        async for _ in export_batches(database, wanted, KEYS):
            pass
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)
    (statement, parameters), *_ = executed
    async with database.engine.connect() as connection:
        plan = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        steps = [row[3] for row in plan]

    assert "SEARCH pitches USING INTEGER PRIMARY KEY (rowid>?)" in steps
    assert not any("TEMP B-TREE" in step for step in steps)


async def test_an_export_with_nothing_to_export_yields_no_batch(database: Database) -> None:
    assert [batch async for batch in export_batches(database, ExportFilter(), KEYS)] == []


def test_a_filter_refuses_unknown_statuses_and_until_before_since() -> None:
    with pytest.raises(ValueError, match="unknown pitch status 'nieuw'"):
        ExportFilter(("nieuw",))
    with pytest.raises(ValueError, match="before since"):
        ExportFilter(since=date(2026, 3, 2), until=date(2026, 3, 1))
