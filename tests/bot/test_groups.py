"""In a group the bot pitches nothing: it points, once and quietly, to a private chat."""

from __future__ import annotations

from tests.bot.conftest import BotHarness
from tests.bot.scenario import snapshot

TEAM = -1001234567890
OTHER_TEAM = -1009876543210
LINK = "https://t.me/PitchTestBot?start=pitch"


async def test_start_in_a_group_gets_one_quiet_pointer_to_a_private_chat(
    harness: BotHarness,
) -> None:
    anna_in_team = harness.chat(chat_id=TEAM)

    replies = await anna_in_team.send("/start@PitchTestBot")

    assert len(replies) == 1
    pointer = replies[0]
    assert "privégesprek" in pointer.text and LINK in pointer.text
    assert pointer.params["chat_id"] == TEAM
    assert pointer.params["disable_notification"] is True
    assert pointer.buttons == []


async def test_a_group_is_told_only_once(harness: BotHarness) -> None:
    anna_in_team = harness.chat(chat_id=TEAM)
    await anna_in_team.send("/start")

    assert await anna_in_team.send("/start") == []
    assert await anna_in_team.send("/help@PitchTestBot") == []
    bob_in_team = harness.chat(user_id=2002, first_name="Bob", chat_id=TEAM)
    assert await bob_in_team.send("/mypitches") == []

    replies = await harness.chat(chat_id=OTHER_TEAM).send("/help")
    assert len(replies) == 1 and LINK in replies[0].text, "another group is told too"


async def test_the_pointer_speaks_the_language_of_who_asked(harness: BotHarness) -> None:
    bob_in_team = harness.chat(user_id=2002, first_name="Bob", language_code="en", chat_id=TEAM)

    replies = await bob_in_team.send("/start")

    assert "Pitching happens in a private chat with me" in replies[0].text


async def test_nothing_of_the_pitch_flow_runs_in_a_group(harness: BotHarness) -> None:
    anna_in_team = harness.chat(chat_id=TEAM)

    await anna_in_team.send("/start")
    assert await anna_in_team.send("Een buurtfrigo in Borgerhout voor iedereen") == []
    assert await anna_in_team.press("consent:yes:nl") == []
    assert anna_in_team.toast() == "Die knop is niet voor jou bedoeld."

    tables = await snapshot(harness.database)
    assert tables["pitchers"] == [] and tables["pitches"] == [] and tables["answers"] == []
    assert [row[0] for row in tables["group_notices"]] == [TEAM]

    anna = harness.chat()  # her private chat starts from the beginning, with consent
    replies = await anna.send("/start pitch")
    assert "Welkom" in replies[0].text
    assert replies[-1].has_button("consent:yes:nl")
