"""`pitchbot purge [--dry-run]`: the nightly retention purge, for cron; counts only."""

from __future__ import annotations

import asyncio

from bot.housekeeping import RETENTION
from bot.settings import Settings
from services.leases import Leases
from services.retention import Purged, Retention
from storage.database import create_database

EXIT_BUSY = 1


def purge(settings: Settings, *, dry_run: bool) -> int:
    """Purge (or count) and print what went; exit 1 when another process purges now."""
    purged = asyncio.run(_purge(settings, dry_run=dry_run))
    if purged is None:
        print("another process is purging now (its lease is held): nothing done")
        return EXIT_BUSY
    for line in report(purged, settings):
        print(line)
    return 0


async def _purge(settings: Settings, *, dry_run: bool) -> Purged | None:
    database = create_database(settings.database_url)
    try:
        retention = Retention(
            database,
            draft_days=settings.draft_retention_days,
            closed_days=settings.closed_retention_days,
        )
        if dry_run:  # reads only: no lease needed
            return await retention.purge(dry_run=True)
        async with Leases(database).held(RETENTION) as ours:
            return await retention.purge() if ours else None
    finally:
        await database.dispose()


def report(purged: Purged, settings: Settings) -> list[str]:
    """What went, as counts (no names, no references)."""
    deleted, erased = ("to delete", "to erase") if purged.dry_run else ("deleted", "erased")
    lines = ["dry run: nothing is changed"] if purged.dry_run else []
    days = settings.draft_retention_days
    lines.append(f"drafts untouched for {days} days: {purged.drafts} {deleted}")
    lines.append(
        f"people with nothing left (no pitch, agreed over {days} days ago): "
        f"{purged.people} {deleted}"
    )
    closed = settings.closed_retention_days
    if closed is None:
        lines.append("closed pitches: kept (PITCHBOT_CLOSED_RETENTION_DAYS is not set)")
    else:
        lines.append(
            f"pitchers whose pitches were closed for {closed} days: {purged.pitchers} {erased}, "
            f"with {purged.pitches} sent pitch(es)"
        )
    return lines
