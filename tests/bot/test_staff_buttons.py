"""The buttons on a pitch card: take it, mark in review, reply, show all."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update

from services.desk import StaffDesk
from storage.database import Database, create_database
from tests.bot.conftest import (
    OLGA,
    PIETER,
    STAFF_CHAT,
    FakeMonotonic,
    FrozenClock,
    TeamHarness,
    make_team_app,
)
from tests.bot.scenario import snapshot, visible
from tests.bot.staff_scenario import (
    FULL,
    cards,
    events_of,
    only,
    pitch_row,
    send_pitch,
    set_status,
    texts,
)
from tests.support.telegram import BOT_USER, NOW, Sent, new_update_id

ANNA = 1001


async def a_card(team: TeamHarness) -> tuple[str, int, Sent]:
    reference, _ = await send_pitch(team.pitcher())
    card = cards(team, reference)[0]
    return reference, (await pitch_row(team.database, reference)).id, card


async def test_taking_a_pitch_from_its_card(team: TeamHarness) -> None:
    reference, pitch_id, card = await a_card(team)
    olga = team.in_group(OLGA, "Olga", "olga")

    replies = await olga.tap_on(card, "neem het op")

    assert olga.toast() == f"🙋 {reference} is nu van jou."
    assert len(replies) == 1
    redrawn = replies[0]
    assert redrawn.method == "editMessageText" and redrawn.message_id == card.message_id
    assert visible(redrawn.text).startswith(f"📬 {reference} · 🆕 nieuw · 🙋 Olga")
    assert redrawn.buttons == [
        ("🙋 Ik neem het op", f"tk:{reference}:n{OLGA}"),
        ("🔎 In behandeling", f"st:{reference}:in_review:n{OLGA}"),
        *card.buttons[2:],
    ], "still a card, its buttons drawn from the pitch as it is now"
    assert "Anna Peeters" not in visible(redrawn.text)
    assert (await pitch_row(team.database, reference)).assignee_id == OLGA
    assert await events_of(team.database, reference) == [
        ("status", None, {"from": "draft", "to": "new"}),
        ("assign", OLGA, {"from": None, "to": OLGA}),
    ]


async def test_the_second_to_take_it_is_told_who_has_it(team: TeamHarness) -> None:
    reference, _, card = await a_card(team)
    await team.in_group(OLGA, "Olga", "olga").tap_on(card, "neem het op")
    pieter = team.in_group(PIETER, "Pieter", "pieter")

    await pieter.tap_on(card, "neem het op")
    assert pieter.toast() == f"{reference} is al opgenomen door Olga."
    await team.in_group(OLGA, "Olga", "olga").tap_on(card, "neem het op")

    assert (await pitch_row(team.database, reference)).assignee_id == OLGA
    assigns = [e for e in await events_of(team.database, reference) if e[0] == "assign"]
    assert len(assigns) == 1, "one assignment, whoever pressed after"


def take_update(app_bot_user: dict[str, object], reference: str, card: Sent) -> dict[str, object]:
    return {
        "update_id": new_update_id(),
        "callback_query": {
            "id": str(new_update_id()),
            "from": app_bot_user,
            "chat_instance": "team",
            "data": f"tk:{reference}",
            "message": {
                "message_id": card.message_id,
                "date": NOW,
                "chat": {"id": STAFF_CHAT, "type": "supergroup", "title": "Team"},
                "from": BOT_USER,
                "text": visible(card.text),
                "reply_markup": card.params["reply_markup"],
            },
        },
    }


async def test_two_staff_taking_the_same_pitch_at_once_one_wins(
    team: TeamHarness,
    database: Database,
    database_url: str,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two bot processes (each its own engine) on one database."""
    reference, pitch_id, card = await a_card(team)
    both_there = asyncio.Barrier(2)
    take = StaffDesk.take

    async def take_at_once(*args: Any, **kwargs: Any) -> Any:
        """Both presses reach the database together, each seeing a free pitch on its card."""
        await asyncio.wait_for(both_there.wait(), 5)
        return await take(*args, **kwargs)

    monkeypatch.setattr(StaffDesk, "take", take_at_once)
    other_database = create_database(database_url)
    other_app, other_request, _ = make_team_app(other_database, clock, FakeMonotonic())
    olga = {"id": OLGA, "is_bot": False, "first_name": "Olga", "username": "olga"}
    pieter = {"id": PIETER, "is_bot": False, "first_name": "Pieter", "username": "pieter"}

    try:
        async with other_app:
            await asyncio.gather(
                team.app.process_update(
                    Update.de_json(take_update(olga, reference, card), team.app.bot)
                ),
                other_app.process_update(
                    Update.de_json(take_update(pieter, reference, card), other_app.bot)
                ),
            )
    finally:
        await other_database.dispose()

    toasts = [r.sent("answerCallbackQuery")[-1]["text"] for r in (team.request, other_request)]
    winner = (await pitch_row(database, reference)).assignee_id
    assert winner in (OLGA, PIETER)
    won, lost = (0, 1) if winner == OLGA else (1, 0)
    name = "Olga" if winner == OLGA else "Pieter"
    assert toasts[won] == f"🙋 {reference} is nu van jou."
    assert toasts[lost] == f"{reference} is al opgenomen door {name}."
    assigns = [e for e in await events_of(database, reference) if e[0] == "assign"]
    assert assigns == [("assign", winner, {"from": None, "to": winner})]
    for request in (team.request, other_request):
        edits = request.sent("editMessageText")
        assert edits and f"🙋 {name}" in visible(edits[-1]["text"]), "both cards show the holder"


