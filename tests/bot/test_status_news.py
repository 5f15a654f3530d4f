"""Words to the pitcher are deliberate: a status they hear of is shown first, with choices.

The staff member reads the message the pitcher will get (in the pitcher's language), then
sends it, sends it with a personal word, or changes the status without telling. A referral
first asks to whom, and the pitcher hears it.
"""

from __future__ import annotations

from tests.bot.conftest import OLGA, PIETER, STAFF_CHAT, TeamHarness, make_team_app
from tests.bot.scenario import visible
from tests.bot.staff_scenario import (
    cards,
    events_of,
    only,
    pitch_row,
    preview_of,
    send_pitch,
    set_status,
    texts,
)
from tests.support.telegram import PrivateChat, Sent

ANNA = 1001


async def proposed(team: TeamHarness, status: str, language: str = "nl") -> tuple[str, Sent]:
    """Anna's pitch, and Olga's preview of moving it to ``status``."""
    reference, _ = await send_pitch(team.pitcher(language_code=language), language)
    replies = await team.olga().send(f"/status {reference} {status}")
    preview = preview_of(replies, team.olga())
    assert preview is not None, texts(replies)
    return reference, preview


async def test_the_pitcher_hears_nothing_until_the_message_is_chosen(team: TeamHarness) -> None:
    anna = team.pitcher(language_code="en")
    reference, _ = await send_pitch(anna, "en")
    to_anna = len(team.request.messages_to(ANNA))

    replies = await team.olga().send(f"/status {reference} supported")

    preview = only(replies, OLGA)[-1]
    shown = visible(preview.text)
    assert shown.startswith(f"👀 {reference} → 🌱 ondersteund. Zo leest de pitcher het")
    assert "English" in shown and "We're supporting your idea" in shown, "in her language"
    assert [label for label, _ in preview.buttons] == [
        "📨 Versturen",
        "✍️ Met een persoonlijk woord",
        "🤫 Wijzigen zonder bericht",
    ]
    assert len(team.request.messages_to(ANNA)) == to_anna
    assert (await pitch_row(team.database, reference)).status == "new"


async def test_send_tells_the_pitcher_and_the_preview_says_what_was_done(
    team: TeamHarness,
) -> None:
    reference, preview = await proposed(team, "supported")
    olga = team.olga()

    replies = await olga.tap_on(preview, "Versturen")

    assert "We ondersteunen je idee" in only(replies, ANNA)[0].text
    done = only(replies, OLGA)[-1]
    assert done.method == "editMessageText" and done.message_id == preview.message_id
    assert visible(done.text) == (
        f"✅ {reference}: 🆕 nieuw → 🌱 ondersteund\n\n"
        f"📨 De pitcher van {reference} kreeg het bericht."
    )
    assert done.buttons == [], "nothing left to press"
    assert (await pitch_row(team.database, reference)).status == "supported"
    assert any("🌱 ondersteund" in visible(m.text) for m in replies if m.chat_id == STAFF_CHAT), (
        "the card is redrawn"
    )


async def test_a_personal_word_is_asked_for_and_sent_below_the_news(team: TeamHarness) -> None:
    reference, preview = await proposed(team, "supported")
    olga = team.olga()

    asked = only(await olga.tap_on(preview, "persoonlijk woord"), OLGA)
    prompt = asked[-1]
    assert "schrijf je persoonlijk woord" in visible(prompt.text)
    assert "force_reply" in str(prompt.params.get("reply_markup"))
    assert (await pitch_row(team.database, reference)).status == "new", "not yet"

    replies = await olga.reply(prompt, "Proficiat! Ik bel je maandag.")

    news = visible(only(replies, ANNA)[0].text)
    assert "We ondersteunen je idee" in news
    assert news.endswith("✉️ Olga van het team schrijft erbij:\nProficiat! Ik bel je maandag.")
    assert (await pitch_row(team.database, reference)).status == "supported"
    history = visible((await olga.send(f"/pitch {reference}"))[-1].text)
    assert "✉️ “Proficiat! Ik bel je maandag.”" in history


