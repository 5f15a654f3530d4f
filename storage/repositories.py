"""Reads and writes of pitchers, drafts and pitches, one function per use.

Every function takes the caller's session and never commits: one Telegram update is one
unit of work, committed (or rolled back) by the handler. The clock is always passed in
as ``now`` (tz-aware), so storage never reads time and tests need no freezing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from storage.models import (
    Answer,
    Event,
    GroupNotice,
    Pitch,
    Pitcher,
    PitchStatus,
    ReferenceCounter,
)


async def get_pitcher(session: AsyncSession, telegram_user_id: int) -> Pitcher | None:
    """The pitcher behind a Telegram user, if they ever consented."""
    query = select(Pitcher).where(Pitcher.telegram_user_id == telegram_user_id)
    return (await session.execute(query)).scalar_one_or_none()


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
) -> Pitcher:
    """Record a user who just gave consent (``now`` is when they consented)."""
    pitcher = Pitcher(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        username=username,
        first_name=first_name,
        language=language,
        consent_at=now,
        consent_version=consent_version,
        created_at=now,
    )
    session.add(pitcher)
    await session.flush()
    return pitcher


def claim_update(pitcher: Pitcher, update_id: int) -> bool:
    """Mark a Telegram update as handled; False when it was handled before.

    Telegram redelivers updates after a crash or timeout; update ids only grow, so any
    id at or below the last one handled is a repeat.
    """
    if pitcher.last_update_id is not None and update_id <= pitcher.last_update_id:
        return False
    pitcher.last_update_id = update_id
    return True


def _pitcher_and_draft_query() -> Select[Pitcher, Pitch]:
    draft = aliased(Pitch)
    newest_draft = (
        select(draft.id)
        .where(draft.pitcher_id == Pitcher.id, draft.status == PitchStatus.DRAFT)
        .order_by(draft.created_at.desc(), draft.id.desc())
        .limit(1)
        .correlate(Pitcher)
        .scalar_subquery()
    )
    return (
        select(Pitcher, Pitch)
        .outerjoin(Pitch, Pitch.id == newest_draft)
        .where(Pitcher.telegram_user_id == bindparam("telegram_user_id"))
        .options(joinedload(Pitch.answers))
    )


_PITCHER_AND_DRAFT = _pitcher_and_draft_query()
"""Built once: building a statement costs more than running it, on every message."""


async def get_pitcher_and_draft(
    session: AsyncSession, telegram_user_id: int
) -> tuple[Pitcher | None, Pitch | None]:
    """The pitcher and their newest draft with its answers, in one query.

    The conversation reads both on every message; one round trip instead of three.
    """
    result = await session.execute(_PITCHER_AND_DRAFT, {"telegram_user_id": telegram_user_id})
    row = result.unique().one_or_none()
    return (row[0], row[1]) if row is not None else (None, None)


async def add_draft(
    session: AsyncSession,
    *,
    pitcher_id: int,
    flow_version: int,
    step: str | None,
    language: str,
    now: datetime,
) -> Pitch:
    """Start a new draft, asking from ``step`` under the given flow version."""
    pitch = Pitch(
        pitcher_id=pitcher_id,
        status=PitchStatus.DRAFT,
        step=step,
        phase="asking",
        flow_version=flow_version,
        language=language,
        created_at=now,
        updated_at=now,
        # An explicit empty list: a new object's collection must never lazy-load.
        answers=[],
    )
    session.add(pitch)
    await session.flush()
    return pitch


async def set_answer(
    session: AsyncSession,
    pitch: Pitch,
    key: str,
    value: str,
    message_id: int | None,
    now: datetime,
) -> None:
    """Store the answer to ``key``, replacing an earlier one (one row per question)."""
    for answer in pitch.answers:
        if answer.question_key == key:
            answer.value = value
            answer.message_id = message_id
            answer.updated_at = now
            break
    else:
        pitch.answers.append(
            Answer(question_key=key, value=value, message_id=message_id, updated_at=now)
        )
    pitch.updated_at = now


async def delete_answer(session: AsyncSession, pitch: Pitch, key: str) -> None:
    """Forget the answer to ``key``, if any."""
    pitch.answers[:] = [answer for answer in pitch.answers if answer.question_key != key]


async def delete_pitch(session: AsyncSession, pitch: Pitch) -> None:
    """Delete a pitch; its answers and events go with it."""
    await session.delete(pitch)


async def submit_pitch(session: AsyncSession, pitch: Pitch, now: datetime) -> str:
    """Turn a draft into a new pitch with the year's next reference, e.g. P-2026-0042."""
    if pitch.status != PitchStatus.DRAFT:
        # A double tap on "send" must not hand out a second reference.
        raise ValueError(f"pitch {pitch.reference or pitch.id} is {pitch.status}, not a draft")
    number = await _next_number(session, now.year)
    reference = f"P-{now.year}-{number:04d}"
    pitch.reference = reference
    pitch.status = PitchStatus.NEW
    pitch.step = None
    pitch.submitted_at = pitch.status_changed_at = pitch.updated_at = now
    session.add(
        Event(
            pitch_id=pitch.id,
            at=now,
            kind="status",
            payload={"from": PitchStatus.DRAFT.value, "to": PitchStatus.NEW.value},
        )
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
        .execution_options(synchronize_session=False)
    )
    number = (await session.execute(bump)).scalar_one_or_none()
    if number is not None:
        return number
    try:
        async with session.begin_nested():
            await session.execute(insert(ReferenceCounter).values(year=year, last_number=1))
    except IntegrityError:
        return (await session.execute(bump)).scalar_one()
    return 1


async def pitches_of(session: AsyncSession, pitcher_id: int) -> list[Pitch]:
    """All pitches of a pitcher, drafts included, newest first."""
    query = (
        select(Pitch)
        .where(Pitch.pitcher_id == pitcher_id)
        .order_by(Pitch.created_at.desc(), Pitch.id.desc())
    )
    return list((await session.execute(query)).scalars())


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
