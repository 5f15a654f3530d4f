"""The log as an operator reads it: text or one JSON object per line, ids, never the token."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.logs import ids, secrets_of, setup_logging

TOKEN = "987654:AAH-the-SECRET-half_of-the-token"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """setup_logging changes the root logger; put it back for the other tests."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], level = saved
    root.setLevel(level)


def json_lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_a_json_line_says_when_what_and_about_whom_in_fields_of_its_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(*secrets_of(TOKEN), form="json")
    before = datetime.now(UTC)

    logging.getLogger("bot.redelivery").warning(
        "could not answer chat %s", 1001, extra=ids(chat_id=1001, reference="P-2026-0042")
    )

    [line] = json_lines(capsys.readouterr().err)
    moment = datetime.fromisoformat(str(line.pop("time")))
    assert moment.utcoffset() == timedelta(0), "UTC"
    assert before - timedelta(seconds=1) <= moment <= datetime.now(UTC)
    assert line == {
        "level": "WARNING",
        "logger": "bot.redelivery",
        "event": "could not answer chat 1001",
        "chat_id": 1001,
        "reference": "P-2026-0042",
    }


def test_a_json_line_of_an_exception_holding_the_token_shows_it_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(*secrets_of(TOKEN), form="json")

    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        logging.getLogger("bot.errors").exception(
            "update %s failed", 42, extra=ids(update_id=42, user_id=7)
        )
    err = capsys.readouterr().err

    [line] = json_lines(err)
    assert line["event"] == "update 42 failed"
    assert (line["update_id"], line["user_id"]) == (42, 7)
    assert "RuntimeError: POST https://api.telegram.org/bot[redacted]/sendMessage" in str(
        line["exc"]
    )
    assert "Traceback (most recent call last)" in str(line["exc"])
    assert TOKEN not in err and TOKEN.partition(":")[2] not in err


def test_the_secret_half_of_the_token_is_redacted_on_its_own_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(*secrets_of(TOKEN))

    logging.getLogger("x").error("half: %s", TOKEN.partition(":")[2])

    err = capsys.readouterr().err
    assert "half: [redacted]" in err
    assert TOKEN.partition(":")[2] not in err


def test_text_lines_keep_their_format_and_show_no_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(*secrets_of(TOKEN))

    logging.getLogger("bot.inbox").error("skipped update %s", 5, extra=ids(update_id=5))

    [line] = capsys.readouterr().err.splitlines()
    date, time, rest = line.split(" ", 2)
    datetime.strptime(f"{date} {time}", "%Y-%m-%d %H:%M:%S,%f")
    assert rest == "ERROR bot.inbox: skipped update 5"


def test_the_level_setting_decides_which_lines_are_shown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(level="WARNING")
    logging.getLogger("bot").info("an ordinary day")
    logging.getLogger("bot").warning("a worry")
    setup_logging(level="DEBUG")
    logging.getLogger("bot").debug("every detail")

    err = capsys.readouterr().err
    assert "an ordinary day" not in err
    assert "a worry" in err and "every detail" in err


def test_the_terminal_chat_stays_quiet_whatever_the_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(level="DEBUG", quiet=True)
    logging.getLogger("bot").info("not for the person chatting")
    setup_logging(level="ERROR", quiet=True)
    logging.getLogger("bot").warning("nor this")

    assert capsys.readouterr().err == ""


def test_http_clients_stay_quiet_even_at_debug(capsys: pytest.CaptureFixture[str]) -> None:
    """httpx logs request URLs, and a Bot API URL holds the token."""
    setup_logging(*secrets_of(TOKEN), level="DEBUG", form="json")

    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s", TOKEN)

    assert capsys.readouterr().err == ""
