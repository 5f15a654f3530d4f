"""Sent pitches as the team finds them: by reference, page by page, by search; and figures.

What changes a pitch (status, who has it, erasure) is in :mod:`storage.workflow`, its
thread in :mod:`storage.events`. Everything here hands out frozen :class:`PitchView`
records, never ORM rows. Queries stay index-backed with a million pitches: pages are
keyed on (submitted_at, id) instead of OFFSET, and "is there more" comes from one extra
row or an EXISTS, never a COUNT. Functions take the caller's session and never commit.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, case, exists, func, select, tuple_

from storage import erased
from storage.database import Session
from storage.models import (
    CLOSED_STATUSES,
    SENT_STATUSES,
    Answer,
    Event,
    Pitch,
    Pitcher,
    PitchStatus,
)
from storage.pitchers import PITCHER_COLUMNS, PitcherRecord

PITCHES = cast(Table, Pitch.__table__)
PITCHERS = cast(Table, Pitcher.__table__)
ANSWERS = cast(Table, Answer.__table__)
_D, _P, _A, _E = PITCHES.c, PITCHERS.c, ANSWERS.c, cast(Table, Event.__table__).c
_PAGE_KEY = tuple_(_D.submitted_at, _D.id)


@dataclass(frozen=True)
class PitchView:
    """A sent pitch as the team sees it, with its answers in the order they were given."""

    id: int
    reference: str
    status: str
    language: str
    assignee_id: int | None
    submitted_at: datetime | None
    card_message_id: int | None
    """The staff group's card of this pitch (redrawn on every change); None until posted."""
    topic_id: int | None
    """Its own topic in a forum staff group (where its card is pinned); None in a flat one."""
    topic_closed: bool
    last_activity: datetime | None
    """The newest event of its thread (sent, a status, a note, a message)."""
    pitcher: PitcherRecord
    answers: tuple[tuple[str, str], ...]

    def answer(self, key: str) -> str:
        return next((value for k, value in self.answers if k == key), "")


def submitted_status(status: str) -> str:
    """``status`` as stored; ValueError when unknown or draft (only sending makes a pitch)."""
    try:
        value = PitchStatus(status)
    except ValueError:
        raise ValueError(f"unknown pitch status {status!r}") from None
    if value is PitchStatus.DRAFT:
        raise ValueError("staff cannot make a pitch a draft")
    return value.value


_LAST_ACTIVITY = select(func.max(_E.at)).where(_E.pitch_id == _D.id).scalar_subquery()
_VIEW_COLUMNS = (
    _D.id, _D.reference, _D.status, _D.language, _D.assignee_id, _D.submitted_at,
    _D.staff_card_message_id, _D.staff_topic_id, _D.staff_topic_closed, _LAST_ACTIVITY,
    *PITCHER_COLUMNS,
)  # fmt: skip


async def views(session: Session, ids: Sequence[int]) -> list[PitchView]:
    """The sent pitches with these ids, in the order given (two queries, any number)."""
    if not ids:
        return []
    query = (
        select(*_VIEW_COLUMNS)
        .join(PITCHERS, _P.id == _D.pitcher_id)
        .where(_D.id.in_(ids), _D.reference.is_not(None))
    )
    rows = {row[0]: row for row in await session.execute(query)}
    answers: dict[int, list[tuple[str, str]]] = {pitch_id: [] for pitch_id in rows}
    listed = select(_A.pitch_id, _A.question_key, _A.value).where(_A.pitch_id.in_(list(rows)))
    for pitch_id, key, value in await session.execute(listed.order_by(_A.id)):
        answers[pitch_id].append((key, value))
    return [_view(rows[i], answers[i]) for i in ids if i in rows]


def _view(row: Any, answers: list[tuple[str, str]]) -> PitchView:
    pitcher = PitcherRecord(*row[10:18])
    pitch_id, reference, status, language, assignee_id, submitted_at = row[:6]
    card, topic, topic_closed, active = row[6:10]
    return PitchView(
        pitch_id, reference, status, language, assignee_id, submitted_at, card, topic,
        topic_closed, active, pitcher, tuple(answers),
    )  # fmt: skip


async def view(session: Session, pitch_id: int) -> PitchView | None:
    """A sent pitch by id (a paging cursor, a queued card); None for drafts and the gone."""
    found = await views(session, [pitch_id])
    return found[0] if found else None


