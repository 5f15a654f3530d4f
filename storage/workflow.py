"""What staff change on a sent pitch: status, who has it, the card, and erasure.

Every change is also an event in the pitch's thread (:mod:`storage.events`), so the
history tells who did what when. Changes are single conditional statements, so two staff
members acting at once cannot both win, and nothing is read into memory to be written
back. Functions take the caller's session, never commit and are handed ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, literal, select, update

from storage.database import Session, insert_with_conflicts
from storage.events import record
from storage.models import (
    ErasedPitch,
    InboxUpdate,
    OutboxMessage,
    Pitch,
    Pitcher,
    PitchStatus,
    UTCDateTime,
)
from storage.pitchers import PITCHER_COLUMNS, PitcherRecord
from storage.pitches import submitted_status

PITCHES = cast(Table, Pitch.__table__)
PITCHERS = cast(Table, Pitcher.__table__)
_D, _P = PITCHES.c, PITCHERS.c


async def set_status(
    session: Session,
    pitch_id: int,
    status: str,
    *,
    actor_id: int | None,
    now: datetime,
    said: Mapping[str, object] | None = None,
) -> str | None:
    """Move a sent pitch to ``status``; the previous status, or None if it already was.

    ``said``: kept with the change in its history (whether the pitcher was told, to whom a
    pitch was referred, the personal word they got)."""
    new = submitted_status(status)
    while True:
        old = (await session.execute(select(_D.status).where(_D.id == pitch_id))).scalar()
        if old is None:
            raise LookupError(f"no pitch {pitch_id}")
        if old == PitchStatus.DRAFT:
            raise ValueError(f"pitch {pitch_id} is a draft: only sending it changes its status")
        if old == new:
            return None
        # only from the status just read: a change by someone else meanwhile is read again
        changed = update(PITCHES).where(_D.id == pitch_id, _D.status == old).returning(_D.id)
        values = {"status": new, "status_changed_at": now, "updated_at": now}
        if (await session.execute(changed.values(**values))).scalar_one_or_none() is not None:
            break
    payload = {"from": old, "to": new, **(said or {})}
    await record(session, pitch_id, "status", payload, actor_id=actor_id, now=now)
    return str(old)


async def take(session: Session, pitch_id: int, staff_id: int, *, now: datetime) -> int | None:
    """Take a pitch ("take it"): None when it is now ``staff_id``'s, else who has it.

    One conditional UPDATE decides, so of two staff members tapping at once exactly one
    wins: the database serialises the row, the loser's WHERE no longer matches.
    """
    taking = (
        update(PITCHES)
        .where(_D.id == pitch_id, _D.assignee_id.is_(None))
        .values(assignee_id=staff_id, updated_at=now)
        .returning(_D.id)
    )
    if (await session.execute(taking)).scalar_one_or_none() is not None:
        payload = {"from": None, "to": staff_id}
        await record(session, pitch_id, "assign", payload, actor_id=staff_id, now=now)
        return None
    holder = await session.execute(select(_D.assignee_id).where(_D.id == pitch_id))
    row = holder.one_or_none()
    if row is None:
        raise LookupError(f"no pitch {pitch_id}")
    return None if row[0] == staff_id else cast(int, row[0])


async def assign(
    session: Session, pitch_id: int, staff_id: int | None, *, actor_id: int, now: datetime
) -> bool:
    """Give the pitch to ``staff_id``, or to nobody (None); False (and no event) when it
    already was."""
    old = (await session.execute(select(_D.assignee_id).where(_D.id == pitch_id))).one_or_none()
    if old is None:
        raise LookupError(f"no pitch {pitch_id}")
    if old[0] == staff_id:
        return False
    changed = update(PITCHES).where(_D.id == pitch_id).values(assignee_id=staff_id, updated_at=now)
    await session.execute(changed)
    payload = {"from": old[0], "to": staff_id}
    await record(session, pitch_id, "assign", payload, actor_id=actor_id, now=now)
    return True


async def card_posted(
    session: Session, pitch_id: int, message_id: int | None, now: datetime
) -> None:
    """The staff chat has the pitch's card: when (kept in exports) and which message (so a
    change redraws it)."""
    posted = update(PITCHES).where(_D.id == pitch_id)
    await session.execute(posted.values(staff_card_sent_at=now, staff_card_message_id=message_id))


async def topic_opened(session: Session, pitch_id: int, topic_id: int) -> None:
    """The pitch has its own forum topic now: stored before anything is posted in it,
    so a retry posts there instead of opening a second one."""
    opened = update(PITCHES).where(_D.id == pitch_id)
    await session.execute(
        opened.values(staff_topic_id=topic_id, staff_topic_closed=False, staff_card_message_id=None)
    )


async def topic_closed(session: Session, pitch_id: int, closed: bool) -> None:
    """The pitch's topic was closed (its pitch decided) or opened again."""
    changed = update(PITCHES).where(_D.id == pitch_id)
    await session.execute(changed.values(staff_topic_closed=closed))


