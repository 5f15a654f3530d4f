"""When Telegram fails: nothing a person typed is lost, the error is logged, the token never."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage import repositories
from tests.bot.conftest import TOKEN, BotHarness
from tests.bot.scenario import (
    ANSWERS,
    answer_questions,
    consent,
    draft_answers,
    prompt_of,
    visible,
)

ANNA = 1001
SORRY = "Oei, er liep iets mis aan mijn kant."


def token_free(caplog: pytest.LogCaptureFixture) -> bool:
    """Neither the whole token nor its secret half appears in any captured log line."""
    secret = TOKEN.split(":", 1)[1]
    lines = [caplog.text, *(r.getMessage() for r in caplog.records)]
    return not any(TOKEN in line or secret in line for line in lines)


async def test_a_failed_reply_loses_no_answer_and_is_logged(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    anna = harness.chat()
    await consent(anna)
    harness.request.fail_next("sendMessage", 500, "Internal Server Error")

    replies = await anna.send(ANSWERS["nl"]["idea"])

    assert SORRY in replies[-1].text, "she is told something went wrong"
    assert "Wat je stuurde is wel veilig bewaard" in replies[-1].text, "and that it is kept"
    assert await draft_answers(harness.database, ANNA) == {"idea": ANSWERS["nl"]["idea"]}
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1
    assert failures[0].name == "bot.app" and "failed" in failures[0].getMessage()
    assert failures[0].exc_info is not None
    assert token_free(caplog)

    replies = await anna.send("/start")  # where was I? at the question whose reply failed
    assert "vraag 2 van 11" in replies[-1].text


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
    assert [r.levelname for r in caplog.records if r.name == "bot.app"] == ["ERROR", "WARNING"]
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

    monkeypatch.setattr(repositories, "set_answer", refused)
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
