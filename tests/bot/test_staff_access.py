"""Who is staff is checked at every command and every press; strangers learn nothing."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.staff.access import MEMBERSHIP_TTL
from tests.bot.conftest import OLGA, PIETER, STAFF_CHAT, STRANGER, TeamHarness
from tests.bot.scenario import snapshot, visible
from tests.bot.staff_scenario import NEUTRAL, cards, pitch_row, send_pitch
from tests.support.telegram import PrivateChat, chat_member, new_update_id

MISSING = "P-2026-0999"


def commands(reference: str) -> list[str]:
    """Every staff command, with and without arguments, about ``reference``."""
    return [
        "/new",
        "/new 2",
        "/pitches",
        "/pitches new frigo",
        f"/pitch {reference}",
        "/pitch",
        f"/status {reference} supported",
        f"/status {reference} bogus",
        f"/assign {reference} me",
        f"/assign {reference} @olga",
        f"/note {reference} interessant idee",
        f"/reply {reference} Dag Anna, vertel eens meer",
        f"/erase {reference}",
        "/stats",
        "/staffhelp",
        f"/pitch@PitchTestBot {reference}",
    ]


async def a_sent_pitch(team: TeamHarness) -> tuple[str, int]:
    reference, _ = await send_pitch(team.pitcher())
    await team.olga().send("/staffhelp")  # Olga is known by name: "@olga" would resolve
    return reference, (await pitch_row(team.database, reference)).id


async def test_a_stranger_gets_one_neutral_line_whatever_the_command(team: TeamHarness) -> None:
    reference, _ = await a_sent_pitch(team)
    sam = team.stranger()
    before = await snapshot(team.database)
    to_anna = len(team.request.messages_to(1001))

    answers = {}
    for command in commands(reference) + commands(MISSING):
        replies = await sam.send(command)
        answers[command] = tuple((r.chat_id, r.text, tuple(r.buttons)) for r in replies)

    assert set(answers.values()) == {((STRANGER, NEUTRAL, ()),)}, answers
    assert await snapshot(team.database) == before, "nothing changed"
    assert len(team.request.messages_to(1001)) == to_anna, "Anna was not written to"
    assert team.request.messages_to(STAFF_CHAT) == cards(team, reference)


async def test_the_pitcher_herself_cannot_use_staff_commands_on_her_pitch(
    team: TeamHarness,
) -> None:
    reference, _ = await a_sent_pitch(team)
    anna = team.pitcher()
    before = await snapshot(team.database)

    for command in (f"/pitch {reference}", f"/status {reference} supported", "/new"):
        replies = await anna.send(command)
        assert [r.text for r in replies] == [NEUTRAL]
    assert await snapshot(team.database) == before


async def test_a_stranger_speaking_english_gets_the_same_one_line_in_english(
    team: TeamHarness,
) -> None:
    reference, _ = await a_sent_pitch(team)
    sam = team.stranger("en")

    texts = {r.text for c in commands(reference) + commands(MISSING) for r in await sam.send(c)}

    assert len(texts) == 1 and NEUTRAL not in texts


UNKNOWN = "Die knop werkt niet (meer)."
OUTDATED = (
    "Die knop is van een oudere versie van de bot en werkt niet meer. "
    "Gebruik /pitch met het nummer op het bericht."
)


def buttons(reference: str, pitch_id: int) -> list[str]:
    return [
        f"tk:{reference}",
        f"st:{reference}:in_review",
        f"st:{reference}:supported",
        f"rp:{reference}",
        f"sh:{reference}",
        f"nx:{pitch_id}",
        f"pv:{pitch_id}",
        f"er:{reference}:yes",
        f"er:{reference}:no",
        f"tk:{pitch_id}",
        "tk:P-2026-9999",
        "st:P-2026-0001:bogus",
    ]


async def test_a_stranger_pressing_staff_buttons_gets_a_neutral_toast(team: TeamHarness) -> None:
    reference, pitch_id = await a_sent_pitch(team)
    card = cards(team, reference)[0]
    sam = team.stranger()
    sam_in_group = team.in_group(STRANGER, "Sam")
    before = await snapshot(team.database)
    calls = len(team.request.calls)

    for data in buttons(reference, pitch_id):
        for chat, on in ((sam, None), (sam_in_group, card)):
            assert await chat.press(data, on=on) == [], data
            assert chat.toast() == NEUTRAL, data

    assert await snapshot(team.database) == before
    assert team.request.shown(calls) == [], "no message sent, no card redrawn"


@pytest.mark.parametrize(
    ("data", "toast"),
    [
        ("st:{ref}:bogus", UNKNOWN),
        ("st:{ref}:draft", UNKNOWN),
        ("tk:abc", UNKNOWN),
        ("sh:{ref}:x", UNKNOWN),
        ("tk:", UNKNOWN),
        ("nx:-1", UNKNOWN),
        ("nx:{ref}", UNKNOWN),
        ("rp:{ref}{ref}{ref}{ref}{ref}{ref}{ref}{ref}{ref}", UNKNOWN),
        ("tk:{ref} ", UNKNOWN),
        ("tk:{ref}:z", UNKNOWN),
        ("tk:{ref}:n12x", UNKNOWN),
        ("st:{ref}:new:q1", UNKNOWN),
        ("st:{ref}:new:n:1", UNKNOWN),
        ("sv:{ref}:maybe", UNKNOWN),
        ("sv:{ref}", UNKNOWN),
        ("er:{ref}", UNKNOWN),
        ("er:{ref}:maybe", UNKNOWN),
        ("er:P-2026-9999:yes", "P-2026-9999 bestaat niet (meer): die knop doet niets."),
        ("sh:P-2026-9999", "P-2026-9999 bestaat niet (meer): die knop doet niets."),
        # what older versions drew, naming pitches by id: never trusted again
        ("tk:{id}", OUTDATED),
        ("st:99999:new", OUTDATED),
        ("tk:{draft}", OUTDATED),
        ("sh:{draft}", OUTDATED),
        ("er:99999:yes", OUTDATED),
        ("er:{id}:yes", OUTDATED),
    ],
)
async def test_forged_button_data_is_refused_even_for_staff(
    team: TeamHarness, data: str, toast: str
) -> None:
    reference, pitch_id = await a_sent_pitch(team)
    anna = team.pitcher()
    await anna.send("/start")  # a new draft: a pitch row without a reference
    await anna.send("Een tweede idee over een deelfietsenpunt in de wijk")
    draft_id = pitch_id + 1
    olga = team.olga()
    before = await snapshot(team.database)
    calls = len(team.request.calls)

    replies = await olga.press(data.format(id=pitch_id, draft=draft_id, ref=reference))

    assert replies == []
    assert olga.toast() == toast
    assert await snapshot(team.database) == before
    assert team.request.shown(calls) == []


async def test_pitch_conversation_buttons_are_not_staff_buttons(team: TeamHarness) -> None:
    olga = team.olga()

    await olga.send("/start")
    replies = await olga.tap("✅")

    assert "vraag 1 van 11" in replies[-1].text.lower(), "staff can pitch like anyone"


@pytest.mark.parametrize("status", ["member", "administrator", "creator", "restricted"])
async def test_members_of_the_staff_group_are_staff(team: TeamHarness, status: str) -> None:
    reference, _ = await a_sent_pitch(team)
    team.request.members[(STAFF_CHAT, 7100)] = status
    member = team.private(7100, "Mira")

    replies = await member.send("/new")

    assert reference in replies[0].text


@pytest.mark.parametrize("status", ["left", "kicked"])
async def test_former_members_of_the_staff_group_are_not(team: TeamHarness, status: str) -> None:
    await a_sent_pitch(team)
    team.request.members[(STAFF_CHAT, 7100)] = status

    replies = await team.private(7100, "Mira").send("/new")

    assert [r.text for r in replies] == [NEUTRAL]


async def test_configured_staff_need_no_group_membership(team: TeamHarness) -> None:
    reference, _ = await a_sent_pitch(team)
    asked = team.request.asked("getChatMember")

    replies = await team.olga().send("/new")

    assert reference in replies[0].text
    assert team.request.asked("getChatMember") == asked, "no need to ask Telegram"


async def staff_can_list(chat: PrivateChat, reference: str) -> bool:
    replies = await chat.send("/new")
    return reference in replies[0].text and replies[0].text != NEUTRAL


async def test_a_removed_staff_member_loses_access_when_the_cache_expires(
    team: TeamHarness,
) -> None:
    reference, pitch_id = await a_sent_pitch(team)
    pieter = team.pieter()
    pieter_in_group = team.in_group(PIETER, "Pieter")
    assert await staff_can_list(pieter, reference)
    assert await staff_can_list(pieter_in_group, reference)
    asked = team.request.asked("getChatMember")

    team.request.members[(STAFF_CHAT, PIETER)] = "left"
    team.monotonic.advance(MEMBERSHIP_TTL - 1)
    assert await staff_can_list(pieter, reference), "still trusted for a little while"
    assert team.request.asked("getChatMember") == asked, "answered from the cache"

    team.monotonic.advance(2)
    before = await snapshot(team.database)
    assert [r.text for r in await pieter.send("/new")] == [NEUTRAL]
    assert await pieter.press(f"tk:{pitch_id}") == []
    assert pieter.toast() == NEUTRAL
    assert await snapshot(team.database) == before
    assert team.request.asked("getChatMember") == asked + 1, "asked again once, then cached"

    team.request.members[(STAFF_CHAT, PIETER)] = "member"  # welcomed back
    team.monotonic.advance(MEMBERSHIP_TTL)
    assert await staff_can_list(pieter, reference)


def membership_change(user_id: int, old: str, new: str) -> dict[str, Any]:
    """The ``chat_member`` update Telegram sends a bot that administers the group."""
    return {
        "update_id": new_update_id(),
        "chat_member": {
            "chat": {"id": STAFF_CHAT, "type": "supergroup", "title": "Team"},
            "from": {"id": OLGA, "is_bot": False, "first_name": "Olga"},
            "date": 1_790_000_000,
            "old_chat_member": chat_member(user_id, old),
            "new_chat_member": chat_member(user_id, new),
        },
    }


async def tell(team: TeamHarness, update: dict[str, Any]) -> None:
    await team.app.process_update(Update.de_json(update, team.app.bot))


@pytest.mark.parametrize("status", ["left", "kicked"])
async def test_a_member_removed_from_the_staff_group_loses_access_at_once(
    team: TeamHarness, status: str
) -> None:
    reference, _ = await a_sent_pitch(team)
    pieter = team.pieter()
    assert await staff_can_list(pieter, reference)  # trusted from now on, for a while
    team.request.members[(STAFF_CHAT, PIETER)] = status

    await tell(team, membership_change(PIETER, "member", status))

    assert [r.text for r in await pieter.send(f"/pitch {reference}")] == [NEUTRAL]


async def test_a_member_who_leaves_the_staff_group_loses_access_at_once(
    team: TeamHarness,
) -> None:
    """Without administrator rights the bot still sees "Pieter left the group"."""
    reference, _ = await a_sent_pitch(team)
    pieter = team.pieter()
    assert await staff_can_list(pieter, reference)
    team.request.members[(STAFF_CHAT, PIETER)] = "left"
    group = team.in_group(OLGA, "Olga")

    await group.send_raw(left_chat_member={"id": PIETER, "is_bot": False, "first_name": "Pieter"})

    assert [r.text for r in await pieter.send(f"/pitch {reference}")] == [NEUTRAL]


async def test_a_member_added_to_the_staff_group_gets_access_at_once(team: TeamHarness) -> None:
    reference, _ = await a_sent_pitch(team)
    mira = team.private(7100, "Mira")
    assert [r.text for r in await mira.send("/new")] == [NEUTRAL]
    team.request.members[(STAFF_CHAT, 7100)] = "member"

    await tell(team, membership_change(7100, "left", "member"))

    assert await staff_can_list(mira, reference)


async def test_a_new_member_of_the_staff_group_gets_access_when_the_cache_expires(
    team: TeamHarness,
) -> None:
    reference, _ = await a_sent_pitch(team)
    mira = team.private(7100, "Mira")
    assert [r.text for r in await mira.send("/new")] == [NEUTRAL]

    team.request.members[(STAFF_CHAT, 7100)] = "member"
    team.monotonic.advance(MEMBERSHIP_TTL + 1)

    assert await staff_can_list(mira, reference)


async def test_when_telegram_cannot_say_who_is_a_member_access_is_refused_and_asked_again(
    team: TeamHarness,
) -> None:
    reference, _ = await a_sent_pitch(team)
    pieter = team.pieter()
    team.request.fail_next("getChatMember", 502, "Bad Gateway")

    assert [r.text for r in await pieter.send("/new")] == [NEUTRAL]
    assert await staff_can_list(pieter, reference), "the hiccup was not cached"


async def test_staff_commands_in_another_group_are_not_answered_as_staff(
    team: TeamHarness,
) -> None:
    reference, _ = await a_sent_pitch(team)
    olga_elsewhere = team.private(OLGA, "Olga", "olga")
    olga_elsewhere.chat = {"id": -100555, "type": "supergroup", "title": "Buurtcomité"}

    replies = await olga_elsewhere.send(f"/pitch {reference}")

    assert all(reference not in visible(r.text) for r in replies), "no pitch in a public group"
    assert all("Anna" not in visible(r.text) for r in replies)
