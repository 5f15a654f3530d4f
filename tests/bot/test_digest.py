"""The staff group's daily digest: once a day at its hour, whatever restarts, and only
when there is something to tell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.database import Database
from tests.bot.conftest import STAFF_CHAT, FakeMonotonic, FrozenClock, TeamHarness, make_team_app
from tests.bot.scenario import visible
from tests.bot.staff_scenario import retry, send_pitch

MONDAY_EARLY = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # 08:30 in Brussels


def digests(team: TeamHarness) -> list[str]:
    return [
        visible(m.text)
        for m in team.request.messages_to(STAFF_CHAT)
        if m.method == "sendMessage" and "Dagoverzicht" in m.text
    ]


async def started(database: Database, clock: FrozenClock) -> TeamHarness:
    app, request, gate = make_team_app(database, clock, FakeMonotonic(), digest_hour=9)
    await app.initialize()
    return TeamHarness(app, request, database, clock, FakeMonotonic(), gate)


async def test_the_digest_comes_once_a_day_at_its_hour_even_across_a_restart(
    database: Database, clock: FrozenClock
) -> None:
    clock.now = MONDAY_EARLY - timedelta(days=4)
    team = await started(database, clock)
    try:
        old, _ = await send_pitch(team.pitcher())  # four days untaken by the morning
        clock.now = MONDAY_EARLY
        fresh, _ = await send_pitch(team.pitcher(1002, "Bram"))
        await team.olga().send(f"/assign {fresh} me")

        await retry(team)
        assert digests(team) == [], "08:30 in Brussels: not yet"

        clock.now = MONDAY_EARLY + timedelta(minutes=31)  # 09:01
        await retry(team)
        [shown] = digests(team)
        assert shown.startswith("☀️ Dagoverzicht · 2026-11-30")
        assert "🆕 2 nieuwe pitches" in shown and old in shown and fresh in shown
        assert "Wacht langer dan 3 dagen op ons" in shown
        assert f"{old} · 🙋 Nog door niemand opgenomen: verstuurd 4 d 0 u geleden" in shown
        assert shown.count(fresh) == 1, "taken today: new, but not overdue"

        await retry(team)
    finally:
        await team.app.shutdown()
    restarted = await started(database, clock)
    try:
        clock.now += timedelta(hours=2)
        await retry(restarted)
        assert digests(restarted) == [], "the day's digest was queued before the restart"
        clock.now += timedelta(days=1)
        await retry(restarted)
        assert len(digests(restarted)) == 1, "the next day's"
    finally:
        await restarted.app.shutdown()
    assert len(digests(team)) == 1


async def test_no_digest_when_there_is_nothing_to_tell(
    database: Database, clock: FrozenClock
) -> None:
    clock.now = MONDAY_EARLY + timedelta(hours=1)
    team = await started(database, clock)
    try:
        await retry(team)
        assert digests(team) == []
        assert not [m for m in team.request.messages_to(STAFF_CHAT) if m.method == "sendMessage"]
    finally:
        await team.app.shutdown()
