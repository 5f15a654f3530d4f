"""When Telegram fails: nothing a person typed is lost, the error is logged, the token never."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.redelivery import BACKOFF
from storage import drafts, outbox
from tests.bot import scenario
from tests.bot.conftest import TOKEN, BotHarness
from tests.bot.scenario import (
    ANSWERS,
    answer_questions,
    consent,
    draft_answers,
    pitches_of,
    prompt_of,
    visible,
)
from tests.support.telegram import PrivateChat, Sent

ANNA = 1001
SORRY = "Oei, er liep iets mis aan mijn kant."


def token_free(caplog: pytest.LogCaptureFixture) -> bool:
    """Neither the whole token nor its secret half appears in any captured log line."""
    secret = TOKEN.split(":", 1)[1]
    lines = [caplog.text, *(r.getMessage() for r in caplog.records)]
    return not any(TOKEN in line or secret in line for line in lines)


async def test_a_reply_telegram_cannot_take_now_loses_nothing_and_comes_again(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """A 5xx: the answer is stored, nobody apologises into the outage, and where she was
    is sent again as soon as Telegram takes it."""
    caplog.set_level(logging.DEBUG)
    anna = harness.chat()
    await consent(anna)
    harness.request.fail_next("sendMessage", 502, "Bad Gateway")

    replies = await anna.send(ANSWERS["nl"]["idea"])

    assert len(replies) == 1, "the failed answer, no apology after it"
    assert await draft_answers(harness.database, ANNA) == {"idea": ANSWERS["nl"]["idea"]}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "nothing crashed"
    assert token_free(caplog)

    again = await redeliver(harness)

    assert visible(again[0].text).startswith("🔄 Mijn vorige bericht is misschien niet bij je")
    assert prompt_of("dream", "nl") in again[-1].text, "the question she never saw"
    assert await redeliver(harness) == [], "once"


async def redeliver(harness: BotHarness) -> list[Sent]:
    """The redelivery's next try comes; what it showed."""
    before = len(harness.request.calls)
    await scenario.redeliver(harness.app, harness.clock)
    return harness.request.shown(before)


async def her_answer_is_lost(harness: BotHarness) -> PrivateChat:
    """Anna answers the first question; the bot's answer meets a 502."""
    anna = harness.chat()
    await consent(anna)
    harness.request.fail_next("sendMessage", 502, "Bad Gateway")
    await anna.send(ANSWERS["nl"]["idea"])
    return anna


async def test_writing_before_the_lost_answer_comes_again_shows_where_she_was_first(
    harness: BotHarness,
) -> None:
    anna = await her_answer_is_lost(harness)

    replies = await anna.send("hallo? ben je daar nog?")

    assert "heb ik daarom nog niet als antwoord genomen" in visible(replies[0].text)
    assert prompt_of("dream", "nl") in replies[-1].text
    assert await draft_answers(harness.database, ANNA) == {"idea": ANSWERS["nl"]["idea"]}
    assert await redeliver(harness) == [], "shown already: not sent again"


async def test_redelivery_backs_off_then_waits_for_her_next_message(
    harness: BotHarness,
) -> None:
    anna = await her_answer_is_lost(harness)
    waits = []
    for _ in BACKOFF:  # Telegram stays down for every try
        harness.request.fail_next("sendMessage", 502, "Bad Gateway")
        tried = harness.request.asked("sendMessage")
        assert await redeliver(harness) == []
        assert harness.request.asked("sendMessage") == tried + 1, "tried once, failed"
        waits.append(await next_try_in(harness))

    assert waits[:-1] == sorted(waits[:-1]) and waits[0] < waits[-2], "each wait longer"
    assert waits[-1] is None, "no try after the last"
    assert await redeliver(harness) == [], "given up trying on its own"
    replies = await anna.send("hallo?")
    assert "Hier waren we" in visible(replies[0].text), "her next message brings it"