async def test_change_without_telling_tells_nobody(team: TeamHarness) -> None:
    reference, preview = await proposed(team, "not_pursued")
    olga = team.olga()
    to_anna = len(team.request.messages_to(ANNA))

    replies = await olga.tap_on(preview, "zonder bericht")

    assert len(team.request.messages_to(ANNA)) == to_anna
    assert visible(only(replies, OLGA)[-1].text) == (
        f"✅ {reference}: 🆕 nieuw → ⏹ niet verder (de pitcher kreeg geen bericht)"
    )
    events = await events_of(team.database, reference)
    assert events[-1] == ("status", OLGA, {"from": "new", "to": "not_pursued", "told": False})


async def test_a_referral_asks_to_whom_and_the_pitcher_hears_it(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()

    asked = only(await olga.send(f"/status {reference} doorverwezen"), OLGA)[-1]
    assert "aan wie verwijs je" in visible(asked.text)
    replies = await olga.reply(asked, "Buurtwerk Noord (Lies)")
    preview = preview_of(replies, olga)
    assert preview is not None
    assert "doorgegeven aan Buurtwerk Noord (Lies)" in visible(preview.text)

    sent = await olga.tap_on(preview, "Versturen")

    assert "doorgegeven aan Buurtwerk Noord (Lies)" in visible(only(sent, ANNA)[0].text)
    history = visible((await olga.send(f"/pitch {reference}"))[-1].text)
    assert "🆕 nieuw → 🤝 doorverwezen (naar Buurtwerk Noord (Lies))" in history


async def test_the_same_status_again_never_messages_the_pitcher_twice(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()
    await set_status(olga, reference, "supported")
    to_anna = len(team.request.messages_to(ANNA))

    again = await olga.send(f"/status {reference} ondersteund")

    assert texts(only(again, OLGA)) == [f"{reference} staat al op 🌱 ondersteund."]
    assert len(team.request.messages_to(ANNA)) == to_anna


async def test_a_choice_counts_once_and_only_for_who_proposed_it(team: TeamHarness) -> None:
    reference, preview = await proposed(team, "in_conversation")
    olga = team.olga()
    pieter = team.pieter()

    await pieter.press(preview.data("Versturen"), on=preview)
    assert "niet (meer) voor jou open" in (pieter.toast() or "")
    await olga.tap_on(preview, "Versturen")
    to_anna = len(team.request.messages_to(ANNA))
    await olga.tap_on(preview, "Versturen")  # a second press on the same preview

    assert "niet (meer) voor jou open" in (olga.toast() or "")
    assert len(team.request.messages_to(ANNA)) == to_anna, "told once"
    kinds = [kind for kind, _, _ in await events_of(team.database, reference)]
    assert kinds.count("status") == 2, "sent, then one change"


async def test_a_status_button_in_the_group_shows_the_preview_there(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    card = cards(team, reference)[0]
    pieter = team.in_group(PIETER, "Pieter")
    full = only(await pieter.tap_on(card, "Alles tonen"), STAFF_CHAT)[-1]

    replies = await pieter.tap_on(full, "in gesprek")

    preview = preview_of(replies, pieter)
    assert preview is not None and preview.chat_id == STAFF_CHAT
    assert only(replies, ANNA) == []


async def test_a_proposal_survives_a_restart(team: TeamHarness) -> None:
    """The choice is stored between its steps: a new process takes the press."""
    reference, preview = await proposed(team, "supported")
    app, request, _ = make_team_app(team.database, team.clock, team.monotonic)
    async with app:
        olga = PrivateChat(app, request, OLGA, "Olga", "nl", username="olga")
        replies = await olga.press(preview.data("Versturen"), on=preview)

    assert "We ondersteunen je idee" in only(replies, ANNA)[0].text
