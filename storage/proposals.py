"""Status changes a staff member is about to make (see :class:`storage.models.StatusProposal`).

One per member and pitch: proposing again replaces it. Functions take the caller's
session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import Table, delete, select, update

from storage.database import Session
from storage.models import StatusProposal

Waiting = Literal["referral", "choice", "word"]
_S = cast(Table, StatusProposal.__table__).c


@dataclass(frozen=True)
class Proposal:
    status: str
    referral: str | None
    waiting: Waiting


async def propose(
    session: Session, staff_id: int, pitch_id: int, status: str, waiting: Waiting, now: datetime
) -> None:
    """The member is about to move the pitch to ``status``; an earlier proposal goes."""
    await drop(session, staff_id, pitch_id)
    session.add(
        StatusProposal(
            staff_user_id=staff_id,
            pitch_id=pitch_id,
            status=status,
            waiting=waiting,
            created_at=now,
        )
    )


async def proposal(session: Session, staff_id: int, pitch_id: int) -> Proposal | None:
    query = select(_S.status, _S.referral, _S.waiting).where(
        _S.staff_user_id == staff_id, _S.pitch_id == pitch_id
    )
    row = (await session.execute(query)).one_or_none()
    return Proposal(row.status, row.referral, cast(Waiting, row.waiting)) if row else None


async def advance(
    session: Session,
    staff_id: int,
    pitch_id: int,
    waiting: Waiting,
    referral: str | None = None,
) -> None:
    """The next step of a proposal (and to whom, once the member said so)."""
    values: dict[str, object] = {"waiting": waiting}
    if referral is not None:
        values["referral"] = referral
    mine = update(StatusProposal).where(
        StatusProposal.staff_user_id == staff_id, StatusProposal.pitch_id == pitch_id
    )
    await session.execute(mine.values(**values))


async def drop(session: Session, staff_id: int, pitch_id: int) -> None:
    await session.execute(
        delete(StatusProposal).where(
            StatusProposal.staff_user_id == staff_id, StatusProposal.pitch_id == pitch_id
        )
    )