async def next_try_in(harness: BotHarness) -> float | None:
    """Seconds until the next try, as stored with the owed message."""
    async with harness.database.sessions() as session:
        at = await outbox.next_try(session, give_up_after=len(BACKOFF))
    return (at - harness.clock.now).total_seconds() if at else None


async def test_a_reference_that_did_not_reach_its_pitcher_is_sent_again(
    harness: BotHarness,
) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna)
    harness.request.fail_next("sendMessage", 502, "Bad Gateway")
    await anna.tap("📨")

    again = await redeliver(harness)

    shown = "\n".join(visible(m.text) for m in again)
    reference = (await pitches_of(harness.database, ANNA))[0].reference
    assert reference is not None and reference in shown
    assert "Bedankt! Je pitch is ingestuurd." in shown


async def test_when_even_the_apology_fails_the_bot_does_not_loop(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    anna = harness.chat()
    await consent(anna)
    harness.request.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    harness.request.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    replies = await anna.send(ANSWERS["nl"]["idea"])

    assert len(replies) == 2, "one failed reply, one failed apology, nothing more"
    assert await draft_answers(harness.database, ANNA) == {"idea": ANSWERS["nl"]["idea"]}
    assert [r.levelname for r in caplog.records if r.name == "bot.errors"] == ["ERROR", "WARNING"]
    assert token_free(caplog)


async def test_a_press_answered_too_late_still_moves_on(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """After a pause (e.g. a restart) Telegram refuses to answer an old button press."""
    caplog.set_level(logging.DEBUG)
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="stage")
    harness.request.fail_next(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )

    replies = await anna.tap_data("opt:stage:1")

    assert (await draft_answers(harness.database, ANNA))["stage"] == "testing"
    assert prompt_of("scope", "nl") in replies[-1].text, "the next question still comes"
    assert token_free(caplog)


async def test_a_tick_that_cannot_be_edited_in_place_is_sent_anew(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="solution_form")
    harness.request.fail_next("editMessageText", 400, "Bad Request: message can't be edited")

    replies = await anna.tap_data("tog:solution_form:2")

    assert [r.method for r in replies] == ["editMessageText", "sendMessage"]
    assert replies[-1].label("tog:solution_form:2").startswith("✅")
    assert (await draft_answers(harness.database, ANNA))["solution_form"] == "organisation_model"


async def test_an_unchanged_tick_message_is_not_sent_twice(harness: BotHarness) -> None:
    anna = harness.chat()
    await consent(anna)
    await answer_questions(anna, stop="solution_form")
    harness.request.fail_next(
        "editMessageText", 400, "Bad Request: message is not modified: specified new message"
    )

    replies = await anna.tap_data("tog:solution_form:2")

    assert [r.method for r in replies] == ["editMessageText"]


async def test_a_failed_unit_of_work_says_the_message_was_not_kept_and_logs_no_answer(
    harness: BotHarness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refuses the answer: nothing of it is stored, and she is asked to send
    it again rather than told it is safe; the log names the failure, not what she wrote."""
    caplog.set_level(logging.INFO)  # as a running bot logs
    anna = harness.chat()
    await consent(anna)
    secret = "Mijn geheime plan voor de Kerkstraat"

    async def refused(
        session: AsyncSession, pitch: object, key: str, value: str, *_: object
    ) -> None:
        await session.execute(text("INSERT INTO no_such_table VALUES (:value)"), {"value": value})

    monkeypatch.setattr(drafts, "set_answer", refused)
    replies = await anna.send(secret)

    assert visible(replies[-1].text) == (
        "Oei, er liep iets mis aan mijn kant en je laatste bericht is niet bewaard. "
        "Stuur het zo meteen nog eens?"
    )
    assert await draft_answers(harness.database, ANNA) == {}
    assert "no_such_table" in caplog.text, "the failure itself is logged"
    assert secret not in caplog.text, "bound parameters (what people wrote) are never logged"
    monkeypatch.undo()
    await anna.send(secret)
    assert await draft_answers(harness.database, ANNA) == {"idea": secret}
