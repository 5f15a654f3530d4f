"""What a coach does next: /mine, /waiting, and lists that say who has a pitch."""

from __future__ import annotations

from datetime import timedelta

from tests.bot.conftest import PIETER, STAFF_CHAT, TeamHarness
from tests.bot.scenario import visible
from tests.bot.staff_scenario import send_pitch, set_status


async def test_mine_lists_my_open_pitches_with_who_and_when(team: TeamHarness) -> None:
    anna_ref, _ = await send_pitch(team.pitcher())
    bram_ref, _ = await send_pitch(team.pitcher(1002, "Bram"))
    olga = team.olga()
    await olga.send(f"/assign {anna_ref} me")
    team.clock.now += timedelta(hours=3)

    mine = visible((await olga.send("/mine"))[0].text)
    theirs = visible((await team.pieter().send("/mine"))[0].text)

    assert "Mijn pitches" in mine and anna_ref in mine and bram_ref not in mine
    assert "🙋 Olga · 🕒" in mine, "who has it and the last activity, per line"
    assert "Je hebt geen lopende pitches" in theirs
    await set_status(olga, anna_ref, "supported")
    assert anna_ref not in visible((await olga.send("/mine"))[0].text), "decided: off the list"


async def test_waiting_shows_who_waits_for_us_and_how_long(team: TeamHarness) -> None:
    anna = team.pitcher()
    anna_ref, _ = await send_pitch(anna)
    bram_ref, _ = await send_pitch(team.pitcher(1002, "Bram"))
    olga = team.olga()
    await olga.send(f"/assign {anna_ref} me")
    team.clock.now += timedelta(hours=2)

    before = visible((await olga.send("/waiting"))[0].text)
    assert bram_ref in before and anna_ref not in before, "taken and quiet: nothing to do"
    assert "Nog door niemand opgenomen: verstuurd 2 u 0 min geleden" in before

    await anna.send("Hebben jullie mijn plan al kunnen lezen?")
    team.clock.now += timedelta(minutes=30)
    during = visible((await olga.send("/waiting"))[0].text)
    assert during.index(bram_ref) < during.index(anna_ref), "the longest waiting first"
    assert "De pitcher schreef als laatste: wacht 30 min op ons antwoord" in during

    await olga.send(f"/reply {anna_ref} Ja, we bellen je morgen.")
    await team.in_group(PIETER, "Pieter").send(f"/assign {bram_ref} me")
    after = visible((await olga.send("/waiting"))[0].text)
    assert "Niets wacht op het team" in after


async def test_new_and_pitches_say_who_has_each_pitch(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()
    assert "🙋 nog niemand · 🕒" in visible((await olga.send("/new"))[0].text)

    await olga.send(f"/assign {reference} me")

    assert "🙋 Olga · 🕒" in visible((await olga.send("/pitches frigo"))[0].text)


async def test_the_card_shows_the_last_activity_after_a_reply_a_note_and_the_pitcher(
    team: TeamHarness,
) -> None:
    """Every change to a pitch redraws its card in the group, so its 🕒 is always true."""
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)
    olga = team.olga()

    def card_edits() -> list[str]:
        return [
            visible(m.text).split("\n")[0]  # the card's title line
            for m in team.request.messages_to(STAFF_CHAT)
            if m.method == "editMessageText" and m.text.startswith(f"📬 <b>{reference}")
        ]

    team.clock.now += timedelta(hours=1)
    await olga.send(f"/note {reference} Bellen na de vakantie")
    assert card_edits()[-1].endswith("🕒 2026-11-26 12:00"), card_edits()
    team.clock.now += timedelta(hours=1)
    await olga.send(f"/reply {reference} Dag Anna!")
    assert card_edits()[-1].endswith("🕒 2026-11-26 13:00")
    team.clock.now += timedelta(hours=1)
    await anna.send("Dank je, tot dan!")
    assert card_edits()[-1].endswith("🕒 2026-11-26 14:00"), "the pitcher wrote"
    assert len(card_edits()) == 3
