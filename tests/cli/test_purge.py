"""`pitchbot purge [--dry-run]`: counts only, on the configured database; a dry run
prints the same counts and changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from cli.main import main
from storage.database import Database
from storage.models import Pitch, Pitcher
from tests.storage.staff_helpers import draft, pitcher, sent

DAY = timedelta(days=1)


async def _aged(database: Database) -> None:
    """Ines: a pitch archived 400 days ago. Jo: a draft of 61 days and one of 59 days."""
    now = datetime.now(UTC)
    async with database.transaction() as session:
        ines, jo = await pitcher(session, 1001, "Ines"), await pitcher(session, 1002, "Jo")
        old = await sent(session, ines, now - 500 * DAY, status="archived")
        stale, fresh = await draft(session, jo), await draft(session, jo)
        for pitch, days in ((old, 400), (stale, 61), (fresh, 59)):
            then = now - days * DAY
            await session.execute(
                update(Pitch)
                .where(Pitch.id == pitch.id)
                .values(updated_at=then, status_changed_at=then if pitch is old else None)
            )


async def _purge(*args: str) -> int:
    """The command, in a thread: it runs its own event loop."""
    return await asyncio.to_thread(main, ["purge", *args])


async def _rows(database: Database) -> tuple[int, int]:
    async with database.sessions() as session:
        people = (await session.execute(select(func.count()).select_from(Pitcher))).scalar_one()
        pitches = (await session.execute(select(func.count()).select_from(Pitch))).scalar_one()
    return people, pitches


async def test_a_dry_run_prints_the_counts_a_purge_then_removes(
    settings_env: str,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PITCHBOT_CLOSED_RETENTION_DAYS", "365")
    await _aged(database)

    assert await _purge("--dry-run") == 0
    dry = capsys.readouterr().out.splitlines()
    assert await _rows(database) == (2, 3), "a dry run changes nothing"
    assert await _purge() == 0
    done = capsys.readouterr().out.splitlines()

    assert dry == [
        "dry run: nothing is changed",
        "drafts untouched for 60 days: 1 to delete",
        "people with nothing left (no pitch, agreed over 60 days ago): 0 to delete",
        "pitchers whose pitches were closed for 365 days: 1 to erase, with 1 sent pitch(es)",
    ]
    assert done == [
        "drafts untouched for 60 days: 1 deleted",
        "people with nothing left (no pitch, agreed over 60 days ago): 0 deleted",
        "pitchers whose pitches were closed for 365 days: 1 erased, with 1 sent pitch(es)",
    ]
    assert await _rows(database) == (1, 1), "Jo and his fresh draft stay"
    assert "Ines" not in " ".join(dry + done)


async def test_without_closed_retention_closed_pitches_are_kept(
    settings_env: str, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    await _aged(database)
    assert await _purge() == 0
    assert capsys.readouterr().out.splitlines() == [
        "drafts untouched for 60 days: 1 deleted",
        "people with nothing left (no pitch, agreed over 60 days ago): 0 deleted",
        "closed pitches: kept (PITCHBOT_CLOSED_RETENTION_DAYS is not set)",
    ]
    assert await _rows(database) == (2, 2)


def test_a_wrong_retention_setting_names_its_variable(
    settings_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PITCHBOT_DRAFT_RETENTION_DAYS", "0")
    assert main(["purge"]) == 2
    assert capsys.readouterr().err.strip() == (
        "pitchbot: PITCHBOT_DRAFT_RETENTION_DAYS: expected a whole number of days, 1 or more, "
        "got '0'"
    )