async def test_marking_in_review_from_the_card(team: TeamHarness) -> None:
    reference, pitch_id, card = await a_card(team)
    pieter = team.in_group(PIETER, "Pieter", "pieter")
    to_anna = len(team.request.messages_to(ANNA))

    replies = await pieter.tap_on(card, "In behandeling")

    assert pieter.toast() == f"✅ {reference}: 🆕 nieuw → 🔎 in behandeling"
    assert [r.method for r in replies] == ["editMessageText"]
    assert visible(replies[0].text).startswith(f"📬 {reference} · 🔎 in behandeling")
    assert (await pitch_row(team.database, reference)).status == "in_review"
    assert (await events_of(team.database, reference))[-1] == (
        "status",
        PIETER,
        {"from": "new", "to": "in_review"},
    )
    assert len(team.request.messages_to(ANNA)) == to_anna, "in review is not news for her"

    await pieter.tap_on(card, "In behandeling")
    assert pieter.toast() == f"{reference} staat al op 🔎 in behandeling."
    assert len(await events_of(team.database, reference)) == 2


async def test_a_status_button_on_a_stale_card_acts_on_the_current_state(
    team: TeamHarness,
) -> None:
    reference, _, card = await a_card(team)
    olga = team.olga()
    await set_status(olga, reference, "in_conversation")  # the card still says "new"
    assert "🆕 nieuw" in visible(card.text)
    pieter = team.in_group(PIETER, "Pieter")

    replies = await pieter.tap_on(card, "In behandeling")

    assert pieter.toast() == f"✅ {reference}: 💬 in gesprek → 🔎 in behandeling", "says so"
    assert [visible(r.text) for r in replies if r.method == "sendMessage"] == [
        f"ℹ️ {reference} was intussen al gewijzigd: 💬 in gesprek · 🙋 nog niemand. "
        "Je keuze ging uit van hoe het nu is."
    ], "and what changed meanwhile, in plain sight"
    redrawn = [r for r in replies if r.method == "editMessageText"]
    assert visible(redrawn[-1].text).startswith(f"📬 {reference} · 🔎 in behandeling")
    events = await events_of(team.database, reference)
    assert events[-1] == ("status", PIETER, {"from": "in_conversation", "to": "in_review"})


async def test_a_take_on_a_stale_card_says_who_had_it_meanwhile(team: TeamHarness) -> None:
    reference, _, card = await a_card(team)
    await team.olga().send(f"/assign {reference} me")  # the pressed card still says nobody
    pieter = team.in_group(PIETER, "Pieter")

    replies = await pieter.press(f"tk:{reference}:n", on=card)

    assert pieter.toast() == f"{reference} is al opgenomen door Olga."
    notes = [visible(r.text) for r in replies if r.method == "sendMessage"]
    assert notes == [
        f"ℹ️ {reference} was intussen al gewijzigd: 🆕 nieuw · 🙋 Olga. "
        "Je keuze ging uit van hoe het nu is."
    ]


async def test_a_press_on_a_current_card_says_nothing_extra(team: TeamHarness) -> None:
    reference, _, card = await a_card(team)
    pieter = team.in_group(PIETER, "Pieter")

    replies = await pieter.tap_on(card, "In behandeling")

    assert [r for r in replies if r.method == "sendMessage"] == []


