"""Pitchers and their drafts: what the conversation reads and writes on every message.

The hot path of the bot: each update loads the person, their open draft and its answers
in one round trip, as frozen read models, and writes back only what changed (the
person's row, the one answer given, the draft's place) with Core statements. No ORM
object graph is built or flushed here. Functions take the caller's session, never commit
and are handed the clock as ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Event, GroupNotice, Pitch, Pitcher, PitchStatus, ReferenceCounter

# Core tables, not the mapped classes: statements on a mapped class take the ORM's
# slower path (identity map synchronisation, ORM result setup) for nothing here.
PITCHERS = cast(Table, Pitcher.__table__)
PITCHES = cast(Table, Pitch.__table__)
ANSWERS = cast(Table, Answer.__table__)
EVENTS = cast(Table, Event.__table__)


@dataclass(frozen=True)
class PitcherRecord:
    """A person who consented, as the conversation needs them."""

    id: int
    telegram_user_id: int
    chat_id: int
    username: str | None
    first_name: str | None
    language: str
    confirming_erasure: bool
    last_update_id: int | None


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
    answers: tuple[StoredAnswer, ...]


@dataclass(frozen=True)
class DraftPlace:
    """Where a draft stands after an input: written in one UPDATE."""

    step: str | None
    phase: str
    nudged: bool
    editing: bool
    confirming_cancel: bool
    language: str


@dataclass(frozen=True)
class PitchSummary:
    """One line of /mypitches."""

    reference: str | None
    status: str
    headline: str


_P, _D, _A = PITCHERS.c, PITCHES.c, ANSWERS.c


def _conversation_query() -> Select[Any]:
    draft = PITCHES.alias("draft")
    newest_draft = (
        select(draft.c.id)
        .where(draft.c.pitcher_id == _P.id, draft.c.status == PitchStatus.DRAFT.value)
        .order_by(draft.c.created_at.desc(), draft.c.id.desc())
        .limit(1)
        .correlate(PITCHERS)
        .scalar_subquery()
    )
    return (
        select(
            _P.id,
            _P.telegram_user_id,
            _P.chat_id,
            _P.username,
            _P.first_name,
            _P.language,
            _P.confirming_erasure,
            _P.last_update_id,
            _D.id,
            _D.step,
            _D.phase,
            _D.nudged,
            _D.editing,
            _D.confirming_cancel,
            _D.language,
            _A.question_key,
            _A.value,
            _A.message_id,
        )  # fmt: skip
        .select_from(PITCHERS)
        .outerjoin(PITCHES, _D.id == newest_draft)
        .outerjoin(ANSWERS, _A.pitch_id == _D.id)
        .where(_P.telegram_user_id == bindparam("telegram_user_id"))
        .order_by(_A.id)
    )


# Built once: building a statement costs more than running it, on every message.
_CONVERSATION = _conversation_query()
_CLAIM = (
    update(PITCHERS)
    .where(_P.id == bindparam("pitcher"))
    .where(_P.last_update_id.is_(None) | (_P.last_update_id < bindparam("claimed")))
    .values(last_update_id=bindparam("claimed"))
    .returning(_P.id)
)
_PITCHER_FIELDS = ("language", "confirming_erasure", "username", "first_name", "last_update_id")
_TOUCH = (
    update(PITCHERS)
    .where(_P.id == bindparam("pitcher"))
    .values({name: bindparam(f"new_{name}") for name in _PITCHER_FIELDS})
)
_PLACE_FIELDS = ("step", "phase", "nudged", "editing", "confirming_cancel", "language")
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
        dialect = postgresql if name == "postgresql" else sqlite
        names = ("pitch_id", "question_key", "value", "message_id", "updated_at")
        statement = dialect.insert(ANSWERS).values({n: bindparam(f"new_{n}") for n in names})
        _UPSERTS[name] = statement.on_conflict_do_update(
            index_elements=["pitch_id", "question_key"],
            set_={n: statement.excluded[n] for n in ("value", "message_id", "updated_at")},
        )
    return _UPSERTS[name]


async def load(
    session: AsyncSession, telegram_user_id: int
) -> tuple[PitcherRecord | None, DraftRecord | None]:
    """The person, their newest draft and its answers, in one round trip."""
    rows = (await session.execute(_CONVERSATION, {"telegram_user_id": telegram_user_id})).all()
    if not rows:
        return None, None
    first = rows[0]
    pitcher = PitcherRecord(*first[:8])
    if first[8] is None:
        return pitcher, None
    answers = tuple(StoredAnswer(*row[15:18]) for row in rows if row[15] is not None)
    draft_id, step, phase, nudged, editing, cancelling, language = first[8:15]
    draft = DraftRecord(draft_id, step, phase, nudged, editing, cancelling, language, answers)
    return pitcher, draft


async def add_pitcher(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    username: str | None,
    first_name: str | None,
    language: str,
    consent_version: str,
    now: datetime,
    update_id: int | None = None,
) -> PitcherRecord:
    """Record a user who just gave consent (``now`` is when they consented)."""
    added = (
        insert(PITCHERS)
        .values(
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            username=username,
            first_name=first_name,
            language=language,
            consent_at=now,
            consent_version=consent_version,
            created_at=now,
            last_update_id=update_id,
            confirming_erasure=False,
        )
        .returning(_P.id)
    )
    pitcher_id = (await session.execute(added)).scalar_one()
    return PitcherRecord(
        pitcher_id, telegram_user_id, chat_id, username, first_name, language, False, update_id
    )


async def claim(session: AsyncSession, pitcher_id: int, update_id: int) -> bool:
    """Mark a Telegram update of this person as handled; False when it was before.

    Telegram redelivers updates after a crash or timeout; update ids only grow, so any
    id at or below the last one handled is a repeat. One conditional UPDATE decides.
    """
    claimed = await session.execute(_CLAIM, {"pitcher": pitcher_id, "claimed": update_id})
    return claimed.scalar_one_or_none() is not None


def is_repeat(pitcher: PitcherRecord, update_id: int | None) -> bool:
    """Whether ``update_id`` was handled before (read from the loaded row)."""
    last = pitcher.last_update_id
    return update_id is not None and last is not None and update_id <= last


async def update_pitcher(session: AsyncSession, pitcher: PitcherRecord, **changes: Any) -> None:
    """Write the person's row when ``changes`` (of language, confirming_erasure,
    username, first_name, last_update_id) differ from the loaded ``pitcher``."""
    if all(getattr(pitcher, k) == v for k, v in changes.items()):
        return
    values = {f"new_{name}": changes.get(name, getattr(pitcher, name)) for name in _PITCHER_FIELDS}
    await session.execute(_TOUCH, {"pitcher": pitcher.id, **values})


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


async def references_of(session: AsyncSession, pitcher_id: int) -> tuple[list[str], int]:
    """A person's sent pitches' references, oldest first, and how many pitches they have."""
    query = (
        select(Pitch.reference)
        .where(Pitch.pitcher_id == pitcher_id)
        .order_by(Pitch.created_at, Pitch.id)
    )
    references = list((await session.execute(query)).scalars())
    return [r for r in references if r], len(references)


async def mark_group_notified(session: AsyncSession, chat_id: int, now: datetime) -> bool:
    """True the first time a group chat is seen, so it is told about private chats once."""
    if await session.get(GroupNotice, chat_id) is not None:
        return False
    try:
        async with session.begin_nested():
            await session.execute(insert(GroupNotice).values(chat_id=chat_id, notified_at=now))
    except IntegrityError:
        return False  # another process noticed the same group a moment earlier
    return True