async def topic_lost(session: Session, pitch_id: int) -> None:
    """Its topic was deleted by someone in the group: the next message opens a new one
    (with a new card)."""
    lost = update(PITCHES).where(_D.id == pitch_id)
    await session.execute(
        lost.values(staff_topic_id=None, staff_topic_closed=False, staff_card_message_id=None)
    )


@dataclass(frozen=True)
class Erasure:
    """Whose data an erasure removes (or removed), told to staff and to the pitcher."""

    pitcher: PitcherRecord
    references: list[str]
    """The pitcher's sent pitches, oldest first (drafts have none)."""
    pitches: int
    """Every pitch of theirs, drafts included."""
    cards: list[tuple[int, str]]
    """The staff chat's cards of those pitches, (message id, reference): redrawn as erased."""
    topics: list[int]
    """Their forum topics: deleted with everything in them."""


async def erasure_of(session: Session, reference: str) -> Erasure | None:
    """What erasing the pitcher behind this pitch would remove; None if there is none.

    By reference, never by id: an erasure must reach the person the reference names.
    """
    owner = select(_D.pitcher_id).where(_D.reference == reference.strip().upper())
    pitcher_id = (await session.execute(owner)).scalar_one_or_none()
    return await erasure_of_pitcher(session, pitcher_id) if pitcher_id is not None else None


async def erasure_of_pitcher(session: Session, pitcher_id: int) -> Erasure:
    """What erasing this pitcher removes (they asked themselves: /forgetme)."""
    query = select(*PITCHER_COLUMNS).where(_P.id == pitcher_id)
    pitcher = PitcherRecord(*(await session.execute(query)).one())
    pitches = select(_D.reference, _D.staff_card_message_id, _D.staff_topic_id).where(
        _D.pitcher_id == pitcher.id
    )
    listed = (await session.execute(pitches.order_by(_D.created_at, _D.id))).all()
    references = [ref for ref, _, _ in listed if ref]
    # a card inside a topic goes with the topic; only a flat group's cards are redrawn
    cards = [(card, ref) for ref, card, topic in listed if card is not None and ref and not topic]
    topics = [topic for _, _, topic in listed if topic is not None]
    return Erasure(pitcher, references, len(listed), cards, topics)


async def erase_pitcher(
    session: Session,
    pitcher_id: int,
    *,
    reason: str,
    now: datetime,
    up_to_update: int | None = None,
) -> bool:
    """Delete a pitcher and everything of theirs; False when someone else erased them a
    moment earlier.

    The right to erasure: their pitches (drafts too), answers, the thread, notes, history
    and consents go by the foreign keys' ON DELETE CASCADE, and with them the outbox's
    messages about their pitches. What waits for their chat (the outbox's messages to
    them: the team's words, status news) and their Telegram updates still in the inbox
    (what they typed, their names) name no pitch: they are deleted here. Updates of their
    chat after ``up_to_update`` (the update that erases, when there is one) are left to be
    handled: they came after the erasure, and leave the inbox once handled.
    Reference numbers are not reused. Of each sent pitch only its reference, status and
    dates stay, with why it was erased (``reason``: "request", "team" or "retention"), so
    the team is not left guessing. After the commit, :func:`storage.database.leave_no_trace`.
    """
    sent = select(
        _D.reference,
        _D.status,
        _D.submitted_at,
        literal(now, UTCDateTime()).label("erased_at"),
        literal(reason).label("reason"),
    ).where(_D.pitcher_id == pitcher_id, _D.reference.is_not(None))
    columns = ["reference", "status", "submitted_at", "erased_at", "reason"]
    kept = insert_with_conflicts(session, ErasedPitch).from_select(columns, sent)
    await session.execute(kept.on_conflict_do_nothing(index_elements=["reference"]))
    gone = delete(PITCHERS).where(_P.id == pitcher_id).returning(_P.chat_id, _P.telegram_user_id)
    erased = (await session.execute(gone)).one_or_none()
    if erased is None:
        return False
    chats = set(erased)  # a private chat's id is its user's; updates without a chat use it
    await session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id.in_(chats)))
    theirs = delete(InboxUpdate).where(InboxUpdate.chat_key.in_(chats))
    if up_to_update is not None:
        theirs = theirs.where(InboxUpdate.update_id <= up_to_update)
    await session.execute(theirs)
    return True
