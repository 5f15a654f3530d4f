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
    created = datetime(2026, 7, 1, 14, 0, tzinfo=brussels_summer)
    async with database.sessions() as session:
        pitcher = _pitcher()
        pitcher.created_at = created
        session.add(pitcher)
        await session.commit()

    async with database.sessions() as session:
        again = await session.get(Pitcher, pitcher.id)

    assert again is not None
    assert again.created_at == created
    assert again.created_at.tzinfo is UTC and again.created_at.hour == 12
    assert again.consent_at.tzinfo is UTC and again.consent_at == CONSENT


async def test_a_naive_timestamp_is_refused(database: Database) -> None:
    async with database.sessions() as session:
        pitcher = _pitcher()
        pitcher.created_at = datetime(2026, 7, 1, 14, 0)
        session.add(pitcher)
        with pytest.raises(StatementError, match="naive datetime"):
            await session.flush()