async def is_there(session: Session, pitch_id: int) -> bool:
    """Whether a sent pitch with this id is still there (a paging button's cursor)."""
    return await _any(session, _D.id == pitch_id, _D.reference.is_not(None))


@dataclass(frozen=True)
class Located:
    """What a change needs to know of a pitch before it is made (one indexed query)."""

    id: int
    assignee_id: int | None
    pitcher_user_id: int
    topic_id: int | None
    """Its forum topic: a change made elsewhere is also said there."""
    status: str


async def locate(session: Session, reference: str, *, to_change: bool = False) -> Located | None:
    """A sent pitch by its reference, typed in any case (``p-2026-0042``).

    References are only ever made upper-case, so the input is upper-cased rather than
    the column lowered: the lookup keeps using the unique index. ``to_change`` locks
    the pitch's row until the caller's transaction ends: staff changes to one pitch from
    several workers (or chats) happen one after the other, each seeing the last.
    """
    query = (
        select(_D.id, _D.assignee_id, _P.telegram_user_id, _D.staff_topic_id, _D.status)
        .join(PITCHERS, _P.id == _D.pitcher_id)
        .where(_D.reference == reference.strip().upper())
    )
    if to_change:
        query = query.with_for_update(of=PITCHES)
    row = (await session.execute(query)).one_or_none()
    return Located(*row) if row is not None else None


async def in_topic(session: Session, topic_id: int) -> str | None:
    """The reference of the pitch whose forum topic this is (a command typed there)."""
    query = select(_D.reference).where(_D.staff_topic_id == topic_id)
    return (await session.execute(query)).scalar_one_or_none()


async def find(session: Session, reference: str) -> PitchView | None:
    """A sent pitch by its reference, typed in any case, with all it shows."""
    located = await locate(session, reference)
    return await view(session, located.id) if located is not None else None


async def latest_open(session: Session, pitcher_id: int) -> PitchView | None:
    """The pitch a pitcher's free text is about: their newest sent one, unless archived."""
    closed = (PitchStatus.DRAFT.value, PitchStatus.ARCHIVED.value)
    query = (
        select(_D.id)
        .where(_D.pitcher_id == pitcher_id, _D.status.not_in(closed))
        .order_by(_D.submitted_at.desc(), _D.id.desc())
        .limit(1)
    )
    pitch_id = (await session.execute(query)).scalar_one_or_none()
    return await view(session, pitch_id) if pitch_id is not None else None


@dataclass(frozen=True)
class Page:
    """One screen of a list, oldest first, and whether there is more on either side."""

    pitches: list[PitchView]
    has_previous: bool
    has_next: bool


async def page_of_status(
    session: Session,
    status: str,
    *,
    after_id: int | None = None,
    before_id: int | None = None,
    size: int = 10,
) -> Page:
    """The pitches of one status, oldest first by (submitted_at, id).

    ``after_id`` is the last pitch of the page on screen (asking for the next page),
    ``before_id`` its first (the previous page). A cursor pitch that no longer exists
    gives the first page; so does going back when less than a page lies before it.
    """
    if after_id is not None and before_id is not None:
        raise ValueError("pass after_id or before_id, not both")
    if size < 1:
        raise ValueError(f"page size must be positive, not {size}")
    in_status = _D.status == submitted_status(status)
    cursor_id = after_id if after_id is not None else before_id
    cursor = await _page_key(session, cursor_id) if cursor_id is not None else None
    keys = select(_D.submitted_at, _D.id).where(in_status)

    if cursor is not None and before_id is not None:
        backwards = keys.where(_PAGE_KEY < cursor).order_by(_D.submitted_at.desc(), _D.id.desc())
        rows = (await session.execute(backwards.limit(size + 1))).all()
        if len(rows) >= size:
            page = [tuple(row) for row in rows[:size][::-1]]
            has_next = await _any(session, in_status, _PAGE_KEY > page[-1])
            pitches = await views(session, [row[1] for row in page])
            return Page(pitches, has_previous=len(rows) > size, has_next=has_next)
        cursor = None

    forwards = keys.order_by(_D.submitted_at, _D.id)
    if cursor is not None:
        forwards = forwards.where(_PAGE_KEY > cursor)
    rows = (await session.execute(forwards.limit(size + 1))).all()
    page = [tuple(row) for row in rows[:size]]
    has_previous = False
    if cursor is not None:
        # Before the page's first pitch; or, with nothing left after the cursor, up to it.
        before = _PAGE_KEY < page[0] if page else _PAGE_KEY <= cursor
        has_previous = await _any(session, in_status, before)
    pitches = await views(session, [row[1] for row in page])
    return Page(pitches, has_previous=has_previous, has_next=len(rows) > size)


