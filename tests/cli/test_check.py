"""`pitchbot check` as an operator (or a container's health check) runs it: one line per
check, exit 1 on any FAIL, a fix named where there is one, and never the token."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

import cli.check
from cli.check import FAIL, OK, SKIP, _migrations
from cli.main import main
from storage.database import Database
from storage.migrate import migrations, state_of, upgrade
from tests.support.migrations import downgrade
from tests.support.telegram import BOT_USER, RecordingRequest

TOKEN = "123456:CHECK-token-never-printed"
STAFF_CHAT = -100777
BOT = int(BOT_USER["id"])
Lines = dict[str, tuple[str, str]]
"""Check name → (outcome, detail)."""


@pytest.fixture
def telegram(monkeypatch: pytest.MonkeyPatch) -> RecordingRequest:
    """An offline Bot API where the bot is a member of a flat staff group."""
    request = RecordingRequest()
    request.members[(STAFF_CHAT, BOT)] = "member"
    monkeypatch.setattr(cli.check, "telegram_request", lambda timeout: request)
    return request


@pytest.fixture
def workdir(settings_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty folder (no .env); a token, the staff group and the migrated test database."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PITCHBOT_STAFF_CHAT_ID", str(STAFF_CHAT))
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Lines]:
    """Run `pitchbot check` as a shell would (its own event loop, in a thread)."""
    code = await asyncio.to_thread(main, ["check", *args])
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err
    assert TOKEN.split(":")[1] not in captured.out + captured.err
    assert "Traceback" not in captured.err
    return code, _lines(captured.out)


def _lines(out: str) -> Lines:
    found = {}
    for line in out.splitlines():
        outcome, name, detail = re.split(r"\s{2,}", line, maxsplit=2)
        found[name] = (outcome, detail)
    return found


async def test_everything_in_place_is_one_ok_line_per_check_and_exit_0(
    workdir: Path, telegram: RecordingRequest, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram.forum(STAFF_CHAT)

    code, lines = await _check(capsys)

    assert code == 0
    assert list(lines) == [
        "settings",
        "flow",
        "database",
        "migrations",
        "token",
        "webhook",
        "staff group",
        "staff rights",
    ]
    assert {outcome for outcome, _ in lines.values()} == {OK}
    assert lines["flow"][1].endswith("questions (built-in)")
    assert lines["database"][1].endswith("reachable")
    assert lines["migrations"] == (OK, f"at head ({migrations()[0].revision})")
    assert lines["token"] == (OK, f"@PitchTestBot (id {BOT})")
    assert lines["staff group"] == (OK, f"Team (supergroup, forum, {STAFF_CHAT})")
    assert lines["staff rights"] == (OK, "administrator: may post and manage topics")
    assert lines["webhook"] == (OK, "none: polling (0 update(s) waiting)")
    calls = [name for name, _ in telegram.calls]
    assert calls == ["getMe", "getWebhookInfo", "getChat", "getChatMember"]


async def test_quiet_prints_nothing_when_all_is_well(
    workdir: Path, telegram: RecordingRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _check(capsys, "--quiet") == (0, {})


async def test_a_flat_group_needs_only_the_right_to_post(
    workdir: Path, telegram: RecordingRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = await _check(capsys)

    assert code == 0
    assert lines["staff group"] == (OK, f"Team (supergroup, {STAFF_CHAT})")
    assert lines["staff rights"] == (OK, "member: may post")


async def test_a_forum_where_the_bot_may_not_manage_topics_fails_with_the_fix(
    workdir: Path, telegram: RecordingRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram.forum(STAFF_CHAT, may_manage=False)  # the bot stays a plain member

    code, lines = await _check(capsys, "--quiet")

    assert code == 1
    assert lines == {
        "staff rights": (
            FAIL,
            "the bot may not manage topics (member): "
            "make the bot an administrator with 'Manage topics'",
        )
    }


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("left", "the bot may not post (left): add it"),
        ("kicked", "the bot may not post (kicked): add it"),
        ("restricted", "the bot may not post (restricted): let it send messages"),
    ],
)
async def test_a_bot_that_may_not_post_in_the_staff_group_fails(
    workdir: Path,
    telegram: RecordingRequest,
    capsys: pytest.CaptureFixture[str],
    status: str,
    said: str,
) -> None:
    telegram.members[(STAFF_CHAT, BOT)] = status

    code, lines = await _check(capsys)

    assert code == 1
    assert lines["staff group"][0] == OK
    assert lines["staff rights"] == (FAIL, said)


async def test_a_staff_group_telegram_does_not_know_fails_and_its_rights_are_skipped(
    workdir: Path, telegram: RecordingRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram.fail_next("getChat", 400, "Bad Request: chat not found")

    code, lines = await _check(capsys)

    assert code == 1
    assert lines["staff group"] == (
        FAIL,
        f"{STAFF_CHAT}: Chat not found (is the bot in the group, is the id right?)",
    )
    assert lines["staff rights"] == (SKIP, "no group")


async def test_no_staff_group_set_is_skipped(
    workdir: Path,
    telegram: RecordingRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("PITCHBOT_STAFF_CHAT_ID")

    code, lines = await _check(capsys)

    assert code == 0
    assert lines["staff group"] == (SKIP, "PITCHBOT_STAFF_CHAT_ID not set")
    assert "staff rights" not in lines


async def test_a_rejected_token_fails_without_repeating_it(
    workdir: Path, telegram: RecordingRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram.fail_next("getMe", 401, "Unauthorized")

    code, lines = await _check(capsys)

    assert code == 1
    assert lines["token"] == (
        FAIL,
        "rejected by Telegram: check TELEGRAM_BOT_TOKEN with @BotFather (and that "
        "PITCHBOT_TELEGRAM_API_URL is the Bot API's root, with no /bot at the end)",
    )
    assert lines["staff group"] == (SKIP, "needs a working token")


async def test_no_token_fails_and_says_the_terminal_chat_needs_none(
    workdir: Path,
    telegram: RecordingRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")

    code, lines = await _check(capsys)

    assert code == 1
    assert lines["token"] == (FAIL, "TELEGRAM_BOT_TOKEN not set (the terminal chat needs none)")
    assert telegram.calls == []


async def test_an_unreachable_bot_api_fails_without_the_token_in_any_line(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PITCHBOT_TELEGRAM_API_URL", "http://127.0.0.1:9")  # discard port

    code, lines = await _check(capsys)

    assert code == 1
    outcome, detail = lines["token"]
    assert outcome == FAIL
    assert detail.startswith("cannot reach the Bot API at http://127.0.0.1:9: ")


async def test_an_unreachable_database_fails_and_its_migrations_are_skipped(
    workdir: Path,
    telegram: RecordingRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql+asyncpg://pitchbot:s3cret@127.0.0.1:9/pitchbot"
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", url)

    code, lines = await _check(capsys)

    assert code == 1
    outcome, detail = lines["database"]
    assert outcome == FAIL
    assert detail.startswith("postgresql+asyncpg://pitchbot:***@127.0.0.1:9/pitchbot: ")
    assert "s3cret" not in detail
    assert lines["migrations"] == (SKIP, "database unreachable")
    assert lines["token"][0] == OK  # the other checks still ran


async def test_a_schema_behind_fails_on_postgresql_and_is_skipped_on_sqlite(
    workdir: Path,
    telegram: RecordingRequest,
    database: Database,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        await downgrade(database, migrations()[1].revision)

        code, lines = await _check(capsys)
    finally:
        await upgrade(database)

    if database_url.startswith("sqlite"):
        assert (code, lines["migrations"]) == (
            0,
            (SKIP, "1 migration(s) pending: upgraded at start (SQLite)"),
        )
    else:
        assert (code, lines["migrations"]) == (
            1,
            (FAIL, "1 migration(s) pending: run `pitchbot db upgrade`"),
        )


def test_the_schema_rule_per_database() -> None:
    behind = state_of((migrations()[2].revision,))

    assert _migrations(behind, on_sqlite=True).outcome == SKIP
    assert _migrations(behind, on_sqlite=False).line() == (
        "FAIL  migrations    2 migration(s) pending: run `pitchbot db upgrade`"
    )
    newer = _migrations(state_of(("0999",)), on_sqlite=True)
    assert (newer.outcome, newer.detail) == (FAIL, "at 0999, unknown here: a newer pitchbot?")


async def test_a_sqlite_file_not_made_yet_is_skipped_and_not_created(
    workdir: Path,
    telegram: RecordingRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", f"sqlite+aiosqlite:///{workdir / 'new.db'}")

    code, lines = await _check(capsys)

    assert code == 0
    assert lines["database"] == (SKIP, f"no file {workdir / 'new.db'} yet: created at start")
    assert lines["migrations"] == (SKIP, "applied at start (SQLite)")
    assert not (workdir / "new.db").exists()

    monkeypatch.setenv("PITCHBOT_DATABASE_URL", f"sqlite+aiosqlite:///{workdir / 'no' / 'x.db'}")

    code, lines = await _check(capsys)

    assert code == 1
    assert lines["database"] == (FAIL, f"no folder {workdir / 'no'} for the SQLite file")


async def test_a_broken_flow_file_fails_naming_the_file(
    workdir: Path,
    telegram: RecordingRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    flow = workdir / "flow.toml"
    flow.write_text("version = 1\n", encoding="utf-8")
    monkeypatch.setenv("PITCHBOT_FLOW_FILE", str(flow))

    code, lines = await _check(capsys)

    assert code == 1
    outcome, detail = lines["flow"]
    assert outcome == FAIL
    assert str(flow) in detail


async def test_a_webhook_left_set_fails_a_polling_setup_and_says_what_to_do(
    workdir: Path, telegram: RecordingRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    """Polling would get nothing while Telegram posts to webhook workers."""
    telegram.webhook = {"url": "https://bot.example.org/telegram", "pending_update_count": 3}

    code, lines = await _check(capsys)

    assert code == 1
    outcome, said = lines["webhook"]
    assert outcome == FAIL and "https://bot.example.org/telegram (3 update(s) waiting)" in said
    assert "--replace-webhook" in said


async def test_webhook_settings_are_checked_against_telegram(
    workdir: Path,
    telegram: RecordingRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PITCHBOT_WEBHOOK_URL", "https://bot.example.org/telegram")
    assert (await _check(capsys))[1]["webhook"] == (
        FAIL,
        "PITCHBOT_WEBHOOK_SECRET not set: webhook mode needs it",
    )
    monkeypatch.setenv("PITCHBOT_WEBHOOK_SECRET", "s3cret")
    assert (await _check(capsys))[1]["webhook"] == (
        SKIP,
        "not set yet: `pitchbot run --webhook` sets it",
    )
    telegram.webhook = {"url": "https://old.example.org/hook"}
    code, lines = await _check(capsys)
    assert code == 1
    assert lines["webhook"] == (
        FAIL,
        "Telegram posts to https://old.example.org/hook, not https://bot.example.org/telegram",
    )
    telegram.webhook = {"url": "https://bot.example.org/telegram", "last_error_message": "502"}
    code, lines = await _check(capsys)
    assert lines["webhook"] == (
        FAIL,
        "https://bot.example.org/telegram (0 update(s) waiting; last delivery failed: 502)",
    )


async def test_a_wrong_setting_is_a_failed_check_not_a_usage_error(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Docker's HEALTHCHECK reserves exit 2: a broken setting is "unhealthy" (1)."""
    monkeypatch.setenv("PITCHBOT_STAFF_CHAT_ID", "abc")

    code, lines = await _check(capsys)

    assert code == 1
    outcome, said = lines["settings"]
    assert outcome == FAIL and said.startswith("PITCHBOT_STAFF_CHAT_ID: expected")
