"""The `pitchbot` command as an operator meets it: clear messages, no tracebacks."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logs import setup_logging
from bot.settings import Settings
from cli.main import main

ENV_NAMES = (
    "TELEGRAM_BOT_TOKEN",
    "PITCHBOT_DATABASE_URL",
    "PITCHBOT_FLOW_FILE",
    "PITCHBOT_TELEGRAM_API_URL",
    "PITCHBOT_DEFAULT_LANGUAGE",
    "PITCHBOT_STAFF_IDS",
    "PITCHBOT_STAFF_CHAT_ID",
    "PITCHBOT_CARD_RETRY_SECONDS",
    "PITCHBOT_ORGANISATION_CONTACT",
    "PITCHBOT_LOG_LEVEL",
    "PITCHBOT_LOG_FORMAT",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working folder (no .env) and no pitchbot settings in the environment."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_without_a_token_says_which_variable_and_how_to_get_one(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in err
    assert "BotFather" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        (
            "PITCHBOT_STAFF_IDS",
            "abc",
            "PITCHBOT_STAFF_IDS: expected comma-separated Telegram user ids, got 'abc'",
        ),
        (
            "PITCHBOT_STAFF_CHAT_ID",
            "staff",
            "PITCHBOT_STAFF_CHAT_ID: expected the staff group's chat id, a whole number "
            "(a group's is negative), got 'staff'",
        ),
        (
            "PITCHBOT_DEFAULT_LANGUAGE",
            "de",
            "PITCHBOT_DEFAULT_LANGUAGE: expected one of nl, en, fr, got 'de'",
        ),
        (
            "PITCHBOT_DATABASE_URL",
            "pitchbot.db",
            "PITCHBOT_DATABASE_URL: expected a database URL such as "
            "sqlite+aiosqlite:///pitchbot.db or postgresql+asyncpg://user:password@host:5432/"
            "pitchbot, got 'pitchbot.db'",
        ),
        (
            "PITCHBOT_DATABASE_URL",
            "postgresql://pitchbot@localhost/pitchbot",  # as pg_dump takes it: no async driver
            "PITCHBOT_DATABASE_URL: expected a database URL such as "
            "sqlite+aiosqlite:///pitchbot.db or postgresql+asyncpg://user:password@host:5432/"
            "pitchbot, got 'postgresql://pitchbot@localhost/pitchbot'",
        ),
        (
            "PITCHBOT_WEBHOOK_SECRET",
            "has spaces",
            "PITCHBOT_WEBHOOK_SECRET: expected 1 to 256 characters of A-Z, a-z, 0-9, _ and -",
        ),
        (
            "PITCHBOT_CARD_RETRY_SECONDS",
            "-1",
            "PITCHBOT_CARD_RETRY_SECONDS: expected a number of seconds above 0, got '-1'",
        ),
        (
            "PITCHBOT_LOG_LEVEL",
            "loud",
            "PITCHBOT_LOG_LEVEL: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'loud'",
        ),
        ("PITCHBOT_LOG_FORMAT", "xml", "PITCHBOT_LOG_FORMAT: expected text or json, got 'xml'"),
    ],
)
def test_a_wrong_setting_is_named_with_what_it_takes(
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    said: str,
) -> None:
    monkeypatch.setenv(variable, value)

    assert main(["export"]) == 2

    assert capsys.readouterr().err.splitlines() == [f"pitchbot: {said}"]


def test_the_organisation_contact_is_free_text_and_empty_means_none(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings().organisation_contact is None
    monkeypatch.setenv("PITCHBOT_ORGANISATION_CONTACT", "  ")
    assert Settings().organisation_contact is None
    monkeypatch.setenv("PITCHBOT_ORGANISATION_CONTACT", "Buurtwerk Noord · info@buurtwerk.be")
    assert Settings().organisation_contact == "Buurtwerk Noord · info@buurtwerk.be"


def test_a_broken_flow_file_stops_start_up_naming_file_question_and_field(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = clean_env / "flow.toml"
    flow.write_text(
        'version = 1\n[[questions]]\nkey = "idea"\n'
        '[questions.texts.nl]\nlabel = "Idee"\nprompt = "?"\nhint = "h"\nexample = "e"\n'
        '[questions.texts.en]\nlabel = "Idea"\nprompt = "?"\nhint = "h"\nexample = "e"\n'
        '[questions.texts.fr]\nlabel = "Idée"\nhint = "h"\nexample = "e"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:never-used")
    monkeypatch.setenv("PITCHBOT_FLOW_FILE", str(flow))

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert str(flow) in err
    assert "'idea'" in err
    assert "texts.fr.prompt" in err
    assert "123:never-used" not in err


def test_db_upgrade_creates_the_sqlite_schema(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", f"sqlite+aiosqlite:///{clean_env / 'x.db'}")

    assert main(["db", "upgrade"]) == 0

    assert "migrated to the newest schema" in capsys.readouterr().out
    assert (clean_env / "x.db").exists()


def test_log_lines_never_show_the_token_and_httpx_is_quiet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = "987654:SECRET-token-value"
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging(token)
        logging.getLogger("httpx").info("POST https://api.telegram.org/bot%s/getMe", token)
        logging.getLogger("telegram.ext").error("failed calling /bot%s/sendMessage", token)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    assert token not in err
    assert "getMe" not in err  # httpx request lines are below the shown level
    assert "[redacted]" in err


def test_the_log_settings_reach_the_log(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """PITCHBOT_LOG_FORMAT=json and a level (in any case) shape what `pitchbot` logs."""
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", f"sqlite+aiosqlite:///{clean_env / 'x.db'}")
    monkeypatch.setenv("PITCHBOT_LOG_FORMAT", "json")
    monkeypatch.setenv("PITCHBOT_LOG_LEVEL", "warning")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "987654:SECRET-token-value")
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        assert main(["db", "upgrade"]) == 0
        logging.getLogger("bot.probe").info("below the level")
        logging.getLogger("bot.probe").warning("token %s", "987654:SECRET-token-value")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)

    [line] = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert (line["level"], line["logger"]) == ("WARNING", "bot.probe")
    assert line["event"] == "token [redacted]"


def test_the_terminal_chat_runs_as_a_real_process(tmp_path: Path) -> None:
    """`pitchbot chat` with piped input: consent, one answer, then the next question."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env["PITCHBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    script = "1\nEen repair café in elke school van de stad, voor en door leerlingen\n/quit\n"
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "chat"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Vraag 1 van 11" in done.stdout
    assert "Vraag 2 van 11" in done.stdout
    assert "Traceback" not in done.stderr


def test_run_against_an_unreachable_bot_api_says_so_without_a_traceback(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:unreachable-secret")
    monkeypatch.setenv("PITCHBOT_TELEGRAM_API_URL", "http://127.0.0.1:9")  # discard port
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", f"sqlite+aiosqlite:///{clean_env / 'r.db'}")

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert "cannot reach the Telegram Bot API at http://127.0.0.1:9" in err
    assert "Traceback" not in err
    assert "unreachable-secret" not in err
