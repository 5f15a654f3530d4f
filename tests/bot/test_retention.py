"""The nightly purge on the job queue: a stale draft goes, and the pitcher of a pitch
closed long ago is erased, the staff group told as after /forgetme."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.database import Database
from storage.models import ErasedPitch, Pitch, Pitcher
from storage.workflow import set_status
from tests.bot.conftest import OLGA, STAFF_CHAT, FrozenClock
from tests.bot.scenario import consent, visible
from tests.bot.staff_scenario import pitch_row, redrawn, send_pitch
from tests.bot.test_reminders import _job, started


async def test_the_nightly_purge_erases_long_closed_pitchers_and_stale_drafts(
    database: Database, clock: FrozenClock
) -> None:
    team = await started(database, clock, closed_retention_days=365, reminder_after_hours=0)
    try:
        reference, _ = await send_pitch(team.pitcher())
        await team.settle()
        row = await pitch_row(database, reference)
        async with database.transaction() as session:
            await set_status(session, row.id, "archived", actor_id=OLGA, now=clock.now)
        await consent(team.pitcher(1002, "Bram"))  # a draft, left alone
        clock.now += timedelta(days=366)
        before = len(team.request.calls)

        await _job(team, "retention").run(team.app)
        await team.settle()

        async with database.sessions() as session:
            people = (await session.execute(select(Pitcher.first_name))).scalars().all()
            left = (await session.execute(select(Pitch.id))).scalars().all()
            [kept] = (await session.execute(select(ErasedPitch))).scalars().all()
        # Anna erased; Bram's draft deleted, and Bram with it: nothing of his was left
        assert people == [] and left == []
        assert (kept.reference, kept.reason) == (reference, "retention")
        [notice] = [
            visible(m.text)
            for m in team.request.messages_to(STAFF_CHAT, before)
            if m.method == "sendMessage"
        ]
        assert notice.startswith(f"🗑️ Bewaartermijn voorbij: alles van de pitcher van {reference}")
        assert "langer dan 365 dagen afgesloten" in notice
        assert redrawn(team.request.messages_to(STAFF_CHAT, before)) == [
            f"🗑️ {reference}: gewist na de bewaartermijn."
        ]
    finally:
        await team.app.shutdown()
