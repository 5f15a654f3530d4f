"""Leases: a named piece of work that one process at a time does, for a while.

Several webhook workers share one PostgreSQL database; each runs the same jobs (the staff
group's outbox, people's owed messages). A lease makes one of them do it: taken when free
or run out, renewed by its holder, given back when done. A holder that crashed blocks
the work only until its lease runs out. One conditional upsert decides, on both databases.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from storage.database import Session, insert_with_conflicts
from storage.models import Lease


async def take(session: Session, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Hold ``name`` until ``until`` if it is free, run out or ours already; False when
    another holder has it."""
    insert = insert_with_conflicts(session, Lease).values(
        name=name, holder=holder, expires_at=until
    )
    taken = insert.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": holder, "expires_at": until},
        where=(Lease.expires_at <= now) | (Lease.holder == holder),
    ).returning(Lease.name)
    return (await session.execute(taken)).scalar_one_or_none() is not None


async def give_back(session: Session, name: str, holder: str, now: datetime) -> None:
    """Done for now: anyone may take it at once."""
    await session.execute(
        update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=now)
    )
