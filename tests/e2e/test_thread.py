"""The thread between the team and a pitcher, end to end: /reply, Telegram's "reply" on
both sides, the 💬 button, relayed messages up to Telegram's limit, and staff commands
typed in the group the way Telegram sends them there (``/new@botname``)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    OLGA,
    PIETER,
    People,
    body,
    press_and_wait,
    says,
    send_pitch,
)

pytestmark = pytest.mark.e2e


async def test_reply_relay_both_ways(people: People) -> None:
    gert = people.pitcher("Gert", "nl")
    reference, _ = await send_pitch(gert)

    olga = await people.olga()
    await olga.send_command("/reply", f"{reference} Dag Gert, mogen we je bellen? Tip & vraag")
    assert body(await olga.next_message()) == says("nl", "staff_reply_sent", reference=reference)
    from_team = await gert.next_message("Bericht van het team")
    assert reference in body(from_team)
    assert "Dag Gert, mogen we je bellen? Tip & vraag" in body(from_team)

    # the pitcher answers with Telegram's "reply": it reaches the staff group, tagged
    answer = "Graag! Bel me na 17 uur <b>&</b> liefst op dinsdag."
    await gert.send_text(answer, reply_to=from_team)
    relayed = await gert.next_message("Doorgestuurd naar het team")
    assert reference in body(relayed)
    in_group = await people.group_message(answer)
    assert body(in_group).startswith(f"↩️ 💬 {reference}")

    # and a team member's reply to that message in the group goes back to the pitcher
    pieter = await people.in_group("Pieter", PIETER)
    await pieter.send_text("Top, we bellen dinsdag om 18 uur.", reply_to=in_group)
    back = await gert.next_message("Bericht van het team")
    assert "Top, we bellen dinsdag om 18 uur." in body(back)
    await people.group_message(says("nl", "staff_reply_sent", reference=reference))

    # the card's 💬 button asks for the message as a reply to its prompt
    card = await people.card(reference)
    await press_and_wait(pieter, card, f"rp:{reference}")
    ask = await people.group_message(f"Pieter, schrijf je bericht aan de pitcher van {reference}")
    assert (ask.get("reply_markup_raw") or {}).get("force_reply") is True, ask
    await pieter.send_text("Mag ik ook je plan zien?", reply_to=ask)
    assert "Mag ik ook je plan zien?" in body(await gert.next_message("Bericht van het team"))

    # outside a draft, whatever the pitcher types goes to the team, up to Telegram's limit
    long_note = "<&> " * 1024
    await gert.send_text(long_note)
    await gert.next_message("Doorgestuurd naar het team")
    relayed_long = await people.group_message(long_note.strip())
    assert len(body(relayed_long)) <= 4096

    await olga.send_command("/pitch", reference)
    history = body(await olga.next_message(reference))
    while "Geschiedenis" not in history:
        history += "\n" + body(await olga.next_message())
    assert answer in history
    assert "Dag Gert, mogen we je bellen?" in history
    assert "Mag ik ook je plan zien?" in history


async def test_staff_commands_in_the_group_carry_the_bots_name(people: People) -> None:
    reference, _ = await send_pitch(people.pitcher("Karel", "nl"))
    olga = await people.in_group("Olga", OLGA)
    await olga.send_text("/new@PitchbotTestBot")
    listing = await olga.next_message("Nieuwe pitches")
    assert reference in body(listing)
    await olga.send_text(f"/status@PitchbotTestBot {reference} in_review")
    assert "🔎 in behandeling" in body(await olga.next_message(reference))

    # chatter in the group that is not a reply to a marked message is left alone
    await olga.send_text(f"Wie neemt {reference} op?")
    await olga.expect_no_new_message(0.5)
