"""The / menu: registered in every language, and every command in it does something."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.app import register_commands
from dialogs.catalog import Catalog
from tests.bot.conftest import OLGA, PIETER, STAFF_CHAT, STRANGER, BotHarness, TeamHarness
from tests.bot.scenario import answer_questions, consent, snapshot

MENU = [
    "start",
    "help",
    "back",
    "skip",
    "cancel",
    "language",
    "mypitches",
    "privacy",
    "mydata",
    "forgetme",
]


async def registered(harness: BotHarness) -> dict[str | None, list[dict[str, Any]]]:
    await register_commands(harness.app, Catalog.load())
    calls = harness.request.sent("setMyCommands")
    menus = {call.get("language_code"): call["commands"] for call in calls}
    assert len(menus) == len(calls), "one call per language"
    return menus


async def test_the_menu_is_registered_for_each_language_and_the_default(
    harness: BotHarness,
) -> None:
    menus = await registered(harness)

    assert set(menus) == {None, "nl", "en", "fr"}
    for commands in menus.values():
        assert [c["command"] for c in commands] == MENU
        for command in commands:
            assert re.fullmatch(r"[a-z0-9_]{1,32}", command["command"])
            assert 3 <= len(command["description"]) <= 256
    described = {lang: {c["command"]: c["description"] for c in m} for lang, m in menus.items()}
    assert described["nl"]["start"] == "Een idee pitchen of verdergaan"
    assert described["en"]["start"] == "Pitch an idea or continue"
    assert described["fr"]["start"] == "Présenter une idée ou continuer"
    assert described[None] == described["nl"], "everyone else sees the Dutch menu"


async def test_the_what_can_this_bot_do_texts_are_set_in_each_language(
    harness: BotHarness,
) -> None:
    await registered(harness)

    for method in ("setMyDescription", "setMyShortDescription"):
        calls = harness.request.sent(method)
        assert {c.get("language_code") for c in calls} == {None, "nl", "en", "fr"}
    short = {
        c.get("language_code"): c["short_description"]
        for c in harness.request.sent("setMyShortDescription")
    }
    assert "Pitch ons je idee" in short["nl"]
    assert "Pitch us your" in short["en"]


@pytest.mark.parametrize("command", MENU)
async def test_every_command_in_the_menu_is_understood(harness: BotHarness, command: str) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="dream")

    replies = await anna.send(f"/{command}")

    if command == "mydata":  # the answer is a file
        assert [name for chat, name, _ in harness.request.documents if chat == 1001]
        return
    assert replies, f"/{command} got no reply"
    assert all("ken ik niet" not in reply.text for reply in replies)


async def test_help_and_privacy_answer_before_consent_and_store_nothing(
    harness: BotHarness,
) -> None:
    anna = harness.chat(language_code="fr")

    helped = await anna.send("/help")
    private = await anna.send("/privacy")

    help_text, privacy = helped[0].text, private[0].text
    assert "/start" in help_text and "/cancel" in help_text
    assert "Vie privée" in privacy and "Ce que nous enregistrons" in privacy
    assert helped[-1].has_button("consent:yes:fr"), "then the consent again, with its buttons"
    assert (await snapshot(harness.database))["pitchers"] == []


async def test_mypitches_before_consent_answers_and_stores_nothing(harness: BotHarness) -> None:
    stranger = harness.chat(user_id=4242)

    replies = await stranger.send("/mypitches")

    assert len(replies) == 1
    assert "nog geen pitches" in replies[0].text
    assert all(rows == [] for rows in (await snapshot(harness.database)).values())


STAFF_MENU = [
    "new", "mine", "waiting", "pitches", "pitch", "status", "assign", "note", "reply",
    "stats", "export", "erase", "staffhelp",
]  # fmt: skip


def scoped_menus(request: Any) -> dict[tuple[int, str | None], list[str]]:
    """The chat-scoped menus set: (chat, language) → command names."""
    return {
        (call["scope"]["chat_id"], call.get("language_code")): [
            c["command"] for c in call["commands"]
        ]
        for call in request.sent("setMyCommands")
        if call.get("scope", {}).get("type") == "chat"
    }


async def test_staff_see_their_commands_where_they_work_and_pitchers_do_not(
    team: TeamHarness,
) -> None:
    """Typing "/" in the staff group or a staff member's private chat shows the staff
    commands (command scopes); the general menu stays the pitcher's."""
    assert team.app.post_init is not None
    await team.app.post_init(team.app)  # what a start does before polling

    menus = scoped_menus(team.request)
    assert menus[(STAFF_CHAT, None)] == STAFF_MENU, "the group: staff commands only"
    for language in (None, "nl", "en", "fr"):
        assert menus[(OLGA, language)] == [*MENU, *STAFF_MENU], "Olga's chat: both"
    assert not [key for key in menus if key[0] == PIETER], "Pieter is staff via the group"
    described = {
        c["command"]: c["description"]
        for call in team.request.sent("setMyCommands")
        if call.get("scope", {}).get("chat_id") == OLGA and call.get("language_code") == "fr"
        for c in call["commands"]
    }
    assert described["mine"] == "Mes pitchs en cours"

    await team.pieter().send("/staffhelp")  # a group member's first staff command in private
    await team.pieter().send("/new")
    pieter = [k for k in scoped_menus(team.request) if k[0] == PIETER]
    assert sorted(pieter, key=str) == sorted(
        [(PIETER, lang) for lang in (None, "nl", "en", "fr")], key=str
    ), "given once, in every language"
    scoped = [c for c in team.request.sent("setMyCommands") if "scope" in c]
    assert len(scoped) == 1 + 4 + 4, "the group, Olga's chat, Pieter's chat: no repeats"

    await team.stranger().send("/start")
    assert not [k for k in scoped_menus(team.request) if k[0] == STRANGER]
