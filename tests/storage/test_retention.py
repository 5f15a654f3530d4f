"""Retention's rules: which drafts go, which pitchers are erased, and that a dry run counts
the same and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.retention import Purged, Retention
from storage.database import Database
from storage.events import add_message
from storage.models import Answer, ErasedPitch, OutboxMessage, Pitch, Pitcher
from tests.storage.staff_helpers import NOW, draft, pitcher, sent

DAY = timedelta(days=1)


async def _age(session: AsyncSession, pitch: Pitch, days: int, *, closed: bool = False) -> None:
    """The pitch was last touched (and, ``closed``, decided) ``days`` before NOW."""
    then = NOW - days * DAY
    values: dict[str, Any] = {"updated_at": then}
    if closed:
        values["status_changed_at"] = then
    await session.execute(update(Pitch).where(Pitch.id == pitch.id).values(**values))


async def _counts(database: Database) -> dict[str, int]:
    async with database.sessions() as session:
        return {
            table.__tablename__: int(
                (await session.execute(select(func.count()).select_from(table))).scalar_one()
            )
            for table in (Pitcher, Pitch, Answer, ErasedPitch, OutboxMessage)
        }


def _retention(database: Database, closed_days: int | None = None) -> Retention:
    return Retention(database, draft_days=60, closed_days=closed_days, clock=lambda: NOW)


async def test_a_draft_untouched_for_61_days_goes_one_of_59_days_stays(database: Database) -> None:
    async with database.transaction() as session:
        anna, bram = await pitcher(session, 1001, "Anna"), await pitcher(session, 1002, "Bram")
        await _age(session, await draft(session, anna), 61)
        kept = await draft(session, bram)
        await _age(session, kept, 59)
        await _age(session, await sent(session, anna, NOW - 400 * DAY), 400)  # sent: stays

    assert await _retention(database).purge() == Purged(drafts=1, pitchers=0, pitches=0)

    async with database.sessions() as session:
        left = (await session.execute(select(Pitch.id, Pitch.status))).all()
        people = (await session.execute(select(func.count()).select_from(Pitcher))).scalar_one()
    assert sorted(status for _, status in left) == ["draft", "new"]
    assert kept.id in {pitch_id for pitch_id, _ in left}
    assert people == 2, "only the draft goes, never the person"


async def _closed_and_open(database: Database) -> dict[str, int]:
    """Ines: two pitches closed 400 days ago. Jo: one closed long ago and one still in
    review. Kim: closed long ago, but wrote to the team last week. Lou: closed 100 days
    ago. Mo: closed long ago, and a draft of 61 days that retention deletes first."""
    async with database.transaction() as session:
        people = {
            name: await pitcher(session, 1000 + i, name)
            for i, name in enumerate(("Ines", "Jo", "Kim", "Lou", "Mo"))
        }
        for name in ("Ines", "Ines", "Jo", "Kim", "Mo"):
            old = await sent(session, people[name], NOW - 500 * DAY, status="archived")
            await _age(session, old, 400, closed=True)
        await sent(session, people["Jo"], NOW - 500 * DAY, status="in_review")
        lou = await sent(session, people["Lou"], NOW - 200 * DAY, status="supported")
        await _age(session, lou, 100, closed=True)
        kim = await session.execute(select(Pitch.id).where(Pitch.pitcher_id == people["Kim"].id))
        await add_message(
            session,
            kim.scalar_one(),
            "Nog een vraag",
            direction="in",
            actor_id=None,
            delivered=True,
            now=NOW - 7 * DAY,
        )
        await _age(session, await draft(session, people["Mo"]), 61)
        return {name: p.id for name, p in people.items()}


async def test_closed_retention_erases_only_pitchers_with_nothing_open_or_recent(
    database: Database,
) -> None:
    people = await _closed_and_open(database)

    purged = await _retention(database, closed_days=365).purge()

    assert purged == Purged(drafts=1, pitchers=2, pitches=3)
    async with database.sessions() as session:
        left = set((await session.execute(select(Pitcher.first_name))).scalars())
        kept = (await session.execute(select(ErasedPitch.reason))).scalars().all()
        notices = (
            (await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "erased")))
            .scalars()
            .all()
        )
    assert left == {"Jo", "Kim", "Lou"}, "an open pitch, a recent message, closed too recently"
    assert kept == ["retention"] * 3, "a tombstone per sent pitch"
    assert len(notices) == 2
    assert {n.payload["reason"] for n in notices} == {"retention"}
    assert sorted(len(n.payload["references"]) for n in notices) == [1, 2]
    assert set(people) - left == {"Ines", "Mo"}


async def test_closed_retention_off_keeps_every_pitcher(database: Database) -> None:
    await _closed_and_open(database)
    assert await _retention(database).purge() == Purged(drafts=1, pitchers=0, pitches=0)
    assert (await _counts(database))["pitchers"] == 5


async def test_a_dry_run_counts_the_same_and_changes_nothing(database: Database) -> None:
    await _closed_and_open(database)
    before = await _counts(database)

    counted = await _retention(database, closed_days=365).purge(dry_run=True)

    assert await _counts(database) == before
    purged = await _retention(database, closed_days=365).purge()
    assert (counted.drafts, counted.pitchers, counted.pitches) == (1, 2, 3)
    assert (purged.drafts, purged.pitchers, purged.pitches) == (1, 2, 3)
    again = await _retention(database, closed_days=365).purge()
    assert (again.drafts, again.pitchers, again.pitches) == (0, 0, 0), "nothing left to do"


async def test_a_pitcher_who_writes_before_the_erasure_is_kept(database: Database) -> None:
    people = await _closed_and_open(database)
    retention = _retention(database, closed_days=365)
    cutoff, drafts_before = NOW - 365 * DAY, NOW - 60 * DAY

    async with database.transaction() as session:  # Ines writes while the purge runs
        ines = select(Pitch.id).where(Pitch.pitcher_id == people["Ines"]).limit(1)
        pitch_id = (await session.execute(ines)).scalar_one()
        await add_message(
            session, pitch_id, "Hallo", direction="in", actor_id=None, delivered=True, now=NOW
        )
    assert await retention._erase(people["Ines"], cutoff, drafts_before) is None
    assert await retention._erase(424242, cutoff, drafts_before) is None


async def test_a_person_left_with_nothing_is_deleted_not_kept_for_their_name(
    database: Database,
) -> None:
    """Nora agreed 90 days ago and only had a draft untouched for 61 days: with the draft,
    her name and Telegram id go. Otto (same, but a draft of last week), Piet (agreed ten
    days ago, nothing yet) and Quinn (a sent pitch) stay."""
    async with database.transaction() as session:
        people = {
            name: await pitcher(session, 2000 + i, name)
            for i, name in enumerate(("Nora", "Otto", "Piet", "Quinn"))
        }
        for name in ("Nora", "Otto", "Quinn"):
            people[name].consent_at = NOW - 90 * DAY
        people["Piet"].consent_at = NOW - 10 * DAY
        await _age(session, await draft(session, people["Nora"]), 61)
        await _age(session, await draft(session, people["Otto"]), 7)
        await sent(session, people["Quinn"], NOW - 80 * DAY)

    counted = await _retention(database).purge(dry_run=True)
    purged = await _retention(database).purge()

    assert (counted.drafts, counted.people) == (purged.drafts, purged.people) == (1, 1)
    async with database.sessions() as session:
        left = set((await session.execute(select(Pitcher.first_name))).scalars())
    assert left == {"Otto", "Piet", "Quinn"}
