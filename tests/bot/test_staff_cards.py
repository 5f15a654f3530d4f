"""A pitch is sent: its card reaches the staff group, now or as soon as the group takes it."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from telegram.ext import AIORateLimiter

from bot.settings import RETRY_SECONDS
from bot.staff.notify import BURST, BURST_QUIET, MAX_ATTEMPTS
from storage.database import Database
from tests.bot.conftest import (
    STAFF_CHAT,
    FakeMonotonic,
    FrozenClock,
    TeamHarness,
    make_app,
    make_team_app,
)
from tests.bot.scenario import FLOW, answer_questions, consent, telegram_length, visible
from tests.bot.staff_scenario import (
    FULL,
    cards,
    in_group,
    pitch_row,
    retry,
    send_pitch,
    until,
)
from tests.support.telegram import PrivateChat

ANNA = 1001
KICKED = "Forbidden: bot was kicked from the supergroup chat"


def card_labels() -> dict[str, str]:
    return {q.key: q.texts["nl"].label for q in FLOW.questions}


async def test_a_sent_pitch_arrives_as_a_card_in_the_staff_group(team: TeamHarness) -> None:
    anna = team.pitcher()

    reference, replies = await send_pitch(anna)

    assert reference == "P-2026-0001"
    assert [r.chat_id for r in replies] == [ANNA, STAFF_CHAT], "her thanks, then the card"
    card = replies[-1]
    shown = visible(card.text)
    labels = card_labels()
    assert shown.startswith("📬 P-2026-0001 · 🆕 nieuw · 🙋 nog niemand")
    for key, value in [
        ("idea", FULL["nl"]["idea"]),
        ("challenge", FULL["nl"]["challenge"]),
        ("stage", "We zijn aan het testen"),
        ("scope", "Gemeente of stad"),
        ("municipality", "Antwerpen"),
        ("support", "Samen doordenken"),
    ]:
        assert labels[key] in shown and value in shown, key
    for key in ("dream", "change", "solution", "connect"):
        assert FULL["nl"][key] not in shown, f"{key} is for the full pitch only"
    pitch = await pitch_row(team.database, reference)
    assert card.buttons == [
        ("🙋 Ik neem het op", f"tk:{reference}:n"),
        ("🔎 In behandeling", f"st:{reference}:in_review:n"),
        ("💬 Antwoorden", f"rp:{reference}"),
        ("📄 Alles tonen", f"sh:{reference}"),
    ]
    assert pitch.staff_card_sent_at == team.clock.now


@pytest.mark.parametrize("contact", ["anna@voorbeeld.be", "0470 12 34 56"], ids=["e-mail", "phone"])
async def test_the_card_in_the_group_shows_no_contact_details(
    team: TeamHarness, contact: str
) -> None:
    anna = team.private(ANNA, "Annabel", username="annabel_p")

    reference, _ = await send_pitch(anna, answers={**FULL["nl"], "contact": contact})

    card = visible(cards(team, reference)[0].text)
    for personal in ("Anna Peeters", contact, "Annabel", "annabel_p", str(ANNA)):
        assert personal not in card
    assert "Contact" not in card and "Je naam" not in card


async def test_what_the_pitcher_typed_is_escaped_on_the_card(team: TeamHarness) -> None:
    idea = "Een <b>frigo</b> & <a href='x'>deelkast</a> voor iedereen in de buurt"
    reference, _ = await send_pitch(team.pitcher(), answers={**FULL["nl"], "idea": idea})

    card = cards(team, reference)[0]

    assert "Een &lt;b&gt;frigo&lt;/b&gt; &amp; &lt;a href='x'&gt;deelkast&lt;/a&gt;" in card.text
    assert idea in visible(card.text), "staff read exactly what was typed"


async def test_a_long_pitch_is_split_under_telegrams_limit(team: TeamHarness) -> None:
    long = {
        key: (FULL["nl"][key] + " & " + "x" * 2000)[: q.max_length]
        for q in FLOW.questions
        if (key := q.key) in FULL["nl"] and q.max_length and key not in ("contact",)
    }
    reference, replies = await send_pitch(team.pitcher(), answers={**FULL["nl"], **long})
    assert all(telegram_length(m.text) <= 4096 for m in in_group(replies))

    shown = await team.olga().send(f"/pitch {reference}")

    assert len(shown) > 1, "too long for one message"
    assert all(telegram_length(m.text) <= 4096 for m in shown)
    assert [bool(m.buttons) for m in shown] == [False] * (len(shown) - 1) + [True]
    assert "&amp;" in "".join(m.text for m in shown)


@pytest.mark.parametrize(
    ("code", "description"),
    [
        (403, KICKED),
        (400, "Bad Request: chat not found"),
        (429, "Too Many Requests: retry after 30"),
    ],
    ids=["kicked", "chat-gone", "flood"],
)
async def test_an_unreachable_staff_group_delays_the_card_but_loses_no_pitch(
    team: TeamHarness, caplog: pytest.LogCaptureFixture, code: int, description: str
) -> None:
    caplog.set_level(logging.INFO)
    team.request.fail_chat(STAFF_CHAT, code, description, times=100)
    anna = team.pitcher()

    reference, replies = await send_pitch(anna)

    assert replies[0].chat_id == ANNA and reference in replies[0].text, "she has her reference"
    pitch = await pitch_row(team.database, reference)
    assert pitch.status == "new" and pitch.staff_card_sent_at is None
    for _ in range(3):  # the job comes by while the group is still unreachable
        team.clock.now += timedelta(seconds=RETRY_SECONDS)
        await retry(team)
    reports = [r for r in caplog.records if r.name == "bot.staff.notify"]
    assert len(reports) == 1, [r.getMessage() for r in reports]
    assert reports[0].levelno == logging.WARNING and reference in reports[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "nothing crashed"

    listed = await team.olga().send("/new")
    assert reference in listed[0].text, "/new always shows it"
    assert cards(team, reference) == []

    team.request.heal_chat(STAFF_CHAT)
    await retry(team)
    await retry(team)

    assert len(cards(team, reference)) == 1, "delivered once, not again"
    pitch = await pitch_row(team.database, reference)
    assert pitch.staff_card_sent_at == team.clock.now


async def test_waiting_cards_go_out_oldest_first_once_the_group_is_back(
    team: TeamHarness, caplog: pytest.LogCaptureFixture
) -> None:
    team.request.fail_chat(STAFF_CHAT, 403, KICKED, times=100)
    first, _ = await send_pitch(team.pitcher())
    team.clock.now += timedelta(minutes=5)
    second, _ = await send_pitch(team.pitcher(1002, "Bram"))
    reports = [r.getMessage() for r in caplog.records if r.name == "bot.staff.notify"]
    assert len(reports) == 1 and first in reports[0], "the second card waits behind the first"
    team.request.heal_chat(STAFF_CHAT)
    before = len(team.request.calls)

    await retry(team)

    titles = [visible(m.text).split(" · ")[0] for m in team.group_messages(before)]
    assert titles == [f"📬 {first}", f"📬 {second}"]
    third, replies = await send_pitch(team.pitcher(1003, "Chris"))
    assert len(in_group(replies)) == 1, "a pitch sent now arrives at once"
    assert [len(cards(team, ref)) for ref in (first, second, third)] == [1, 1, 1]


async def test_a_card_that_fails_once_is_reported_again_only_after_it_arrived(
    team: TeamHarness, caplog: pytest.LogCaptureFixture
) -> None:
    team.request.fail_chat(STAFF_CHAT, 403, KICKED, times=1)
    reference, _ = await send_pitch(team.pitcher())
    await retry(team)

    assert len(cards(team, reference)) == 1
    assert len([r for r in caplog.records if r.name == "bot.staff.notify"]) == 1


async def test_outgoing_messages_go_through_the_rate_limiter(
    database: Database, clock: FrozenClock
) -> None:
    monotonic = FakeMonotonic()
    app, request, gate = make_team_app(database, clock, monotonic, rate_limit=True)
    assert isinstance(app.bot.rate_limiter, AIORateLimiter)
    async with app:
        limited = TeamHarness(app, request, database, clock, monotonic, gate)
        _, replies = await send_pitch(limited.pitcher())
    assert len(in_group(replies)) == 1, "the card went out through the limiter"

    quiet, _, _ = make_team_app(database, clock, monotonic, rate_limit=False)
    assert quiet.bot.rate_limiter is None
    default, _ = make_app(database, clock)
    assert isinstance(default.bot.rate_limiter, AIORateLimiter), "on unless a test says not"


async def test_a_card_still_on_its_way_is_not_sent_again_by_the_retry_job(
    team: TeamHarness,
) -> None:
    anna = team.pitcher()
    await consent(anna)
    await answer_questions(anna, answers=FULL["nl"])
    release = team.request.hold(STAFF_CHAT)  # a burst: the card waits in the rate limiter
    sending = asyncio.create_task(anna.tap("📨"))
    await until(lambda: team.request.waiting(STAFF_CHAT) == 1, "the card is on its way")

    retrying = asyncio.create_task(retry(team))
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.gather(sending, retrying)

    assert len(cards(team, "P-2026-0001")) == 1, "one card, not two"


async def test_a_card_the_retry_job_delivered_is_not_sent_again_by_the_pitch(
    team: TeamHarness,
) -> None:
    anna = team.pitcher()
    await consent(anna)
    await answer_questions(anna, answers=FULL["nl"])
    release = team.request.hold(ANNA)  # her thanks are slow to go out
    sending = asyncio.create_task(anna.tap("📨"))
    await until(lambda: team.request.waiting(ANNA) == 1, "the pitch is stored")

    await retry(team)  # the job comes by in between
    assert len(cards(team, "P-2026-0001")) == 1
    release.set()
    await sending

    assert len(cards(team, "P-2026-0001")) == 1, "one card, not two"


async def test_a_late_card_shows_who_took_the_pitch_in_the_meantime(team: TeamHarness) -> None:
    team.request.fail_chat(STAFF_CHAT, 403, KICKED, times=5)
    reference, _ = await send_pitch(team.pitcher())
    await team.olga().send(f"/assign {reference} me")  # found through /new meanwhile
    await team.olga().send(f"/status {reference} in_review")
    team.request.heal_chat(STAFF_CHAT)

    await retry(team)

    card = visible(cards(team, reference)[0].text)
    assert card.startswith(f"📬 {reference} · 🔎 in behandeling · 🙋 Olga")


async def test_a_staff_name_on_a_card_is_escaped(team: TeamHarness) -> None:
    reference, _ = await send_pitch(team.pitcher())
    odd = team.in_group(7001, "<Olga & co>")

    replies = await odd.tap_on(cards(team, reference)[0], "neem het op")

    assert "🙋 &lt;Olga &amp; co&gt;" in replies[0].text


async def test_the_pitcher_is_answered_without_waiting_for_the_staff_group(
    team: TeamHarness,
) -> None:
    """The group is slow (its flood limit, a burst): her reference comes at once, the card
    follows when the group takes it."""
    release = team.request.hold(STAFF_CHAT)
    impatient = PrivateChat(team.app, team.request, ANNA, "Anna", "nl")  # does not settle

    reference, replies = await send_pitch(impatient)

    assert [r.chat_id for r in replies] == [ANNA], "her reference, nothing waited for"
    await until(lambda: team.request.waiting(STAFF_CHAT) == 1, "the card is on its way")
    release.set()
    await team.settle()
    assert len(cards(team, reference)) == 1


async def test_a_burst_of_cards_is_announced_once_then_every_card_arrives_in_order(
    team: TeamHarness,
) -> None:
    team.request.fail_chat(STAFF_CHAT, 403, KICKED, times=1000)
    references = [
        (await send_pitch(team.pitcher(2000 + n, f"Pitcher {n}")))[0] for n in range(BURST + 1)
    ]
    team.request.heal_chat(STAFF_CHAT)
    before = len(team.request.calls)

    await retry(team)

    shown = [visible(m.text) for m in team.group_messages(before)]
    assert shown[0] == (
        f"📬 {BURST + 1} nieuwe pitches zijn onderweg naar deze groep (Telegram laat er zo'n "
        "20 per minuut toe). /new toont ze nu al allemaal."
    )
    assert [text.split(" · ")[0] for text in shown[1:]] == [f"📬 {ref}" for ref in references]
    late, replies = await send_pitch(team.pitcher(3000, "Laatkomer"))
    assert [visible(m.text).split(" · ")[0] for m in in_group(replies)] == [f"📬 {late}"], (
        "one more pitch is no burst: no second announcement"
    )


async def test_a_message_telegram_refuses_for_itself_is_dropped_and_blocks_nothing(
    team: TeamHarness, caplog: pytest.LogCaptureFixture
) -> None:
    team.request.fail_chat(STAFF_CHAT, 400, "Bad Request: can't parse entities", times=MAX_ATTEMPTS)
    first, _ = await send_pitch(team.pitcher())  # refused once
    await retry(team)  # twice

    second, _ = await send_pitch(team.pitcher(1002, "Bram"))  # a third time, then Bram's card

    assert cards(team, first) == [], "refused three times: given up"
    assert len(cards(team, second)) == 1, "the card behind it was not held up"
    dropped = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert dropped == [
        f"dropped the card of {first} for the staff chat after {MAX_ATTEMPTS} refusals: "
        "Can't parse entities"
    ]
    caplog.clear()  # the error above is the point of this test, not a crash
    await retry(team)
    assert len(cards(team, second)) == 1, "and nothing is sent twice"


async def test_a_burst_still_arriving_gets_one_line_and_a_later_burst_its_own(
    team: TeamHarness,
) -> None:
    async def burst(first_user: int) -> list[str]:
        team.request.fail_chat(STAFF_CHAT, 403, KICKED, times=1000)
        for n in range(BURST):
            await send_pitch(team.pitcher(first_user + n, f"Pitcher {n}"))
        team.request.heal_chat(STAFF_CHAT)
        before = len(team.request.calls)
        await retry(team)
        return [visible(m.text) for m in team.group_messages(before) if "onderweg" in m.text]

    assert len(await burst(2000)) == 1
    team.clock.now += timedelta(minutes=2)
    assert await burst(3000) == [], "more of the same burst: no second line"
    team.clock.now += BURST_QUIET
    assert len(await burst(4000)) == 1, "a later burst is announced again"
