"""One forum topic per pitch, end to end: when the staff group is a forum and the bot may
manage its topics, every sent pitch gets a topic of its own with its card pinned first,
the pitcher's messages and files land there, what the team does elsewhere is said there,
a decided pitch's topic is closed (and opened again when the pitch or its pitcher comes
back), and an erased pitcher's topics are deleted. A flat group, or a forum where the bot
lacks the right, keeps working as before.

The bot asks Telegram once, on its first card, whether the group has topics (and trusts
the answer for ten minutes), so every test here gets a bot and staff group of its own,
set up before the bot starts; that also keeps each group far below the 20 calls a minute
the rate limiter allows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dialogs.replies import text
from tests.e2e.conftest import (
    ANSWERS,
    GROUP_LIMIT,
    OLGA,
    PIETER,
    Deployment,
    People,
    body,
    buttons,
    client_module,
    deploy,
    meet,
    press_and_wait,
    running,
    says,
    send_pitch,
    wait_edits,
)

pytestmark = pytest.mark.e2e

BOT_ID = 666
"""The bot's user id in the emulator."""
WAIT = 10.0
IDEA = ANSWERS["nl"]["idea"]


# --- staff groups with and without topics -------------------------------------------------------


def staff_group(
    emulator: Any, folder: Path, *, forum: bool, manage_topics: bool
) -> Iterator[Deployment]:
    """A bot whose staff group is (or is not) a forum, the bot an administrator with (or
    without) the right to manage topics, all before the bot first looks at the group."""
    deployment = deploy(emulator, folder)
    if forum:
        deployment.post("/client/setForum", {"chat_id": deployment.staff_chat})
    rights = {"user_id": BOT_ID, "status": "administrator", "can_manage_topics": manage_topics}
    deployment.post(
        "/client/setChatMembers", {"chat_id": deployment.staff_chat, "members": [rights]}
    )
    yield from running(deployment)
    busiest = deployment.busiest_group_minute()
    assert busiest <= GROUP_LIMIT, f"{busiest} calls to the staff group in one minute"


@pytest.fixture
def forum_bot(emulator: Any, tmp_path: Path) -> Iterator[Deployment]:
    """A forum staff group where the bot may manage topics and pin messages."""
    yield from staff_group(emulator, tmp_path, forum=True, manage_topics=True)


@pytest.fixture
def flat_bot(emulator: Any, tmp_path: Path) -> Iterator[Deployment]:
    """A staff group without topics (the bot has every right it could use)."""
    yield from staff_group(emulator, tmp_path, forum=False, manage_topics=True)


@pytest.fixture
def rightless_bot(emulator: Any, tmp_path: Path) -> Iterator[Deployment]:
    """A forum staff group where the bot is an administrator without 'Manage topics'."""
    yield from staff_group(emulator, tmp_path, forum=True, manage_topics=False)


# --- what the team sees in the forum ------------------------------------------------------------


async def topic_of(people: People, reference: str) -> dict[str, Any]:
    """The pitch's topic, once the bot opened it."""
    chat = people.deployment.staff_chat

    async def opened() -> dict[str, Any] | None:
        topics = await people.client.forum_topics(chat)
        return next((t for t in topics if t["name"].startswith(f"{reference} · ")), None)

    topic: dict[str, Any] = await people.client.wait_until(opened, WAIT, f"a topic for {reference}")
    return topic


async def in_topic(people: People, topic: int) -> list[dict[str, Any]]:
    """The bot's messages in the topic, service messages left out."""
    chat = people.deployment.staff_chat
    return [m for m in await people.client.messages(chat, thread_id=topic) if not m.get("service")]


async def topic_message(people: People, topic: int, contains: str) -> dict[str, Any]:
    """Wait for a bot message in the topic whose text or caption contains ``contains``."""

    async def found() -> dict[str, Any] | None:
        return next((m for m in await in_topic(people, topic) if contains in body(m)), None)

    message: dict[str, Any] = await people.client.wait_until(
        found, WAIT, f"a message in topic {topic} containing {contains!r}"
    )
    return message


async def topic_closed(people: People, topic: int, closed: bool) -> dict[str, Any]:
    """Wait until the topic is closed (or open)."""
    chat = people.deployment.staff_chat

    async def now() -> dict[str, Any] | None:
        topics = await people.client.forum_topics(chat)
        shown = next(t for t in topics if t["message_thread_id"] == topic)
        return shown if shown["is_closed"] == closed else None

    state = "closed" if closed else "open"
    shown: dict[str, Any] = await people.client.wait_until(now, WAIT, f"topic {topic} {state}")
    return shown


