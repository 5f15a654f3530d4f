"""What a coach does next: the pitches that are theirs, and the ones that wait for us.

Read models as in :mod:`storage.pitches`. These lists are for the team's daily follow-up
(tens of open pitches, not the archive): ``waiting`` reads the newest message of every
sent pitch's thread through the (pitch_id, at) index of the events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, ScalarSelect, Table, and_, case, func, or_, select

from storage.database import Session
from storage.models import CLOSED_STATUSES, Event, Pitch, PitchStatus
from storage.pitches import PitchView, views

PITCHES = cast(Table, Pitch.__table__)
EVENTS = cast(Table, Event.__table__)
_D, _E = PITCHES.c, EVENTS.c

_MESSAGES = ("message_in", "message_out")


@dataclass(frozen=True)
class Waiting:
    """A pitch that waits for the team, since when, and why."""

    pitch: PitchView
    since: datetime
    why: Literal["wrote", "untaken"]
    """``wrote``: the pitcher wrote last and nobody answered; ``untaken``: sent (and not
    decided) but nobody has taken it."""


def _last_message(column: ColumnElement[Any]) -> ScalarSelect[Any]:
    """The newest message of the pitch's thread: ``column`` of it (correlated)."""
    return (
        select(column)
        .where(_E.pitch_id == _D.id, _E.kind.in_(_MESSAGES))
        .order_by(_E.at.desc(), _E.id.desc())
        .limit(1)
        .scalar_subquery()
    )


async def mine(session: Session, staff_id: int, *, limit: int = 20) -> tuple[list[PitchView], bool]:
    """The pitches assigned to ``staff_id`` that are not decided, the longest quiet first
    (oldest last activity), and whether there are more."""
    active = select(func.max(_E.at)).where(_E.pitch_id == _D.id).scalar_subquery()
    query = (
        select(_D.id)
        .where(_D.assignee_id == staff_id, _D.status.not_in(CLOSED_STATUSES))
        .where(_D.status != PitchStatus.DRAFT.value)
        .order_by(active, _D.id)
        .limit(limit + 1)
    )
    ids = list((await session.execute(query)).scalars())
    return await views(session, ids[:limit]), len(ids) > limit


async def waiting(session: Session, *, limit: int = 20) -> tuple[list[Waiting], bool]:
    """Pitches whose pitcher wrote last without an answer from us, and undecided sent
    pitches nobody has taken: the longest waiting first, and whether there are more."""
    last_at = _last_message(_E.at)
    wrote = _last_message(_E.kind) == "message_in"
    untaken = and_(_D.assignee_id.is_(None), _D.status.not_in(CLOSED_STATUSES))
    since = case((wrote, last_at), else_=_D.submitted_at)
    query = (
        select(_D.id, wrote, last_at, _D.submitted_at)
        .where(_D.status != PitchStatus.DRAFT.value, or_(wrote, untaken))
        .order_by(since, _D.id)
        .limit(limit + 1)
    )
    rows = (await session.execute(query)).all()
    shown = {view.id: view for view in await views(session, [row[0] for row in rows[:limit]])}
    found = []
    for pitch_id, pitcher_wrote, message_at, submitted_at in rows[:limit]:
        if pitch_id in shown:
            why: Literal["wrote", "untaken"] = "wrote" if pitcher_wrote else "untaken"
            at = message_at if pitcher_wrote else submitted_at
            found.append(Waiting(shown[pitch_id], at, why))
    return found, len(rows) > limit
