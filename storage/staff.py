"""How staff find sent pitches: by id or reference, page by page, by search; and figures.

Changes (status, assignment, notes, messages) live in :mod:`storage.triage`, staff
members in :mod:`storage.members`.

Like :mod:`storage.pitchers`, every function takes the caller's session, never
commits and is handed the clock as ``now``. Queries stay index-backed with a million
pitches: pages are keyed on (submitted_at, id) instead of OFFSET, and "is there more"
comes from one extra row or an EXISTS, never a COUNT.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import SENT_STATUSES, Answer, Event, Pitch, Pitcher, PitchStatus

"""Every status a pitch can have once sent, in the order of its life."""

_PAGE_KEY = tuple_(Pitch.submitted_at, Pitch.id)


def submitted_status(status: str) -> str:
    """``status`` as stored; ValueError when unknown or draft (only sending makes a pitch)."""
    try:
        value = PitchStatus(status)
    except ValueError:
        raise ValueError(f"unknown pitch status {status!r}") from None
    if value is PitchStatus.DRAFT:
        raise ValueError("staff cannot make a pitch a draft")
    return value.value


def _with_pitcher(query: Select[Pitch]) -> Select[Pitch]:
    """Load each pitch's pitcher too: ``Pitch.pitcher`` refuses to lazy-load."""
    return query.options(selectinload(Pitch.pitcher))


async def get_pitch(session: AsyncSession, pitch_id: int) -> Pitch | None:
    """A pitch with its answers and pitcher."""
    query = _with_pitcher(select(Pitch).where(Pitch.id == pitch_id))
    return (await session.execute(query)).scalar_one_or_none()


async def get_pitch_by_reference(session: AsyncSession, reference: str) -> Pitch | None:
    """A pitch by its reference, typed in any case (``p-2026-0042``).

    References are only ever made upper-case, so the input is upper-cased rather than
    the column lowered: the lookup keeps using the unique index.
    """
    query = _with_pitcher(select(Pitch).where(Pitch.reference == reference.strip().upper()))
    return (await session.execute(query)).scalar_one_or_none()


@dataclass(frozen=True)
class Page:
    """One screen of a list, oldest first, and whether there is more on either side."""

    pitches: list[Pitch]
    has_previous: bool
    has_next: bool