async def _page_key(session: Session, pitch_id: int) -> tuple[datetime, int] | None:
    query = select(_D.submitted_at).where(_D.id == pitch_id)
    submitted_at = (await session.execute(query)).scalar_one_or_none()
    return None if submitted_at is None else (submitted_at, pitch_id)


async def _any(session: Session, *conditions: ColumnElement[bool]) -> bool:
    return bool((await session.execute(select(exists().where(*conditions)))).scalar())


async def search(
    session: Session, *, statuses: list[str] | None, words: list[str], limit: int = 10
) -> tuple[list[PitchView], bool]:
    """Sent pitches whose answers contain every word, newest first, and whether more match.

    Each word may be in a different answer; matching ignores case, and ``%`` or ``_``
    in a word are literal characters, not wildcards.
    """
    wanted = SENT_STATUSES if statuses is None else [submitted_status(s) for s in statuses]
    query: Select[Any] = select(_D.id).where(_D.status.in_(wanted))
    for word in filter(None, (word.strip().lower() for word in words)):
        contains = func.lower(_A.value).contains(word, autoescape=True)
        query = query.where(exists().where(_A.pitch_id == _D.id, contains))
    query = query.order_by(_D.submitted_at.desc(), _D.id.desc()).limit(limit + 1)
    ids = list((await session.execute(query)).scalars())
    return await views(session, ids[:limit]), len(ids) > limit


@dataclass(frozen=True)
class Stats:
    """The desk at a glance."""

    per_status: dict[str, int]
    """Sent pitches per status, every status present (zero when none)."""
    new_this_week: int
    """Pitches sent in the seven days up to now, whatever their status since."""
    median_first_reply: timedelta | None
    """From sending to the team's first message, over pitches that got one."""
    answered: int
    """Sent pitches that got a message from the team (the median's count)."""
    unanswered: int
    """Undecided sent pitches without any message from the team yet."""
    unassigned: int
    """Undecided sent pitches nobody has taken."""
    erased: int = 0
    """Of the counted pitches, how many were erased since (counted under their status
    when erased)."""


async def stats(session: Session, *, now: datetime) -> Stats:
    """Counts per status and the week's intake in one GROUP BY, then the reply median."""
    recent = and_(_D.submitted_at > now - timedelta(days=7), _D.submitted_at <= now)
    counts = (
        select(_D.status, func.count(), func.count(case((recent, 1))))
        .where(_D.status != PitchStatus.DRAFT.value)
        .group_by(_D.status)
    )
    per_status = dict.fromkeys(SENT_STATUSES, 0)
    new_this_week = 0
    for status, count, fresh in await session.execute(counts):
        per_status[status] = count
        new_this_week += fresh
    # an erased pitch was sent all the same: it keeps counting, under its last status
    gone = await erased.counts(session, now=now)
    for status, count, fresh in gone:
        per_status[status] = per_status.get(status, 0) + count
        new_this_week += fresh

    first_out = (
        select(_E.pitch_id, func.min(_E.at).label("at"))
        .where(_E.kind == "message_out")
        .group_by(_E.pitch_id)
        .subquery()
    )
    replies = (
        select(_D.submitted_at, first_out.c.at)
        .join(first_out, first_out.c.pitch_id == _D.id)
        .where(_D.status != PitchStatus.DRAFT.value)
    )
    waits = [
        (replied - sent).total_seconds()
        for sent, replied in await session.execute(replies)
        if sent is not None
    ]
    median = timedelta(seconds=statistics.median(waits)) if waits else None
    undecided = and_(_D.status != PitchStatus.DRAFT.value, _D.status.not_in(CLOSED_STATUSES))
    answered_by_us = exists().where(_E.pitch_id == _D.id, _E.kind == "message_out")
    open_counts = select(
        func.count(case((~answered_by_us, 1))), func.count(case((_D.assignee_id.is_(None), 1)))
    ).where(undecided)
    unanswered, unassigned = (await session.execute(open_counts)).one()
    erased_count = sum(count for _, count, _ in gone)
    return Stats(
        per_status, new_this_week, median, len(waits), unanswered, unassigned, erased_count
    )
