"""`pitchbot db current` and `pitchbot db history`: where the schema stands, read the
way Alembic reads it, with the URL's password masked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cli.main import main
from storage.database import Database
from storage.migrate import migrations, upgrade
from tests.support.migrations import downgrade

ENV_NAMES = ("TELEGRAM_BOT_TOKEN", "PITCHBOT_FLOW_FILE")
NEWEST, SECOND, THIRD = (m.revision for m in migrations()[:3])


@pytest.fixture
def workdir(settings_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty folder (no .env), the settings pointing at the migrated test database."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def _pitchbot(*args: str) -> int:
    """Run the command as a shell would: its own event loop, here in a thread."""
    return await asyncio.to_thread(main, ["db", *args])


async def test_current_at_head_exits_0(
    workdir: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _pitchbot("current") == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("database ")
    assert lines[1:] == [f"revision {NEWEST} (head)", "at head"]


async def test_current_behind_says_how_many_and_what_to_run_and_exits_1(
    workdir: Path, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        await downgrade(database, THIRD)

        assert await _pitchbot("current") == 1
    finally:
        await upgrade(database)

    lines = capsys.readouterr().out.splitlines()
    assert lines[1:3] == [
        f"revision {THIRD}",
        "behind: 2 migration(s) pending, run `pitchbot db upgrade`",
    ]
    assert lines[3].startswith(f"  {NEWEST}  {migrations()[0].message[:30]}")
    assert lines[4].startswith(f"  {SECOND}  {migrations()[1].message[:30]}")
    assert len(lines) == 5


async def test_history_lists_newest_first_and_marks_the_current_one(
    workdir: Path, database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        await downgrade(database, SECOND)

        assert await _pitchbot("history") == 0
    finally:
        await upgrade(database)

    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[0] for line in lines] == [m.revision for m in migrations()]
    assert lines[0].endswith("  [head]")
    assert lines[1].endswith("  [current]")
    assert lines[-1].startswith("0001  Initial schema")
    assert all(len(line) <= 100 for line in lines)


def test_a_sqlite_file_not_made_yet_is_behind_and_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")

    assert main(["db", "current"]) == 1

    out = capsys.readouterr().out
    assert "revision none (no file yet)" in out
    assert f"behind: {len(migrations())} migration(s) pending" in out
    assert not (tmp_path / "new.db").exists()


def test_an_unreachable_server_is_named_with_its_password_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = "postgresql+asyncpg://pitchbot:s3cret@127.0.0.1:9/pitchbot"  # the discard port
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", url)

    assert main(["db", "current"]) == 2

    captured = capsys.readouterr()
    assert "pitchbot: cannot read the schema of postgresql+asyncpg://pitchbot:***@127.0.0.1:9" in (
        captured.err
    )
    assert "s3cret" not in captured.out + captured.err
    assert "Traceback" not in captured.err
