"""Timestamps keep their instant and come back tz-aware UTC on either database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from storage.database import Database
from storage.models import Pitcher

CONSENT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def _pitcher() -> Pitcher:
    return Pitcher(
        telegram_user_id=1001,
        chat_id=1001,
        language="nl",
        consent_at=CONSENT,
        consent_version="2026-01",
        created_at=CONSENT,
    )


async def test_timestamps_come_back_as_aware_utc(database: Database) -> None:
    brussels_summer = timezone(timedelta(hours=2))
    erased = datetime(2026, 7, 1, 14, 0, tzinfo=brussels_summer)
    async with database.sessions() as session:
        pitcher = _pitcher()
        pitcher.erased_at = erased
        session.add(pitcher)
        await session.commit()

    async with database.sessions() as session:
        again = await session.get(Pitcher, pitcher.id)

    assert again is not None and again.erased_at is not None
    assert again.erased_at == erased
    assert again.erased_at.tzinfo is UTC and again.erased_at.hour == 12
    assert again.consent_at.tzinfo is UTC and again.consent_at == CONSENT


async def test_a_naive_timestamp_is_refused(database: Database) -> None:
    async with database.sessions() as session:
        pitcher = _pitcher()
        pitcher.erased_at = datetime(2026, 7, 1, 14, 0)
        session.add(pitcher)
        with pytest.raises(StatementError, match="naive datetime"):
            await session.flush()
