"""Drafts: a pitcher's answers one question at a time, where they are, and sending.

Written on the hot path (every answer): only the one answer given (an upsert), the
draft's place (one UPDATE) and, on "send", the reference and the status, all with
prebuilt Core statements on the tables. Loaded together with the person by
:func:`storage.pitchers.load`. Functions take the caller's session, never commit and are
handed the clock as ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import insert_with_conflicts
from storage.models import Answer, Event, Pitch, PitchStatus, ReferenceCounter

PITCHES = cast(Table, Pitch.__table__)
ANSWERS = cast(Table, Answer.__table__)
EVENTS = cast(Table, Event.__table__)
_D, _A = PITCHES.c, ANSWERS.c


@dataclass(frozen=True)
class StoredAnswer:
    key: str
    value: str
    message_id: int | None


@dataclass(frozen=True)
class DraftRecord:
    """A person's open (unsent) pitch and its answers, in the order they were given."""

    id: int
    step: str | None
    phase: str
    nudged: bool
    editing: bool
    confirming_cancel: bool
    language: str
    last_update_id: int | None
    """The newest Telegram update claimed while this draft was open (see
    :func:`storage.pitchers.is_repeat`)."""
    answers: tuple[StoredAnswer, ...] = ()


DRAFT_COLUMNS = (
    _D.id, _D.step, _D.phase, _D.nudged, _D.editing, _D.confirming_cancel, _D.language,
    _D.last_update_id,
)  # fmt: skip
"""The columns of a :class:`DraftRecord` (its answers aside), in its order."""


@dataclass(frozen=True)
class DraftPlace:
    """Where a draft stands after an input, and the update that moved it: one UPDATE."""

    step: str | None
    phase: str
    nudged: bool
    editing: bool
    confirming_cancel: bool
    language: str
    last_update_id: int | None


@dataclass(frozen=True)
class PitchSummary:
    """One line of /mypitches."""

    reference: str | None
    status: str
    headline: str


# Built once: building a statement costs more than running it, on every answer.
_PLACE_FIELDS = (
    "step", "phase", "nudged", "editing", "confirming_cancel", "language", "last_update_id",
)  # fmt: skip
_PLACE = (
    update(PITCHES)
    .where(_D.id == bindparam("pitch"))
    .values({name: bindparam(f"new_{name}") for name in (*_PLACE_FIELDS, "updated_at")})
)
_UPSERTS: dict[str, Any] = {}


def _upsert(session: AsyncSession) -> Any:
    """The answer upsert in the session's dialect (both have ON CONFLICT), built once."""
    name = session.get_bind().dialect.name
    if name not in _UPSERTS:
        names = ("pitch_id", "question_key", "value", "message_id", "updated_at")
        statement = insert_with_conflicts(session, ANSWERS).values(
            {n: bindparam(f"new_{n}") for n in names}
        )
        _UPSERTS[name] = statement.on_conflict_do_update(
            index_elements=["pitch_id", "question_key"],
            set_={n: statement.excluded[n] for n in ("value", "message_id", "updated_at")},
        )
    return _UPSERTS[name]


async def add_draft(
    session: AsyncSession,
    *,
    pitcher_id: int,
    flow_version: int,
    step: str | None,
    language: str,
    now: datetime,
) -> int:
    """Start a new draft, asking from ``step`` under the given flow version; its id."""
    added = (
        insert(PITCHES)
        .values(
            pitcher_id=pitcher_id,
            status=PitchStatus.DRAFT.value,
            step=step,
            phase="asking",
            flow_version=flow_version,
            language=language,
            nudged=False,
            editing=False,
            confirming_cancel=False,
            created_at=now,
            updated_at=now,
        )
        .returning(_D.id)
    )
    return int((await session.execute(added)).scalar_one())


async def set_answer(
    session: AsyncSession,
    pitch_id: int,
    key: str,
    value: str,
    message_id: int | None,
    now: datetime,
) -> None:
    """Store the answer to ``key``, replacing an earlier one (one row per question)."""
    values = {"pitch_id": pitch_id, "question_key": key, "value": value}
    values |= {"message_id": message_id, "updated_at": now}
    await session.execute(_upsert(session), {f"new_{k}": v for k, v in values.items()})


async def delete_answers(session: AsyncSession, pitch_id: int, keys: Iterable[str]) -> None:
    """Forget the answers to ``keys``, if any."""
    keys = list(keys)
    if keys:
        gone = delete(ANSWERS).where(_A.pitch_id == pitch_id, _A.question_key.in_(keys))
        await session.execute(gone)


async def place_draft(
    session: AsyncSession, pitch_id: int, place: DraftPlace, now: datetime
) -> None:
    """Where the draft stands now (its step, phase and open questions)."""
    values = {f"new_{name}": getattr(place, name) for name in _PLACE_FIELDS}
    await session.execute(_PLACE, {"pitch": pitch_id, **values, "new_updated_at": now})


async def delete_draft(session: AsyncSession, pitch_id: int) -> None:
    """Delete a draft; its answers go with it (ON DELETE CASCADE)."""
    await session.execute(
        delete(PITCHES).where(_D.id == pitch_id, _D.status == PitchStatus.DRAFT.value)
    )


async def submit(session: AsyncSession, pitch_id: int, now: datetime) -> str:
    """Turn a draft into a new pitch with the year's next reference, e.g. P-2026-0042."""
    number = await _next_number(session, now.year)
    reference = f"P-{now.year}-{number:04d}"
    sent = (
        update(PITCHES)
        .where(_D.id == pitch_id, _D.status == PitchStatus.DRAFT.value)
        .values(
            reference=reference,
            status=PitchStatus.NEW.value,
            step=None,
            submitted_at=now,
            status_changed_at=now,
            updated_at=now,
        )
        .returning(_D.id)
    )
    if (await session.execute(sent)).scalar_one_or_none() is None:
        # A double tap on "send" must not hand out a second reference.
        raise ValueError(f"pitch {pitch_id} is not a draft")
    change = {"from": PitchStatus.DRAFT.value, "to": PitchStatus.NEW.value}
    await session.execute(
        insert(EVENTS).values(pitch_id=pitch_id, at=now, kind="status", payload=change)
    )
    return reference


async def _next_number(session: AsyncSession, year: int) -> int:
    """Count up the year's counter atomically; the first pitch of a year creates it.

    The UPDATE locks the row until the caller commits, so concurrent submissions queue
    behind each other. Two first submissions of a year may both find no row: the loser
    of the INSERT race rolls back its savepoint and takes the UPDATE path after all.
    """
    bump = (
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
    )
    number = (await session.execute(bump)).scalar_one_or_none()
    if number is not None:
        return int(number)
    try:
        async with session.begin_nested():
            await session.execute(insert(ReferenceCounter).values(year=year, last_number=1))
    except IntegrityError:
        return int((await session.execute(bump)).scalar_one())
    return 1


async def summaries(
    session: AsyncSession, pitcher_id: int, headline_key: str
) -> list[PitchSummary]:
    """Every pitch of a person, drafts included, newest first, with its headline answer."""
    headline = and_(Answer.pitch_id == Pitch.id, Answer.question_key == headline_key)
    query = (
        select(Pitch.reference, Pitch.status, Answer.value)
        .outerjoin(Answer, headline)
        .where(Pitch.pitcher_id == pitcher_id)
        .order_by(Pitch.created_at.desc(), Pitch.id.desc())
    )
    rows = await session.execute(query)
    return [PitchSummary(reference, status, value or "") for reference, status, value in rows]
