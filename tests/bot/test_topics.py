"""A forum staff group: every pitch gets a topic of its own, where everything about it goes.

A flat group (or a forum where the bot may not manage topics) keeps working as before.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.bot.conftest import OLGA, PIETER, STAFF_CHAT, STRANGER, TeamHarness
from tests.bot.scenario import FLOW, visible
from tests.bot.staff_scenario import (
    FULL,
    events_of,
    in_group,
    only,
    pitch_row,
    send_pitch,
    set_status,
    texts,
)
from tests.support.telegram import Sent

ANNA = 1001
PLAN = {"file_id": "plan-1", "file_unique_id": "u-plan-1", "file_name": "plan.pdf"}


def topic_messages(team: TeamHarness, topic: int, since: int = 0) -> list[str]:
    """What the bot posted in ``topic`` (new messages), as the team reads it."""
    return [
        visible(m.text)
        for m in team.group_messages(since)
        if team.request.topic_of(m) == topic and m.method == "sendMessage"
    ]


def opened(team: TeamHarness) -> list[str]:
    """The names of the topics the bot opened, in order."""
    return [str(params["name"]) for params in team.request.sent("createForumTopic")]


async def pitch_in_forum(team: TeamHarness) -> tuple[str, int, Sent]:
    """Anna sends a pitch to a forum staff group: its reference, topic and card."""
    team.request.forum(STAFF_CHAT)
    reference, replies = await send_pitch(team.pitcher())
    card = in_group(replies)[-1]
    topic = team.request.topic_of(card)
    assert topic is not None, "the card is in a topic"
    return reference, topic, card


async def test_each_pitch_gets_its_own_topic_with_its_card_pinned(team: TeamHarness) -> None:
    reference, topic, card = await pitch_in_forum(team)
    second, _ = await send_pitch(team.pitcher(1002, "Bert"))

    idea = FULL["nl"][FLOW.questions[0].key]
    assert opened(team)[0] == f"{reference} · {idea}"[:128]
    assert opened(team)[1].startswith(f"{second} · ")
    assert visible(card.text).startswith(f"📬 {reference}")
    assert (STAFF_CHAT, card.message_id) in team.request.pinned
    row = await pitch_row(team.database, reference)
    assert (row.staff_topic_id, row.staff_card_message_id) == (topic, card.message_id)
    assert team.request.topics[topic]["name"].startswith(reference)


async def test_the_pitchers_messages_and_files_go_to_its_topic(team: TeamHarness) -> None:
    reference, topic, _ = await pitch_in_forum(team)
    anna = team.pitcher()
    since = len(team.request.calls)

    await anna.send("Mag ik nog iets toevoegen? We hebben een lokaal gevonden.")
    await anna.send_raw(document={**PLAN, "file_size": 48_000}, caption="Ons plan")

    assert any("We hebben een lokaal gevonden" in t for t in topic_messages(team, topic, since))
    copies = [c for c in team.request.sent("copyMessage") if int(c["chat_id"]) == STAFF_CHAT]
    assert [int(c["message_thread_id"]) for c in copies] == [topic]


async def test_changes_made_elsewhere_are_said_in_the_topic_with_who_made_them(
    team: TeamHarness,
) -> None:
    reference, topic, card = await pitch_in_forum(team)
    olga = team.olga()
    since = len(team.request.calls)

    await olga.send(f"/note {reference} Bel haar maandag")
    await olga.send(f"/status {reference} in behandeling")
    await team.in_group(PIETER, "Pieter").tap_on(card, "Ik neem het op")

    shown = topic_messages(team, topic, since)
    assert [line for line in shown if not line.startswith("ℹ️")] == [
        "📝 Olga noteerde: Bel haar maandag",
        "🔄 Olga: 🆕 nieuw → 🔎 in behandeling",
        "🙋 Pieter nam deze pitch op.",
    ], "Pieter pressed the card as first drawn: he is told what changed meanwhile"


async def test_commands_in_a_topic_act_on_its_pitch_without_a_reference(
    team: TeamHarness,
) -> None:
    reference, topic, _ = await pitch_in_forum(team)
    olga = team.in_group(OLGA, "Olga").in_topic(topic)
    since = len(team.request.calls)

    noted = await olga.send("/note Bel haar maandag")
    told = await olga.send("/reply Dag Anna, wanneer past een gesprek?")

    assert texts(in_group(noted)) == [f"📝 Notitie bewaard bij {reference}."]
    assert team.request.topic_of(in_group(noted)[0]) == topic, "answered in the topic"
    assert "Dag Anna, wanneer past een gesprek?" in visible(only(told, ANNA)[0].text)
    kinds = [kind for kind, _, _ in await events_of(team.database, reference)]
    assert kinds[-2:] == ["note", "message_out"]
    shown = topic_messages(team, topic, since)
    assert not any(line.startswith(("📝 Olga", "💬 Olga")) for line in shown), (
        "what was typed in the topic is its own record"
    )


async def test_a_plain_message_in_a_topic_never_reaches_the_pitcher(team: TeamHarness) -> None:
    reference, topic, _ = await pitch_in_forum(team)
    olga = team.in_group(OLGA, "Olga").in_topic(topic)

    replies = await olga.send("Wie kent deze buurt? Ik twijfel nog.")

    assert only(replies, ANNA) == []
    kinds = [kind for kind, _, _ in await events_of(team.database, reference)]
    assert "message_out" not in kinds


async def test_a_decided_pitchs_topic_is_closed_and_opened_again(team: TeamHarness) -> None:
    reference, topic, _ = await pitch_in_forum(team)
    olga = team.olga()

    await olga.send(f"/status {reference} gearchiveerd")
    assert team.request.topics[topic]["closed"] is True
    await olga.send(f"/status {reference} in behandeling")
    assert team.request.topics[topic]["closed"] is False

    await set_status(olga, reference, "niet verder")  # decided, still hers to write on
    since = len(team.request.calls)
    await team.pitcher().send("Is er nog nieuws?")

    assert team.request.topics[topic]["closed"] is False, "the pitcher wrote: open again"
    assert any("Is er nog nieuws?" in t for t in topic_messages(team, topic, since))
    assert team.request.asked("reopenForumTopic") == 2


async def test_a_flat_group_works_as_before(team: TeamHarness) -> None:
    reference, replies = await send_pitch(team.pitcher())
    await team.olga().send(f"/note {reference} Bel haar maandag")

    assert team.request.asked("createForumTopic") == 0
    card = in_group(replies)[-1]
    assert team.request.topic_of(card) is None
    assert not any("noteerde" in t for t in texts(team.group_messages())), "no topic lines"


async def test_without_the_right_to_manage_topics_the_team_is_told_once(
    team: TeamHarness, caplog: pytest.LogCaptureFixture
) -> None:
    team.request.forum(STAFF_CHAT, may_manage=False)

    first, _ = await send_pitch(team.pitcher())
    second, _ = await send_pitch(team.pitcher(1002, "Bert"))

    shown = texts(team.group_messages())
    warnings = [t for t in shown if "Onderwerpen beheren" in t]
    assert len(warnings) == 1
    assert [t.split(" ·")[0] for t in shown if t.startswith("📬")] == [
        f"📬 {first}",
        f"📬 {second}",
    ]
    assert team.request.asked("createForumTopic") == 0
    assert [r for r in caplog.records if r.levelno == logging.WARNING and "topics" in r.message]


async def test_a_deleted_topic_is_opened_anew_with_its_card(team: TeamHarness) -> None:
    reference, topic, _ = await pitch_in_forum(team)
    team.request.fail_chat(STAFF_CHAT, 400, "Bad Request: message thread not found")
    since = len(team.request.calls)

    await team.pitcher().send("Hallo, nog iets")

    assert len(opened(team)) == 2
    new_topic = (await pitch_row(team.database, reference)).staff_topic_id
    assert new_topic not in (None, topic)
    shown = topic_messages(team, new_topic or 0, since)
    assert shown[0].startswith(f"📬 {reference}") and "Hallo, nog iets" in shown[1]


async def test_erasing_a_pitcher_deletes_their_topics(team: TeamHarness) -> None:
    reference, topic, _ = await pitch_in_forum(team)
    olga = team.olga()

    await olga.tap_on(only(await olga.send(f"/erase {reference}"), OLGA)[0], "Ja")

    assert team.request.topics[topic]["deleted"] is True


async def test_a_stranger_in_a_topic_gets_the_neutral_line_there_and_changes_nothing(
    team: TeamHarness,
) -> None:
    reference, topic, card = await pitch_in_forum(team)
    sam = team.in_group(STRANGER, "Sam").in_topic(topic)
    before = await events_of(team.database, reference)

    replies = await sam.send("/note Ik ben geen coach")
    await sam.press(card.data("Ik neem het op"), on=card)

    assert texts(in_group(replies)) == ["Dit commando is voor het team."]
    assert team.request.topic_of(in_group(replies)[0]) == topic, "answered where he asked"
    assert sam.toast() == "Dit commando is voor het team."
    assert await events_of(team.database, reference) == before


async def test_a_pitch_from_before_topics_gets_its_topic_with_its_next_message(
    team: TeamHarness,
) -> None:
    reference, _ = await send_pitch(team.pitcher())  # a flat group still
    team.request.forum(STAFF_CHAT)  # topics turned on, the right granted
    team.clock.now += timedelta(minutes=11)  # the bot asks Telegram again after ten
    since = len(team.request.calls)

    await team.pitcher().send("Hallo, nog iets")

    assert len(opened(team)) == 1 and opened(team)[0].startswith(reference)
    topic = (await pitch_row(team.database, reference)).staff_topic_id
    shown = topic_messages(team, topic or 0, since)
    assert shown[0].startswith(f"📬 {reference}") and "Hallo, nog iets" in shown[1]
