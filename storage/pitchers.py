"""Pitchers: the people who consented, as the conversation reads them on every message.

The hot path of the bot: each update loads the person, their open draft and its answers
in one round trip (:func:`load`), as frozen read models, and writes back only what
changed (the person's row here; the answer and the draft's place in
:mod:`storage.drafts`) with Core statements. No ORM object graph is built or flushed.
Functions take the caller's session, never commit and are handed the clock as ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.drafts import DRAFT_COLUMNS, DraftRecord, StoredAnswer
from storage.models import Answer, Consent, GroupNotice, Pitch, Pitcher, PitchStatus

# Core tables, not the mapped classes: statements on a mapped class take the ORM's
# slower path (identity map synchronisation, ORM result setup) for nothing here.
PITCHERS = cast(Table, Pitcher.__table__)
PITCHES = cast(Table, Pitch.__table__)
ANSWERS = cast(Table, Answer.__table__)


@dataclass(frozen=True)
class PitcherRecord:
    """A person who consented: as the conversation needs them, and as the team reaches
    them (contact details, chat and language)."""

    id: int
    telegram_user_id: int
    chat_id: int
    username: str | None
    first_name: str | None
    language: str
    confirming_erasure: bool
    last_update_id: int | None
    consent_version: str | None = None
    """The privacy text they last agreed to (loaded with the conversation only)."""


_P, _D, _A = PITCHERS.c, PITCHES.c, ANSWERS.c


PITCHER_COLUMNS = (
    _P.id, _P.telegram_user_id, _P.chat_id, _P.username, _P.first_name, _P.language,
    _P.confirming_erasure, _P.last_update_id,
)  # fmt: skip
"""The columns of a :class:`PitcherRecord`, in its order."""


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
            *PITCHER_COLUMNS,
            _P.consent_version,
            *DRAFT_COLUMNS,
            _A.question_key,
            _A.value,
            _A.message_id,
        )
        .select_from(PITCHERS)
        .outerjoin(PITCHES, _D.id == newest_draft)
        .outerjoin(ANSWERS, _A.pitch_id == _D.id)
        .where(_P.telegram_user_id == bindparam("telegram_user_id"))
        .order_by(_A.id)
        # the person's row stays locked until the unit of work ends: their updates are
        # handled one after the other, whichever worker has them (PostgreSQL; SQLite has
        # one writer anyway and leaves the clause out)
        .with_for_update(of=PITCHERS)
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


async def load(
    session: AsyncSession, telegram_user_id: int
) -> tuple[PitcherRecord | None, DraftRecord | None]:
    """The person, their newest draft and its answers, in one round trip."""
    rows = (await session.execute(_CONVERSATION, {"telegram_user_id": telegram_user_id})).all()
    if not rows:
        return None, None
    first = rows[0]
    start = len(PITCHER_COLUMNS) + 1
    pitcher = PitcherRecord(*first[:start])
    if first[start] is None:
        return pitcher, None
    end = start + len(DRAFT_COLUMNS)
    answers = tuple(StoredAnswer(*row[end:]) for row in rows if row[end] is not None)
    draft_id, step, phase, nudged, editing, cancelling, language, claim = first[start:end]
    draft = DraftRecord(
        draft_id, step, phase, nudged, editing, cancelling, language, claim, answers
    )
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
    await record_consent(session, pitcher_id, consent_version, now)
    return PitcherRecord(
        pitcher_id,
        telegram_user_id,
        chat_id,
        username,
        first_name,
        language,
        False,
        update_id,
        consent_version,
    )


async def record_consent(
    session: AsyncSession, pitcher_id: int, version: str, now: datetime
) -> None:
    """One more consent in the person's history (the privacy text's ``version``)."""
    await session.execute(
        insert(Consent).values(pitcher_id=pitcher_id, version=version, given_at=now)
    )


async def renew_consent(
    session: AsyncSession, pitcher_id: int, version: str, now: datetime
) -> None:
    """They agreed to the privacy text's ``version``: it holds now, and joins their history."""
    renewed = update(PITCHERS).where(_P.id == pitcher_id)
    await session.execute(renewed.values(consent_version=version, consent_at=now))
    await record_consent(session, pitcher_id, version, now)


async def claim(session: AsyncSession, pitcher_id: int, update_id: int) -> bool:
    """Mark a Telegram update of this person as handled; False when it was before.

    Telegram redelivers updates after a crash or timeout; update ids only grow, so any
    id at or below the last one handled is a repeat. One conditional UPDATE decides.
    """
    claimed = await session.execute(_CLAIM, {"pitcher": pitcher_id, "claimed": update_id})
    return claimed.scalar_one_or_none() is not None


def is_repeat(pitcher: PitcherRecord, draft: DraftRecord | None, update_id: int | None) -> bool:
    """Whether ``update_id`` was handled before, read from the loaded rows: the person's
    claim, or their open draft's (an answer claims on the draft row it writes anyway)."""
    claims = (pitcher.last_update_id, draft.last_update_id if draft is not None else None)
    last = max((claim for claim in claims if claim is not None), default=None)
    return update_id is not None and last is not None and update_id <= last


async def update_pitcher(session: AsyncSession, pitcher: PitcherRecord, **changes: Any) -> None:
    """Write the person's row when ``changes`` (of language, confirming_erasure,
    username, first_name, last_update_id) differ from the loaded ``pitcher``."""
    if all(getattr(pitcher, k) == v for k, v in changes.items()):
        return
    values = {f"new_{name}": changes.get(name, getattr(pitcher, name)) for name in _PITCHER_FIELDS}
    await session.execute(_TOUCH, {"pitcher": pitcher.id, **values})


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
