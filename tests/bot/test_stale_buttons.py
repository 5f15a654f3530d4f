"""A button drawn for one person's pitch never acts on another person's pitch.

Each scenario erases the newest pitch and lets a new one be sent right after: with ids
reused (SQLite without AUTOINCREMENT) the new pitch took the erased one's id, and the
old buttons acted on it.
"""

from __future__ import annotations

from storage.models import Pitcher
from tests.bot.conftest import OLGA, PIETER, STAFF_CHAT, TeamHarness
from tests.bot.scenario import snapshot, visible
from tests.bot.staff_scenario import cards, in_group, only, pitch_row, send_pitch

ANNA, BRAM = 1001, 1002


def gone(reference: str, by: str = "team") -> str:
    """What staff read about a pitch erased today (by the team, or at the pitcher's own
    request): the reference, the dates and that fact."""
    if by == "team":
        erased = "werd op 26 november 2026 door het team gewist, op vraag van de pitcher"
    else:
        erased = "werd gewist op vraag van de pitcher op 26 november 2026"
    return f"🗑️ {reference} {erased} (ingestuurd op 26 november 2026). Er is niets meer van bewaard."


async def test_take_on_the_card_of_an_erased_pitch_does_not_take_the_next_pitch(
    team: TeamHarness,
) -> None:
    old, _ = await send_pitch(team.pitcher(ANNA, "Anna"))
    old_id = (await pitch_row(team.database, old)).id
    card = cards(team, old)[0]
    olga = team.in_group(OLGA, "Olga", "olga")
    await olga.tap_on(only(await team.olga().send(f"/erase {old}"), OLGA)[0], "Ja, alles wissen")
    new, _ = await send_pitch(team.pitcher(BRAM, "Bram"))
    assert (await pitch_row(team.database, new)).id > old_id, "ids are never handed out twice"
    before = await snapshot(team.database)

    replies = await olga.tap_on(card, "neem het op")

    assert olga.toast() == gone(old)
    assert replies == [], "the old card is not redrawn as someone else's pitch"
    assert await snapshot(team.database) == before
    assert (await pitch_row(team.database, new)).assignee_id is None


async def test_a_second_erase_prompt_pressed_late_does_not_erase_the_next_pitcher(
    team: TeamHarness,
) -> None:
    old, _ = await send_pitch(team.pitcher(ANNA, "Anna"))
    olga, pieter = team.olga(), team.pieter()
    olgas = only(await olga.send(f"/erase {old}"), OLGA)[0]
    pieters = only(await pieter.send(f"/erase {old}"), PIETER)[0]
    await olga.tap_on(olgas, "Ja, alles wissen")
    bram = team.pitcher(BRAM, "Bram")
    new, _ = await send_pitch(bram)
    before = await snapshot(team.database)
    to_bram = len(team.request.calls)

    replies = await pieter.tap_on(pieters, "Ja, alles wissen")

    assert pieter.toast() == gone(old)
    assert replies == []
    assert await snapshot(team.database) == before, "Bram and his pitch are all there"
    assert team.request.messages_to(BRAM, to_bram) == [], "Bram is told nothing"
    async with team.database.sessions() as session:
        assert await session.get(Pitcher, (await pitch_row(team.database, new)).pitcher_id)


async def test_reply_on_a_message_of_a_pitcher_who_left_never_reaches_the_next_pitcher(
    team: TeamHarness,
) -> None:
    anna = team.pitcher(ANNA, "Anna")
    old, _ = await send_pitch(anna)
    relayed = in_group(await anna.send("Mijn adres is Kerkstraat 1, bel gerust"))[0]
    await anna.send("/forgetme")
    await anna.tap("Ja, wis alles")
    bram = team.pitcher(BRAM, "Bram")
    await send_pitch(bram)
    to_bram = len(team.request.calls)
    olga = team.in_group(OLGA, "Olga", "olga")

    pressed = await olga.tap_on(relayed, "Antwoorden")
    answered = await olga.reply(relayed, "Dank je, we komen langs op je adres")

    assert olga.toast() == gone(old, by="pitcher")
    assert pressed == [], "no reply prompt for someone else's pitch"
    assert team.request.messages_to(BRAM, to_bram) == [], "nothing reaches Bram"
    assert [visible(m.text) for m in answered] == [gone(old, by="pitcher")]
    assert only(answered, STAFF_CHAT) == answered, "said where Olga wrote, nowhere else"
