"""Building blocks for staff scenarios: pitchers and sent pitches, via the repositories.

The staff repositories still take ORM rows: the helpers hand those back, loaded after
the pitcher repository wrote them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage import drafts, pitchers
from storage.database import Database
from storage.models import Pitch, Pitcher
from storage.workflow import set_status

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
OLGA, PIETER = 7001, 7002
"""Telegram user ids of two staff members."""


async def pitcher(session: AsyncSession, user_id: int = 1001, name: str = "Ines") -> Pitcher:
    added = await pitchers.add_pitcher(
        session,
        telegram_user_id=user_id,
        chat_id=user_id,
        username=name.lower(),
        first_name=name,
        language="nl",
        consent_version="2026-01",
        now=NOW,
    )
    row = await session.get(Pitcher, added.id)
    assert row is not None
    return row


async def draft(
    session: AsyncSession, owner: Pitcher, answers: dict[str, str] | None = None
) -> Pitch:
    pitch_id = await drafts.add_draft(
        session, pitcher_id=owner.id, flow_version=1, step="idea", language="nl", now=NOW
    )
    for key, value in (answers or {"idea": "an idea"}).items():
        await drafts.set_answer(session, pitch_id, key, value, None, NOW)
    pitch = await session.get(Pitch, pitch_id)
    assert pitch is not None
    return pitch


async def sent(
    session: AsyncSession,
    owner: Pitcher,
    at: datetime,
    answers: dict[str, str] | None = None,
    status: str = "new",
) -> Pitch:
    """A pitch sent at ``at`` and, if ``status`` is not new, moved there by staff."""
    pitch = await draft(session, owner, answers)
    await drafts.submit(session, pitch.id, at)
    await session.refresh(pitch)
    if status != "new":
        await set_status(session, pitch.id, status, actor_id=OLGA, now=at)
        await session.refresh(pitch)
    return pitch


async def consented(session: AsyncSession, user_id: int = 1001) -> pitchers.PitcherRecord:
    """A person who just consented, as the pitcher repository returns them."""
    return await pitchers.add_pitcher(
        session,
        telegram_user_id=user_id,
        chat_id=user_id,
        username="ines",
        first_name="Ines",
        language="nl",
        consent_version="2026-01",
        now=NOW,
    )


async def open_draft(
    session: AsyncSession, owner: pitchers.PitcherRecord, now: datetime = NOW
) -> int:
    """A new draft of ``owner``, at the first question; its id."""
    return await drafts.add_draft(
        session, pitcher_id=owner.id, flow_version=1, step="idea", language="nl", now=now
    )


async def one_new_pitch(database: Database) -> int:
    """A pitcher with one sent pitch, committed; the pitch's id."""
    async with database.sessions() as session:
        pitch = await sent(session, await pitcher(session), NOW)
        await session.commit()
        return pitch.id