async def topic_gone(people: People, topic: int) -> None:
    chat = people.deployment.staff_chat

    async def deleted() -> bool:
        topics = await people.client.forum_topics(chat, include_deleted=False)
        return all(t["message_thread_id"] != topic for t in topics)

    await people.client.wait_until(deleted, WAIT, f"topic {topic} to be deleted")
    assert await people.client.messages(chat, thread_id=topic) == []


def status_line(name: str, old: str, new: str) -> str:
    """``🔄 Olga: 🆕 nieuw → 🗄 gearchiveerd``"""
    return says(
        "nl",
        "topic_status",
        name=name,
        old=text(f"staff_status_{old}"),
        new=text(f"staff_status_{new}"),
    )


def general(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages posted outside any topic (the General topic, or a flat group)."""
    return [m for m in messages if not m.get("message_thread_id") and not m.get("service")]


# --- the tests -----------------------------------------------------------------------------------


async def test_every_pitch_gets_a_topic_with_its_card_pinned_first(forum_bot: Deployment) -> None:
    async with meet(forum_bot) as people:
        first, _ = await send_pitch(people.pitcher("Anna"))
        other_idea = "Een repair café in elke bibliotheek van Gent, elke zaterdag"
        second, _ = await send_pitch(
            people.pitcher("Bert"), answers={**ANSWERS["nl"], "idea": other_idea}
        )

        topics, cards = {}, {}
        for reference, idea in ((first, IDEA), (second, other_idea)):
            topic = await topic_of(people, reference)
            named = topic["name"].removeprefix(f"{reference} · ").removesuffix("…")
            assert named.split()[:3] == idea.split()[:3] and idea.startswith(named), named
            assert len(topic["name"]) <= 128
            assert not topic["is_closed"]
            card = await topic_message(people, topic["message_thread_id"], f"📬 {reference}")
            first_message = (await in_topic(people, topic["message_thread_id"]))[0]
            assert first_message["message_id"] == card["message_id"], "the card comes first"
            assert idea in body(card)
            expected = ["tk:{}:n", "st:{}:in_review:n", "rp:{}", "sh:{}"]
            assert buttons(card) == [data.format(reference) for data in expected]
            topics[reference] = topic["message_thread_id"]
            cards[reference] = card["message_id"]

        async def both_pinned() -> list[dict[str, Any]] | None:
            pinned = await people.client.pinned_messages(forum_bot.staff_chat)
            return pinned if len(pinned) == 2 else None

        pinned = await people.client.wait_until(both_pinned, WAIT, "both cards pinned")
        assert {pin["message_thread_id"]: pin["message_id"] for pin in pinned} == {
            topics[reference]: cards[reference] for reference in (first, second)
        }

        # one topic per pitch, and nothing about them in the General topic
        assert len(await people.client.forum_topics(forum_bot.staff_chat)) == 2
        assert general(await people.group_messages()) == []


async def test_the_pitchers_messages_and_files_land_in_the_topic(forum_bot: Deployment) -> None:
    tiny_png = client_module().tiny_png
    async with meet(forum_bot) as people:
        gert = people.pitcher("Gert")
        reference, _ = await send_pitch(gert)
        topic = (await topic_of(people, reference))["message_thread_id"]

        said = "Ik heb al een plek gevonden <b>&</b> een koelkast."
        await gert.send_text(said)
        await gert.next_message(says("nl", "relayed", reference=reference))
        relayed = await topic_message(people, topic, said)
        assert body(relayed).startswith(f"↩️ 💬 {reference}")

        await gert.send_photo(tiny_png(), caption="de plek, vanaf de straat")
        await gert.next_message(says("nl", "relayed_file", reference=reference))
        photo = await topic_message(people, topic, "de plek, vanaf de straat")
        assert "photo" in photo and reference in body(photo)
        assert general(await people.group_messages()) == []

        # the team answers with Telegram's "reply", in the topic: it reaches the pitcher
        pieter = (await people.in_group("Pieter", PIETER)).in_thread(topic)
        await pieter.send_text("Mooi, we komen dinsdag kijken.", reply_to=relayed)
        back = await gert.next_message("Bericht van het team")
        assert "Mooi, we komen dinsdag kijken." in body(back)
        ack = await pieter.next_message()
        assert body(ack) == says("nl", "staff_reply_sent", reference=reference)
        assert ack["message_thread_id"] == topic


async def test_commands_typed_in_the_topic_act_on_its_pitch(forum_bot: Deployment) -> None:
    """No reference needed; the answer comes in the topic, and no line repeats what was
    typed there. Chatter in the topic stays among the team."""
    async with meet(forum_bot) as people:
        hilde = people.pitcher("Hilde")
        reference, _ = await send_pitch(hilde)
        topic = (await topic_of(people, reference))["message_thread_id"]
        card = await people.card(reference)

        olga = (await people.in_group("Olga", OLGA)).in_thread(topic)
        await olga.send_text("/note Kent iemand de supermarkt in Borgerhout?")
        noted = await olga.next_message()
        assert body(noted) == says("nl", "staff_noted", reference=reference)
        assert noted["message_thread_id"] == topic

        await olga.send_text("/status in_review")
        changed = await olga.next_message()
        assert body(changed) == says(
            "nl",
            "staff_status_set",
            reference=reference,
            old=text("staff_status_new"),
            new=text("staff_status_in_review"),
        )
        assert changed["message_thread_id"] == topic
        await olga.wait_edit(card, "🔎 in behandeling")

        # plain talk in the topic is not a message to the pitcher
        await olga.send_text("Wie belt haar deze week?")
        await olga.expect_no_new_message(0.5)

        # a reply from the private chat: the pitcher's next message is that one, and the
        # topic's next line says it (lines go out in order: none came before it)
        private = await people.olga()
        await private.send_command("/reply", f"{reference} Dag Hilde, mogen we je bellen?")
        await private.next_message(says("nl", "staff_reply_sent", reference=reference))
        told = await hilde.next_message("Bericht van het team")
        assert "Dag Hilde, mogen we je bellen?" in body(told)
        line = says("nl", "topic_reply", name="Olga", text="Dag Hilde, mogen we je bellen?")
        assert body(await olga.next_message()) == line

        await private.send_command("/pitch", reference)
        history = body(await private.next_message(reference))
        while "Geschiedenis" not in history:
            history += "\n" + body(await private.next_message())
        assert "Kent iemand de supermarkt in Borgerhout?" in history
        assert "Wie belt haar deze week?" not in history


async def test_what_the_team_does_elsewhere_is_said_in_the_topic(forum_bot: Deployment) -> None:
    async with meet(forum_bot) as people:
        reference, _ = await send_pitch(people.pitcher("Ilse"))
        topic = (await topic_of(people, reference))["message_thread_id"]
        olga = await people.olga()

        await olga.send_command("/note", f"{reference} Bel haar dinsdag na 17 uur")
        assert body(await olga.next_message()) == says("nl", "staff_noted", reference=reference)
        note = says("nl", "topic_note", name="Olga", note="Bel haar dinsdag na 17 uur")
        await topic_message(people, topic, note)

        await olga.send_command("/status", f"{reference} in_review")
        await olga.next_message(reference)
        await topic_message(people, topic, status_line("Olga", "new", "in_review"))

        lines = [body(m) for m in (await in_topic(people, topic))[1:]]
        assert lines == [note, status_line("Olga", "new", "in_review")]
        card = (await in_topic(people, topic))[0]
        assert "🔎 in behandeling" in body(card)
        assert general(await people.group_messages()) == []


async def test_an_archived_pitch_closes_its_topic_and_in_review_reopens_it(
    forum_bot: Deployment,
) -> None:
    async with meet(forum_bot) as people:
        jan = people.pitcher("Jan")
        reference, _ = await send_pitch(jan)
        topic = (await topic_of(people, reference))["message_thread_id"]
        olga = await people.olga()

        await olga.send_command("/status", f"{reference} archived")
        await olga.next_message(reference)
        await topic_closed(people, topic, True)
        await topic_message(people, topic, status_line("Olga", "new", "archived"))

        await olga.send_command("/status", f"{reference} in_review")
        await olga.next_message(reference)
        await topic_closed(people, topic, False)
        await topic_message(people, topic, status_line("Olga", "archived", "in_review"))

        chat = forum_bot.staff_chat
        services = [m.get("service") for m in await people.client.messages(chat, thread_id=topic)]
        assert services.count("forum_topic_closed") == 1
        assert services.count("forum_topic_reopened") == 1
        await jan.expect_no_new_message(0.3)  # neither status is news for the pitcher


async def test_a_pitcher_writing_on_an_archived_pitch_reopens_its_topic(
    forum_bot: Deployment,
) -> None:
    async with meet(forum_bot) as people:
        karel = people.pitcher("Karel")
        reference, _ = await send_pitch(karel)
        topic = (await topic_of(people, reference))["message_thread_id"]
        olga = await people.olga()
        await olga.send_command("/reply", f"{reference} Dag Karel, we houden je idee bij.")
        from_team = await karel.next_message("Bericht van het team")
        await olga.send_command("/status", f"{reference} archived")
        await olga.next_message(reference)
        await topic_closed(people, topic, True)

        # a decided pitch is reached with Telegram's "reply" on the team's message
        said = "Goed nieuws: de gemeente wil meedoen!"
        await karel.send_text(said, reply_to=from_team)
        await karel.next_message(says("nl", "relayed", reference=reference))
        relayed = await topic_message(people, topic, said)
        assert body(relayed).startswith(f"↩️ 💬 {reference}")
        await topic_closed(people, topic, False)
        assert general(await people.group_messages()) == []


async def test_a_flat_staff_group_works_as_before(flat_bot: Deployment) -> None:
    async with meet(flat_bot) as people:
        lies = people.pitcher("Lies")
        reference, _ = await send_pitch(lies)
        card = await people.card(reference)
        assert "message_thread_id" not in card

        olga = await people.olga()
        await olga.send_command("/note", f"{reference} Bel haar dinsdag")
        assert body(await olga.next_message()) == says("nl", "staff_noted", reference=reference)

        said = "Mag ik nog een foto sturen?"
        await lies.send_text(said)
        await lies.next_message(says("nl", "relayed", reference=reference))
        relayed = await people.group_message(said)
        assert "message_thread_id" not in relayed

        # the note made elsewhere is not said in a flat group (it would have come first)
        shown = [body(m) for m in await people.group_messages()]
        assert not [line for line in shown if "noteerde" in line], shown

        # and a command in the group still needs its reference
        in_group = await people.in_group("Olga", OLGA)
        await in_group.send_text("/note Zonder referentie")
        assert body(await in_group.next_message()) == says("nl", "staff_usage_note")

        assert await people.client.bot_calls("createForumTopic") == []
        assert await people.client.bot_calls("pinChatMessage") == []


async def test_a_forum_without_the_right_gets_one_warning_and_cards_in_general(
    rightless_bot: Deployment,
) -> None:
    async with meet(rightless_bot) as people:
        first, _ = await send_pitch(people.pitcher("Mona"))
        second, _ = await send_pitch(people.pitcher("Nele"))
        await people.card(first)
        await people.card(second)

        shown = general(await people.group_messages())
        warning = says("nl", "staff_topics_no_rights")
        assert [body(m) for m in shown].count(warning) == 1
        cards = [m for m in shown if body(m).startswith("📬 ")]
        assert [body(m).split()[1] for m in cards] == [first, second]
        assert await people.client.forum_topics(rightless_bot.staff_chat) == []
        assert await people.client.bot_calls("createForumTopic") == []


async def test_erasing_a_pitcher_deletes_their_topic(forum_bot: Deployment) -> None:
    async with meet(forum_bot) as people:
        # by the team: /erase and a confirming press
        otto = people.pitcher("Otto")
        first, _ = await send_pitch(otto)
        first_topic = (await topic_of(people, first))["message_thread_id"]
        olga = await people.olga()
        await olga.send_command("/erase", first)
        asked = await olga.next_message(first)
        await press_and_wait(olga, asked, f"er:{first}:yes")
        await wait_edits(olga, asked, 1)
        await otto.next_message(says("nl", "erased")[:40])
        await topic_gone(people, first_topic)

        # by the pitcher: /forgetme
        paula = people.pitcher("Paula")
        second, _ = await send_pitch(paula)
        second_topic = (await topic_of(people, second))["message_thread_id"]
        await paula.send_command("/forgetme")
        confirm = await paula.next_message(says("nl", "forget_confirm")[:40])
        await paula.press(confirm, "forget:yes")
        await wait_edits(paula, confirm, 1)
        told = await people.group_message(f"De pitcher van {second} liet alles van zich wissen")
        assert "message_thread_id" not in told, "the notice is for everyone, in General"
        await topic_gone(people, second_topic)
        assert await people.client.pinned_messages(forum_bot.staff_chat) == []
