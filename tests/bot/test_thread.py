"""The thread between the team and a pitcher: messages both ways, and news of the pitch."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from tests.bot.conftest import OLGA, PIETER, STAFF_CHAT, TeamHarness
from tests.bot.scenario import ANSWERS, draft_answers, prompt_of, redeliver, snapshot, visible
from tests.bot.staff_scenario import (
    FULL,
    cards,
    confirm,
    events_of,
    in_group,
    only,
    pitch_row,
    queued,
    retry,
    send_pitch,
    set_status,
    texts,
    until,
)

ANNA = 1001
BLOCKED = "Forbidden: bot was blocked by the user"
KICKED = "Forbidden: bot was kicked from the supergroup chat"


async def test_a_reply_command_reaches_the_pitcher_marked_as_from_the_team(
    team: TeamHarness,
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()

    replies = await olga.send(f"/reply {reference} Dag Anna, <wanneer> past een gesprek & waar?")

    to_anna, to_olga = only(replies, ANNA), only(replies, OLGA)
    assert len(to_anna) == 1
    assert visible(to_anna[0].text) == (
        f"↩️ 💬 Bericht van het team over je pitch {reference}:\n\n"
        "Dag Anna, <wanneer> past een gesprek & waar?\n\n"
        "Antwoorden? Gebruik ‘Beantwoorden’ op dit bericht, of typ gewoon hier."
    )
    assert "&lt;wanneer&gt;" in to_anna[0].text
    assert texts(to_olga) == [f"💬 Afgeleverd bij de pitcher van {reference}."]
    assert (await events_of(team.database, reference))[-1] == (
        "message_out",
        OLGA,
        {"text": "Dag Anna, <wanneer> past een gesprek & waar?", "delivered": True},
    )


async def test_a_team_message_reaches_an_english_pitcher_in_english(team: TeamHarness) -> None:
    anna = team.pitcher(language_code="en")
    reference, _ = await send_pitch(anna, "en")

    replies = await team.in_group(PIETER, "Pieter").send(f"/reply {reference} Hallo Anna!")

    to_anna = only(replies, ANNA)
    assert visible(to_anna[0].text).startswith(
        f"↩️ 💬 Message from the team about your pitch {reference}:"
    )
    assert "Want to answer?" in to_anna[0].text
    assert texts(in_group(replies)) == [f"💬 Afgeleverd bij de pitcher van {reference}."]


async def test_the_reply_button_and_answering_its_prompt_reach_the_pitcher(
    team: TeamHarness,
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    card = cards(team, reference)[0]
    pieter = team.in_group(PIETER, "Pieter")
    prompt = (await pieter.tap_on(card, "Antwoorden"))[0]

    replies = await pieter.reply(prompt, "Dag Anna, we lazen je idee graag!")

    assert visible(only(replies, ANNA)[0].text).startswith(
        f"↩️ 💬 Bericht van het team over je pitch {reference}:\n\nDag Anna, we lazen"
    )
    assert texts(in_group(replies)) == [f"💬 Afgeleverd bij de pitcher van {reference}."]
    assert (await events_of(team.database, reference))[-1] == (
        "message_out",
        PIETER,
        {"text": "Dag Anna, we lazen je idee graag!", "delivered": True},
    )


async def test_what_the_pitcher_writes_afterwards_reaches_the_staff_group(
    team: TeamHarness,
) -> None:
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)

    replies = await anna.send("Ik heb nog een vraag <over> de subsidies & de timing")

    assert texts(only(replies, ANNA)) == [
        f"📨 Doorgestuurd naar het team (over {reference}). Je krijgt hier antwoord. "
        "Een nieuw idee pitchen? Typ /start."
    ]
    relayed = in_group(replies)
    assert len(relayed) == 1
    assert visible(relayed[0].text) == (
        f"↩️ 💬 {reference} · de pitcher schrijft:\n\n"
        "Ik heb nog een vraag <over> de subsidies & de timing"
    )
    assert "&lt;over&gt;" in relayed[0].text
    assert relayed[0].buttons == [
        ("💬 Antwoorden", f"rp:{reference}"),
        ("📄 Alles tonen", f"sh:{reference}"),
    ]
    assert (await events_of(team.database, reference))[-1] == (
        "message_in",
        None,
        {"text": "Ik heb nog een vraag <over> de subsidies & de timing", "delivered": True},
    )


async def test_the_pitcher_can_answer_with_telegrams_reply_too(team: TeamHarness) -> None:
    anna = team.pitcher(language_code="en")
    reference, _ = await send_pitch(anna, "en")
    message = only(await team.olga().send(f"/reply {reference} When can we meet?"), ANNA)[0]

    replies = await anna.reply(message, "Tuesday works for me")

    assert "Passed on to the team" in only(replies, ANNA)[0].text
    assert visible(in_group(replies)[0].text) == (
        f"↩️ 💬 {reference} · de pitcher schrijft:\n\nTuesday works for me"
    )


async def test_a_staff_reply_to_a_relayed_message_reaches_the_pitcher(team: TeamHarness) -> None:
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)
    relayed = in_group(await anna.send("Hebben jullie mijn pitch goed ontvangen?"))[0]
    pieter = team.in_group(PIETER, "Pieter")

    replies = await pieter.reply(relayed, "Ja hoor, we lezen hem deze week.")

    assert "Ja hoor, we lezen hem deze week." in only(replies, ANNA)[0].text
    assert texts(in_group(replies)) == [f"💬 Afgeleverd bij de pitcher van {reference}."]


async def test_a_reply_to_the_team_mid_draft_goes_to_the_team_and_leaves_the_draft_alone(
    team: TeamHarness,
) -> None:
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)
    message = only(await team.olga().send(f"/reply {reference} Mag ik je bellen?"), ANNA)[0]
    await anna.send("/start")  # a second idea
    await anna.send("Een deelfietsenpunt bij het station voor de hele buurt")
    draft_before = await draft_answers(team.database, ANNA)

    replies = await anna.reply(message, "Ja, bel maar na vijf uur")

    assert "Doorgestuurd naar het team" in only(replies, ANNA)[0].text
    assert "Ja, bel maar na vijf uur" in in_group(replies)[0].text
    assert await draft_answers(team.database, ANNA) == draft_before, "the draft is untouched"
    assert (await events_of(team.database, reference))[-1][:2] == ("message_in", None)
    carry_on = await anna.send(ANSWERS["nl"]["dream"])
    assert prompt_of("challenge", "nl") in carry_on[-1].text, "and she carries on"


async def test_typing_mid_draft_without_replying_is_an_answer_not_a_message(
    team: TeamHarness,
) -> None:
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)
    await anna.send("/start")

    replies = await anna.send("Een deelfietsenpunt bij het station voor de hele buurt")

    assert in_group(replies) == []
    assert "message_in" not in [e[0] for e in await events_of(team.database, reference)]


async def test_a_staff_reply_to_a_card_stays_in_the_group(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    card = cards(team, reference)[0]
    before = await snapshot(team.database)
    calls = len(team.request.calls)

    replies = await team.in_group(PIETER, "Pieter").reply(card, "Wie kent deze wijk?")

    assert replies == []
    assert team.request.shown(calls) == []
    assert await snapshot(team.database) == before


async def test_a_stranger_replying_with_someone_elses_reference_reaches_no_one(
    team: TeamHarness,
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    message = only(await team.olga().send(f"/reply {reference} Mag ik je bellen?"), ANNA)[0]
    bram = team.pitcher(1002, "Bram")
    await send_pitch(bram)
    before = await events_of(team.database, reference)

    replies = await bram.reply(message, "Ik ben Anna niet, maar hallo")

    assert await events_of(team.database, reference) == before, "not in Anna's thread"
    assert reference not in " ".join(texts(replies))


async def test_a_pitcher_who_blocked_the_bot_cannot_be_reached_and_staff_are_told(
    team: TeamHarness, caplog: pytest.LogCaptureFixture
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    team.request.fail_chat(ANNA, 403, BLOCKED, times=10)
    olga = team.olga()

    replies = await olga.send(f"/reply {reference} Dag Anna, ben je er nog?")

    assert texts(only(replies, OLGA)) == [
        f"⚠️ Je bericht voor {reference} kon niet worden afgeleverd: de pitcher heeft de bot "
        "geblokkeerd of het gesprek verwijderd. Het staat wel in de geschiedenis."
    ]
    assert (await events_of(team.database, reference))[-1] == (
        "message_out",
        OLGA,
        {"text": "Dag Anna, ben je er nog?", "delivered": False},
    )
    full = visible((await olga.send(f"/pitch {reference}"))[-1].text)
    assert "Olga → pitcher 💬 Dag Anna, ben je er nog? ⚠️ niet afgeleverd" in full

    prompt = (await olga.tap_on(cards(team, reference)[0], "Antwoorden"))[0]
    replies = await olga.reply(prompt, "Tweede poging")
    assert "kon niet worden afgeleverd" in only(replies, OLGA)[0].text

    replies = await set_status(olga, reference, "supported")
    assert texts(only(replies, OLGA))[-1] == (
        f"✅ {reference}: 🆕 nieuw → 🌱 ondersteund\n\n"
        f"⚠️ De pitcher van {reference} kon niet verwittigd worden (bot geblokkeerd?)."
    )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "nothing crashed"


async def test_a_team_message_telegram_cannot_take_now_arrives_later_and_staff_know(
    team: TeamHarness,
) -> None:
    """A 502: staff read that it is on its way, and it arrives once Telegram takes it."""
    reference, _ = await send_pitch(team.pitcher())
    team.request.fail_chat(ANNA, 502, "Bad Gateway", times=2)  # the message, then the news
    olga = team.olga()

    replies = await olga.send(f"/reply {reference} Dag Anna, mogen we je bellen?")
    news = await set_status(olga, reference, "in_conversation")

    assert texts(only(replies, OLGA)) == [
        f"⏳ Telegram nam je bericht voor {reference} nu niet aan: het wordt opnieuw "
        "verstuurd tot het lukt. Het staat al in de geschiedenis."
    ]
    assert "krijgt het bericht zodra het lukt" in texts(only(news, OLGA))[-1]
    to_anna = len(team.request.calls)

    await redeliver(team.app, team.clock)

    arrived = texts(team.request.messages_to(ANNA, to_anna))
    assert len(arrived) == 2 and "Dag Anna, mogen we je bellen?" in arrived[0]
    assert (await events_of(team.database, reference))[-2][2] == {
        "text": "Dag Anna, mogen we je bellen?",
        "delivered": True,
    }, "marked delivered once it arrived"


async def test_a_status_button_tells_staff_when_the_pitcher_could_not_be_told(
    team: TeamHarness,
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()
    full = (await olga.send(f"/pitch {reference}"))[-1]
    team.request.fail_chat(ANNA, 403, BLOCKED)

    replies = await confirm(olga, await olga.tap_on(full, "in gesprek"))

    assert olga.toast() == f"✅ {reference}: 🆕 nieuw → 💬 in gesprek"
    told = [r for r in only(replies, OLGA) if "kon niet verwittigd worden" in r.text]
    assert len(told) == 1, "said plainly, not only in a toast"
    assert told[0].method == "editMessageText" and "Zo leest de pitcher het" not in told[0].text, (
        "the preview became what was done"
    )
    assert (await pitch_row(team.database, reference)).status == "in_conversation"


NEWS = {
    "in_conversation": "we'd like to talk with you about your pitch",
    "supported": "We're supporting your idea",
    "referred": "passed your pitch {reference} on to Buurtwerk Noord",
    "not_pursued": "We won't be taking it further ourselves",
}
MYPITCHES = {
    "in_conversation": "we're talking it through with you",
    "supported": "we're supporting your idea",
    "referred": "referred to a partner",
    "not_pursued": "we won't be taking it further",
    "in_review": "our team is looking at your idea",
    "archived": "archived",
}


@pytest.mark.parametrize("status", list(NEWS))
async def test_the_pitcher_hears_of_a_decision_in_her_own_language(
    team: TeamHarness, status: str
) -> None:
    anna = team.pitcher(language_code="en")
    reference, _ = await send_pitch(anna, "en")

    replies = await set_status(team.in_group(PIETER, "Pieter"), reference, status)

    news = only(replies, ANNA)
    assert len(news) == 1 and NEWS[status].format(reference=reference) in news[0].text
    assert reference in news[0].text
    done = [t for t in texts(only(replies, STAFF_CHAT)) if t.startswith("✅")]
    assert done[0].startswith(f"✅ {reference}: 🆕 nieuw → "), "staff read nl"
    mine = await anna.send("/mypitches")
    assert f"{reference}</b> – {MYPITCHES[status]}" in mine[-1].text


@pytest.mark.parametrize("status", ["in_review", "archived", "new"])
async def test_the_pitcher_is_not_bothered_with_internal_steps(
    team: TeamHarness, status: str
) -> None:
    anna = team.pitcher(language_code="en")
    reference, _ = await send_pitch(anna, "en")
    if status == "new":  # back to new, from a decision she did hear about
        await set_status(team.olga(), reference, "supported")

    replies = await team.olga().send(f"/status {reference} {status}")

    assert only(replies, ANNA) == []
    mine = (await anna.send("/mypitches"))[-1].text
    expected = MYPITCHES.get(status, "received, we'll read it soon")
    assert f"{reference}</b> – {expected}" in mine


async def test_the_status_button_tells_the_pitcher_too(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    olga = team.olga()
    full = (await olga.send(f"/pitch {reference}"))[-1]

    replies = await confirm(olga, await olga.tap_on(full, "ondersteund"))

    assert "We ondersteunen je idee" in only(replies, ANNA)[0].text
    assert olga.toast() == f"✅ {reference}: 🆕 nieuw → 🌱 ondersteund"


async def test_a_staff_member_who_pitched_herself_answers_the_team_like_any_pitcher(
    team: TeamHarness,
) -> None:
    olga = team.olga()  # trying the bot out with an idea of her own
    reference, _ = await send_pitch(olga)
    message = only(await team.pieter().send(f"/reply {reference} Dag Olga, leuk idee!"), OLGA)[0]

    replies = await olga.reply(message, "Dank je, wanneer kunnen we praten?")

    assert texts(only(replies, OLGA)) == [
        f"📨 Doorgestuurd naar het team (over {reference}). Je krijgt hier antwoord. "
        "Een nieuw idee pitchen? Typ /start."
    ]
    assert visible(in_group(replies)[0].text) == (
        f"↩️ 💬 {reference} · de pitcher schrijft:\n\nDank je, wanneer kunnen we praten?"
    )
    assert (await events_of(team.database, reference))[-1] == (
        "message_in",
        None,
        {"text": "Dank je, wanneer kunnen we praten?", "delivered": True},
    )


async def test_a_relayed_message_is_escaped_and_names_nobody_in_the_group(
    team: TeamHarness,
) -> None:
    bob = team.pitcher(1002, "<b>Bob</b> & co")
    await send_pitch(bob)

    relayed = in_group(await bob.send("hallo <i>team</i>"))[0]

    assert "Bob" not in relayed.text  # who the pitcher is stays in the full pitch
    assert "hallo &lt;i&gt;team&lt;/i&gt;" in relayed.text


async def test_a_card_quoting_the_mark_the_pitcher_typed_still_stays_in_the_group(
    team: TeamHarness,
) -> None:
    first, _ = await send_pitch(team.pitcher())
    idea = f"↩️ Terug naar de buurt: een frigo, zoals {first} maar dan in Deurne"
    bram = team.pitcher(1002, "Bram")
    second, _ = await send_pitch(bram, answers={**FULL["nl"], "idea": idea})
    pieter = team.in_group(PIETER, "Pieter")
    listing = (await pieter.send("/new"))[0]
    before = await snapshot(team.database)
    calls = len(team.request.calls)

    for message in (cards(team, second)[0], listing):
        assert "↩️" in message.text
        assert await pieter.reply(message, "Intern: kent iemand Deurne?") == []

    assert team.request.shown(calls) == [], "nothing reached Anna or Bram"
    assert await snapshot(team.database) == before


async def test_a_message_written_while_the_staff_group_is_down_arrives_once_it_is_back(
    team: TeamHarness, caplog: pytest.LogCaptureFixture
) -> None:
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)
    team.request.fail_chat(STAFF_CHAT, 403, KICKED, times=100)
    before = len(team.request.calls)

    replies = await anna.send("Is er al nieuws over mijn pitch?")

    assert "Doorgestuurd naar het team" in only(replies, ANNA)[0].text
    assert team.group_messages(before) == [], "the group did not take it"
    shown = visible((await team.olga().send(f"/pitch {reference}"))[-1].text)
    assert "Is er al nieuws over mijn pitch?" in shown, "on record meanwhile"
    for _ in range(3):  # the job comes by while the group is still unreachable
        await retry(team)
    reports = [r.getMessage() for r in caplog.records if r.name == "bot.staff.notify"]
    assert len(reports) == 1 and reference in reports[0], reports
    before = len(team.request.calls)

    team.request.heal_chat(STAFF_CHAT)
    await retry(team)
    await retry(team)

    relayed = team.group_messages(before)
    assert [visible(m.text) for m in relayed] == [
        f"↩️ 💬 {reference} · de pitcher schrijft:\n\nIs er al nieuws over mijn pitch?"
    ], "arrives, once"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "nothing crashed"


async def test_waiting_messages_arrive_after_their_pitchs_card_and_in_order(
    team: TeamHarness,
) -> None:
    team.request.fail_chat(STAFF_CHAT, 403, KICKED, times=100)
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)
    await anna.send("Eerste vraag")
    team.clock.now += timedelta(minutes=1)
    await anna.send("Tweede vraag")
    team.request.heal_chat(STAFF_CHAT)
    before = len(team.request.calls)

    await retry(team)

    shown = [visible(m.text) for m in team.group_messages(before)]
    assert [text.split(" · ")[0] for text in shown] == [
        f"📬 {reference}",
        f"↩️ 💬 {reference}",
        f"↩️ 💬 {reference}",
    ]
    assert shown[1].endswith("Eerste vraag") and shown[2].endswith("Tweede vraag")
    assert await queued(team.database) == [], "nothing left waiting"


async def test_a_message_still_on_its_way_is_not_relayed_again_by_the_retry_job(
    team: TeamHarness,
) -> None:
    anna = team.pitcher()
    await send_pitch(anna)
    release = team.request.hold(STAFF_CHAT)  # a burst: the message waits in the rate limiter
    writing = asyncio.create_task(anna.send("Nog een vraag"))
    await until(lambda: team.request.waiting(STAFF_CHAT) == 1, "the message is on its way")

    retrying = asyncio.create_task(retry(team))  # comes by meanwhile
    release.set()
    await asyncio.gather(writing, retrying)

    relayed = [m for m in team.group_messages() if m.text.startswith("↩️")]
    assert [visible(m.text).split(":")[-1].strip() for m in relayed] == ["Nog een vraag"]
    assert await queued(team.database) == []


async def test_a_message_the_job_posted_meanwhile_is_not_posted_again_by_its_handler(
    team: TeamHarness,
) -> None:
    anna = team.pitcher()
    await send_pitch(anna)
    release = team.request.hold(ANNA)  # her "passed on" waits: the message is stored
    writing = asyncio.create_task(anna.send("Nog een vraag"))
    await until(lambda: team.request.waiting(ANNA) == 1, "the message is stored")

    await retry(team)  # the job comes by and posts it
    release.set()
    await writing

    relayed = [m for m in team.group_messages() if "Nog een vraag" in visible(m.text)]
    assert len(relayed) == 1, "once, not twice"


async def test_a_new_message_never_overtakes_a_waiting_card_or_older_message(
    team: TeamHarness,
) -> None:
    team.request.fail_chat(STAFF_CHAT, 403, KICKED, times=1)  # the card does not arrive
    anna = team.pitcher()
    reference, _ = await send_pitch(anna)
    before = len(team.request.calls)

    await anna.send("Eerste vraag")  # the group takes messages again

    shown = [visible(m.text) for m in team.group_messages(before)]
    assert [s.split(" · ")[0] for s in shown] == [f"📬 {reference}", f"↩️ 💬 {reference}"]
    team.request.fail_chat(STAFF_CHAT, 403, KICKED, times=1)  # this one waits
    await anna.send("Tweede vraag")
    before = len(team.request.calls)

    await anna.send("Derde vraag")

    shown = [visible(m.text).split("\n")[-1] for m in team.group_messages(before)]
    assert shown == ["Tweede vraag", "Derde vraag"]