async def page_of_status(
    session: AsyncSession,
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
    in_status = Pitch.status == submitted_status(status)
    cursor_id = after_id if after_id is not None else before_id
    cursor = await _page_key(session, cursor_id) if cursor_id is not None else None

    if cursor is not None and before_id is not None:
        backwards = (
            select(Pitch)
            .where(in_status, _PAGE_KEY < cursor)
            .order_by(Pitch.submitted_at.desc(), Pitch.id.desc())
        )
        rows = await _pitches(session, backwards.limit(size + 1))
        if len(rows) >= size:
            pitches = rows[:size][::-1]
            has_next = await _any(session, in_status, _PAGE_KEY > _key_of(pitches[-1]))
            return Page(pitches, has_previous=len(rows) > size, has_next=has_next)
        cursor = None

    forwards = select(Pitch).where(in_status).order_by(Pitch.submitted_at, Pitch.id)
    if cursor is not None:
        forwards = forwards.where(_PAGE_KEY > cursor)
    rows = await _pitches(session, forwards.limit(size + 1))
    pitches = rows[:size]
    has_previous = False
    if cursor is not None:
        # Before the page's first pitch; or, with nothing left after the cursor, up to it.
        before = _PAGE_KEY < _key_of(pitches[0]) if pitches else _PAGE_KEY <= cursor
        has_previous = await _any(session, in_status, before)
    return Page(pitches, has_previous=has_previous, has_next=len(rows) > size)


async def _page_key(session: AsyncSession, pitch_id: int) -> tuple[datetime, int] | None:
    query = select(Pitch.submitted_at).where(Pitch.id == pitch_id)
    submitted_at = (await session.execute(query)).scalar_one_or_none()
    return None if submitted_at is None else (submitted_at, pitch_id)


def _key_of(pitch: Pitch) -> tuple[datetime | None, int]:
    return (pitch.submitted_at, pitch.id)


async def _pitches(session: AsyncSession, query: Select[Pitch]) -> list[Pitch]:
    return list((await session.execute(_with_pitcher(query))).scalars())


async def _any(session: AsyncSession, *conditions: ColumnElement[bool]) -> bool:
    return bool((await session.execute(select(exists().where(*conditions)))).scalar())


async def search(
    session: AsyncSession, *, statuses: list[str] | None, words: list[str], limit: int = 10
) -> tuple[list[Pitch], bool]:
    """Sent pitches whose answers contain every word, newest first, and whether more match.

    Each word may be in a different answer; matching ignores case, and ``%`` or ``_``
    in a word are literal characters, not wildcards.
    """
    wanted = SENT_STATUSES if statuses is None else [submitted_status(s) for s in statuses]
    query = select(Pitch).where(Pitch.status.in_(wanted))
    for word in filter(None, (word.strip().lower() for word in words)):
        contains = func.lower(Answer.value).contains(word, autoescape=True)
        query = query.where(exists().where(Answer.pitch_id == Pitch.id, contains))
    query = query.order_by(Pitch.submitted_at.desc(), Pitch.id.desc()).limit(limit + 1)
    rows = await _pitches(session, query)
    return rows[:limit], len(rows) > limit


async def pitcher_of(session: AsyncSession, reference: str) -> tuple[Pitcher, list[Pitch]] | None:
    """The pitcher behind a sent pitch and all their pitches (drafts too), oldest first.

    By reference, never by id: an erasure must reach the person the reference names.
    """
    pitch = await get_pitch_by_reference(session, reference)
    if pitch is None:
        return None
    query = (
        select(Pitch)
        .where(Pitch.pitcher_id == pitch.pitcher_id)
        .order_by(Pitch.created_at, Pitch.id)
    )
    return pitch.pitcher, list((await session.execute(query)).scalars())


async def history(session: AsyncSession, pitch_id: int) -> list[Event]:
    """Everything that happened to a pitch, oldest first."""
    query = select(Event).where(Event.pitch_id == pitch_id).order_by(Event.at, Event.id)
    return list((await session.execute(query)).scalars())


async def latest_open_pitch(session: AsyncSession, pitcher_id: int) -> Pitch | None:
    """The pitch a pitcher's free text is about: their newest sent one, unless archived."""
    closed = (PitchStatus.DRAFT.value, PitchStatus.ARCHIVED.value)
    query = (
        select(Pitch)
        .where(Pitch.pitcher_id == pitcher_id, Pitch.status.not_in(closed))
        .order_by(Pitch.submitted_at.desc(), Pitch.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


def mark_card_sent(pitch: Pitch, now: datetime) -> None:
    """The staff chat has the pitch's card (shown on the full pitch, kept in exports)."""
    pitch.staff_card_sent_at = now


@dataclass(frozen=True)
class Stats:
    """The desk at a glance."""

    per_status: dict[str, int]
    """Sent pitches per status, every status present (zero when none)."""
    new_this_week: int
    """Pitches sent in the seven days up to now, whatever their status since."""
    median_first_reply: timedelta | None
    """From sending to the team's first message, over pitches that got one."""


async def stats(session: AsyncSession, *, now: datetime) -> Stats:
    """Counts per status and the week's intake in one GROUP BY, then the reply median."""
    recent = and_(Pitch.submitted_at > now - timedelta(days=7), Pitch.submitted_at <= now)
    counts = (
        select(Pitch.status, func.count(), func.count(case((recent, 1))))
        .where(Pitch.status != PitchStatus.DRAFT)
        .group_by(Pitch.status)
    )
    per_status = dict.fromkeys(SENT_STATUSES, 0)
    new_this_week = 0
    for status, count, fresh in await session.execute(counts):
        per_status[status] = count
        new_this_week += fresh

    first_out = (
        select(Event.pitch_id, func.min(Event.at).label("at"))
        .where(Event.kind == "message_out")
        .group_by(Event.pitch_id)
        .subquery()
    )
    replies = (
        select(Pitch.submitted_at, first_out.c.at)
        .join(first_out, first_out.c.pitch_id == Pitch.id)
        .where(Pitch.status != PitchStatus.DRAFT)
    )
    waits = [
        (replied - sent).total_seconds()
        for sent, replied in await session.execute(replies)
        if sent is not None
    ]
    median = timedelta(seconds=statistics.median(waits)) if waits else None
    return Stats(per_status, new_this_week, median)
