"""Everything stored about one person, read in one transaction: the right of access."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select

from storage.database import Session
from storage.models import Answer, Consent, Event, Pitch, Pitcher


@dataclass(frozen=True)
class PitchData:
    reference: str | None
    """None for a draft."""
    status: str
    language: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    status_changed_at: datetime | None
    answers: list[tuple[str, str]]
    """(question key, answer), in the order given."""
    events: list[tuple[datetime, str, dict[str, Any]]]
    """(when, kind, payload) of the kinds asked for, oldest first."""


@dataclass(frozen=True)
class PersonalData:
    telegram_user_id: int
    username: str | None
    first_name: str | None
    language: str
    created_at: datetime
    consents: list[tuple[str, datetime]]
    """(privacy text version, when), oldest first."""
    pitches: list[PitchData]


_P = cast(Table, Pitcher.__table__).c
_D = cast(Table, Pitch.__table__).c
_A = cast(Table, Answer.__table__).c
_C = cast(Table, Consent.__table__).c
_E = cast(Table, Event.__table__).c


async def personal_data(
    session: Session, telegram_user_id: int, kinds: Iterable[str]
) -> PersonalData | None:
    """The person behind ``telegram_user_id`` (only them) and all of theirs; of each
    pitch's history only the events of ``kinds``. None: nothing is stored about them."""
    person = (
        await session.execute(
            select(_P.id, _P.username, _P.first_name, _P.language, _P.created_at).where(
                _P.telegram_user_id == telegram_user_id
            )
        )
    ).one_or_none()
    if person is None:
        return None
    pitcher_id, username, first_name, language, created_at = person
    consents = (
        await session.execute(
            select(_C.version, _C.given_at)
            .where(_C.pitcher_id == pitcher_id)
            .order_by(_C.given_at, _C.id)
        )
    ).all()
    pitch_rows = (
        await session.execute(
            select(
                _D.id,
                _D.reference,
                _D.status,
                _D.language,
                _D.created_at,
                _D.updated_at,
                _D.submitted_at,
                _D.status_changed_at,
            )  # fmt: skip
            .where(_D.pitcher_id == pitcher_id)
            .order_by(_D.created_at, _D.id)
        )
    ).all()
    ids = [row.id for row in pitch_rows]
    answers: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    events: dict[int, list[tuple[datetime, str, dict[str, Any]]]] = {i: [] for i in ids}
    if ids:
        given = select(_A.pitch_id, _A.question_key, _A.value).where(_A.pitch_id.in_(ids))
        for pitch_id, key, value in await session.execute(given.order_by(_A.id)):
            answers[pitch_id].append((key, value))
        happened = (
            select(_E.pitch_id, _E.at, _E.kind, _E.payload)
            .where(_E.pitch_id.in_(ids), _E.kind.in_(list(kinds)))
            .order_by(_E.at, _E.id)
        )
        for pitch_id, at, kind, payload in await session.execute(happened):
            events[pitch_id].append((at, kind, dict(payload or {})))
    pitches = [
        PitchData(
            row.reference,
            row.status,
            row.language,
            row.created_at,
            row.updated_at,
            row.submitted_at,
            row.status_changed_at,
            answers[row.id],
            events[row.id],
        )  # fmt: skip
        for row in pitch_rows
    ]
    return PersonalData(
        telegram_user_id,
        username,
        first_name,
        language,
        created_at,
        [(version, at) for version, at in consents],
        pitches,
    )
