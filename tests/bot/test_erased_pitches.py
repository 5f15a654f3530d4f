"""The team is not left guessing about an erased pitch: its reference says when and why it
was erased, and the figures keep counting it — nothing more of it is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import pitches
from storage.database import Session
from storage.workflow import erase_pitcher
from tests.bot.conftest import OLGA, TeamHarness
from tests.bot.scenario import visible
from tests.bot.staff_scenario import cards, only, send_pitch, set_status, texts

ANNA, BRAM, CHRIS = 1001, 1002, 1003
WHY = {
    "request": "🗑️ {reference} werd gewist op vraag van de pitcher op 3 december 2026 "
    "(ingestuurd op 26 november 2026). Er is niets meer van bewaard.",
    "team": "🗑️ {reference} werd op 3 december 2026 door het team gewist, op vraag van de "
    "pitcher (ingestuurd op 26 november 2026). Er is niets meer van bewaard.",
    "retention": "🗑️ {reference} werd gewist op 3 december 2026: het was langer afgerond dan "
    "we pitches bewaren (ingestuurd op 26 november 2026). Er is niets meer van bewaard.",
}


async def erase(team: TeamHarness, reference: str, reason: str) -> None:
    """Erase the pitcher of ``reference`` as ``reason`` says: they themselves, the team,
    or the retention purge (its unit of work, through storage)."""
    if reason == "request":
        anna = team.pitcher(ANNA, "Anna")
        await anna.send("/forgetme")
        await anna.tap("Ja, wis alles")
    elif reason == "team":
        olga = team.olga()
        await olga.tap_on(only(await olga.send(f"/erase {reference}"), OLGA)[0], "Ja")
    else:
        async with team.database.transaction() as session:
            pitcher_id = await _pitcher_of(session, reference)
            assert await erase_pitcher(session, pitcher_id, reason=reason, now=team.clock())


async def _pitcher_of(session: Session, reference: str) -> int:
    found = await pitches.find(session, reference)
    assert found is not None
    return found.pitcher.id


@pytest.mark.parametrize("reason", list(WHY))
async def test_an_erased_reference_says_when_and_why_wherever_it_is_named(
    team: TeamHarness, reason: str
) -> None:
    reference, _ = await send_pitch(team.pitcher(ANNA, "Anna"))
    card = cards(team, reference)[0]
    team.clock.now += timedelta(days=7)  # 3 December
    await erase(team, reference, reason)
    olga = team.olga()
    said = WHY[reason].format(reference=reference)

    for command in (
        f"/pitch {reference}",
        f"/pitch {reference.lower()}",
        f"/note {reference} belt terug",
        f"/status {reference} in_review",
        f"/reply {reference} Dag Anna",
        f"/erase {reference}",
    ):
        assert texts(only(await olga.send(command), OLGA)) == [said], command
    group = team.in_group(OLGA, "Olga", "olga")
    assert await group.tap_on(card, "neem het op") == []
    assert group.toast() == said, "a button on its old card says so too"
    assert len(said) <= 200, "a toast shows it whole"


async def test_a_reference_that_never_was_is_simply_not_found(team: TeamHarness) -> None:
    await send_pitch(team.pitcher(ANNA, "Anna"))

    assert texts(await team.olga().send("/pitch P-2026-0099")) == ["Die pitch vind ik niet."]


async def test_stats_keep_counting_erased_pitches_under_their_status_then(
    team: TeamHarness,
) -> None:
    olga = team.olga()
    kept, _ = await send_pitch(team.pitcher(BRAM, "Bram"))
    supported, _ = await send_pitch(team.pitcher(ANNA, "Anna"))
    await set_status(olga, supported, "supported")
    fresh, _ = await send_pitch(team.pitcher(CHRIS, "Chris"))
    await erase(team, supported, "team")
    await erase(team, fresh, "retention")

    shown = texts(await olga.send("/stats"))[0]

    expected = (
        "🆕 nieuw: 2",
        "🌱 ondersteund: 1",
        "🗑️ Waarvan gewist: 2 (geteld bij hun status op het moment van wissen)",
        "Nieuw de voorbije 7 dagen: 3",
    )
    assert [line for line in expected if line not in shown] == [], shown
    assert kept in visible((await olga.send("/new"))[0].text)
