"""Reading pitches out for an export: fixed-size batches, keyset-paginated on pitch id.

An export may cover every pitch ever sent (100,000 long ones are about 100 MB of CSV),
so nothing here holds more than one batch, and the next batch starts after the last
pitch id seen. (SQLAlchemy's ``partitions()`` without a size, or a plain ``.all()`` of
everything, would buffer the whole result.)

A batch is one query returning one row per pitch: the pitch joined with its pitcher and
its assignee's staff record, plus correlated subqueries for the note count and for each
question's answer, each a seek on the (pitch_id, question_key) unique index. The database
does in C what would otherwise be fifteen answer rows per pitch turned into Python
objects and regrouped — the bulk of an export's cost (see bench/export.py).

Each batch runs in its own short transaction on its own pooled connection, so a long
export never pins a connection, nor SQLite's WAL checkpoint, while the bot serves other
users. The price: a pitch that changes during the export appears as it was when its
batch was read — fine for a report; none is skipped or repeated, as ids never change.

Dates are calendar days in Europe/Brussels, where the team works: ``since`` is the
first day included and ``until`` the last one, *whole day included* — "until
2026-11-30" takes everything up to 30 November 23:59:59 Brussels time. Sent pitches are
filtered on when they were sent; drafts, which were never sent, on when they were
started.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import QueryableAttribute

from storage.database import Database
from storage.models import (
    SENT_STATUSES,
    TEAM_ZONE,
    Answer,
    Event,
    Pitch,
    Pitcher,
    PitchStatus,
    StaffMember,
)
from storage.pitches import submitted_status

"""The time zone export dates are read in and timestamps are written in."""

BATCH_SIZE = 500
"""Pitches per batch: big enough to amortise a query's round trip, small enough that a
batch (about 1 KB of answers per pitch) stays under a few MB and a few tens of ms."""


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which pitches an export takes; the empty filter means "every sent pitch"."""

    statuses: tuple[str, ...] = ()
    """Sent statuses to keep; empty keeps them all. Drafts come only with include_drafts."""
    since: date | None = None
    """First day included (Europe/Brussels)."""
    until: date | None = None
    """Last day included, the whole day (Europe/Brussels)."""
    include_drafts: bool = False

    def __post_init__(self) -> None:
        for status in self.statuses:
            submitted_status(status)  # ValueError naming an unknown status
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValueError(f"until {self.until} is before since {self.since}")


class ExportRow(NamedTuple):
    """One pitch as an export shows it: raw values, formatting is the writer's job.

    A named tuple, not a frozen dataclass: an export builds one per pitch, and a tuple
    is built several times faster.
    """

    id: int
    reference: str | None
    status: str
    submitted_at: datetime | None
    language: str
    assignee_id: int | None
    assignee_name: str | None
    """The assigned staff member's first name (else username), when they are known."""
    status_changed_at: datetime | None
    notes: int
    first_name: str | None
    username: str | None
    telegram_user_id: int
    answers: tuple[str | None, ...]
    """The stored answers to the questions asked for, in that order; None if unanswered.
    As stored: a multi-choice answer is its option keys."""


def day_start(day: date) -> datetime:
    """The instant a Brussels calendar day begins (midnight local, tz-aware)."""
    return datetime.combine(day, time(), TEAM_ZONE)


def _in_days(column: QueryableAttribute[Any], wanted: ExportFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.since is not None:
        conditions.append(column >= day_start(wanted.since))
    if wanted.until is not None:
        # Half-open: before the next day starts, so the whole last day is in.
        conditions.append(column < day_start(wanted.until + timedelta(days=1)))
    return conditions


def _condition(wanted: ExportFilter) -> ColumnElement[bool]:
    """Which pitches, as a filter on a walk along the primary key.

    The status is compared as ``status || ''``, which no index can serve. Otherwise
    SQLite, without ANALYZE statistics (pitchbot never runs ANALYZE), prefers the
    (status, submitted_at, id) index and sorts all remaining matches by id for every
    batch: quadratic, 19 s instead of 3 s of reading for 100,000 pitches. Walking the
    primary key from the last id seen reads each pitch once, whatever the filter.
    """
    status = Pitch.status.concat("")
    statuses = wanted.statuses or SENT_STATUSES
    sent = and_(status.in_(statuses), *_in_days(Pitch.submitted_at, wanted))
    if not wanted.include_drafts:
        return sent
    drafts = and_(status == PitchStatus.DRAFT.value, *_in_days(Pitch.created_at, wanted))
    return or_(sent, drafts)


async def export_batches(
    database: Database,
    wanted: ExportFilter,
    questions: Sequence[str],
    *,
    batch_size: int = BATCH_SIZE,
) -> AsyncGenerator[list[ExportRow], None]:
    """The pitches ``wanted`` picks, in id order (the order they were started), in batches,
    each with its answers to ``questions`` (keys, in the order the caller wants them).

    Every batch but the last holds exactly ``batch_size`` pitches; an export without
    matches yields nothing.
    """
    if batch_size < 1:
        raise ValueError(f"batch size must be positive, not {batch_size}")
    query = _query(wanted, questions, batch_size)
    after = 0
    while True:
        async with database.engine.connect() as connection:
            rows = (await connection.execute(query, {"after": after})).all()
        if not rows:
            return
        yield [ExportRow._make((*row[:_FIXED], tuple(row[_FIXED:]))) for row in rows]
        if len(rows) < batch_size:
            return
        after = rows[-1][0]


def _query(wanted: ExportFilter, questions: Sequence[str], size: int) -> Select[Any]:
    notes = (
        select(func.count())
        .where(Event.pitch_id == Pitch.id, Event.kind == "note")
        .scalar_subquery()
    )
    answers = [
        select(Answer.value)
        .where(Answer.pitch_id == Pitch.id, Answer.question_key == key)
        .scalar_subquery()
        for key in questions
    ]
    return (
        select(
            Pitch.id,
            Pitch.reference,
            Pitch.status,
            Pitch.submitted_at,
            Pitch.language,
            Pitch.assignee_id,
            func.coalesce(StaffMember.first_name, StaffMember.username),
            Pitch.status_changed_at,
            notes,
            Pitcher.first_name,
            Pitcher.username,
            Pitcher.telegram_user_id,
            *answers,
        )
        .join(Pitcher, Pitcher.id == Pitch.pitcher_id)
        .outerjoin(StaffMember, StaffMember.telegram_user_id == Pitch.assignee_id)
        .where(_condition(wanted), Pitch.id > bindparam("after"))
        .order_by(Pitch.id)
        .limit(size)
    )


_FIXED = len(ExportRow._fields) - 1
"""Columns of a batch row before the answers start."""