async def test_a_stale_full_pitch_is_redrawn_as_a_full_pitch(team: TeamHarness) -> None:
    reference, pitch_id, _ = await a_card(team)
    olga = team.olga()
    full = (await olga.send(f"/pitch {reference}"))[-1]
    await set_status(team.pieter(), reference, "supported")

    replies = await olga.press(f"st:{reference}:supported", on=full)

    assert olga.toast() == f"{reference} staat al op 🌱 ondersteund."
    redrawn = replies[-1]
    assert redrawn.method == "editMessageText" and redrawn.message_id == full.message_id
    assert visible(redrawn.text).startswith(f"📄 {reference} · 🌱 ondersteund")
    assert "anna@voorbeeld.be" in visible(redrawn.text), "the full pitch, in a private chat"
    assert not redrawn.has_button(f"st:{reference}:supported")


async def test_show_all_posts_the_full_pitch_where_it_was_asked(team: TeamHarness) -> None:
    reference, pitch_id, card = await a_card(team)
    pieter = team.in_group(PIETER, "Pieter")

    replies = await pieter.tap_on(card, "Alles tonen")

    assert pieter.toast() is None
    assert [r.chat_id for r in replies] == [PIETER, STAFF_CHAT], "privately, then the group"
    private, group = (visible(r.text) for r in replies)
    assert private.startswith(f"📄 {reference}") and group.startswith(f"📄 {reference}")
    for key in ("dream", "solution", "name", "contact"):
        assert FULL["nl"][key] in private, "asked for: everything, contact too"
    for key in ("dream", "solution"):
        assert FULL["nl"][key] in group
    for key in ("name", "contact"):
        assert FULL["nl"][key] not in group, "contact details stay out of the group"
    assert "Anna" not in group.split("Contact")[1] and "1001" not in group
    assert "De contactgegevens stuurde ik je privé." in group
    assert replies[1].method == "sendMessage", "the card itself stays short"


async def test_show_all_in_the_group_asks_for_a_private_chat_first(team: TeamHarness) -> None:
    """The bot may not write first to someone who never opened a chat with it."""
    reference, pitch_id, card = await a_card(team)
    team.request.fail_chat(PIETER, 403, "Forbidden: bot can't initiate conversation with a user")
    pieter = team.in_group(PIETER, "Pieter")

    replies = await pieter.tap_on(card, "Alles tonen")

    [group] = [visible(r.text) for r in replies if r.chat_id == STAFF_CHAT]
    assert FULL["nl"]["contact"] not in group
    assert "Open eerst een gesprek met mij: https://t.me/" in group


async def test_the_reply_button_asks_for_the_message_as_a_reply(team: TeamHarness) -> None:
    reference, pitch_id, card = await a_card(team)
    pieter = team.in_group(PIETER, "Pieter")
    await pieter.send("/staffhelp")
    before = await snapshot(team.database)

    replies = await pieter.tap_on(card, "Antwoorden")

    assert len(replies) == 1 and replies[0].chat_id == STAFF_CHAT
    prompt = replies[0]
    assert visible(prompt.text) == (
        f"↩️ 💬 Pieter, schrijf je bericht aan de pitcher van {reference} "
        "als antwoord op dit bericht."
    )
    markup = prompt.params["reply_markup"]
    assert (markup if isinstance(markup, dict) else {}).get("force_reply") is True
    assert await snapshot(team.database) == before, "nothing is stored until she writes"


async def test_buttons_work_for_staff_in_a_private_chat_too(team: TeamHarness) -> None:
    reference, pitch_id, _ = await a_card(team)
    olga = team.olga()
    listing = (await olga.send("/new"))[0]

    shown = await olga.tap_on(listing, reference)
    assert visible(shown[0].text).startswith(f"📄 {reference}")

    await olga.tap_on(shown[-1], "neem het op")
    assert olga.toast() == f"🙋 {reference} is nu van jou."
    assert (await pitch_row(team.database, reference)).assignee_id == OLGA


async def test_a_new_page_button_whose_pitch_is_gone_from_new(team: TeamHarness) -> None:
    reference, pitch_id, _ = await a_card(team)
    olga = team.olga()
    listing = (await olga.send("/new"))[0]
    await olga.send(f"/status {reference} in_review")

    replies = await olga.press(f"nx:{pitch_id}", on=listing)

    assert texts(only(replies, OLGA)) == [
        "🆕 Nieuwe pitches (oudste eerst)\n\nGeen nieuwe pitches. 🎉"
    ]
