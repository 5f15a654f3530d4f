"""`pitchbot backup FILE` while the bot runs: the committed rows, checked, owner-only;
never over an existing file unless asked; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import stat
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from cli.main import main
from storage.database import Database, create_database
from storage.migrate import upgrade
from tests.storage.staff_helpers import NOW, pitcher, sent

ENV_NAMES = ("TELEGRAM_BOT_TOKEN", "PITCHBOT_FLOW_FILE", "PITCHBOT_STAFF_CHAT_ID")


@pytest.fixture
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty folder (no .env); the bot's SQLite file is bot.db in it."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    return tmp_path


@pytest.fixture
async def running_bot(workdir: Path) -> AsyncIterator[Database]:
    """The bot's database, open as a running bot holds it, with two sent pitches; its
    connection stays open, so SQLite does not fold the WAL back into the file."""
    database = create_database(f"sqlite+aiosqlite:///{workdir / 'bot.db'}")
    try:
        await upgrade(database)
        async with database.transaction() as session:
            anna = await pitcher(session)
            for _ in range(2):
                await sent(session, anna, NOW, {"idea": "Soep, met brood"})
        yield database
    finally:
        await database.dispose()


def _count(path: Path) -> int | None:
    with closing(sqlite3.connect(path)) as copy:
        try:
            return int(copy.execute("SELECT count(*) FROM pitches").fetchone()[0])
        except sqlite3.OperationalError:
            return None


async def test_a_backup_while_another_connection_writes_holds_what_was_committed(
    running_bot: Database, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wal = workdir / "bot.db-wal"
    assert wal.stat().st_size > 0, "the committed pitches are still in the WAL"
    shutil.copyfile(workdir / "bot.db", workdir / "naive.db")
    assert _count(workdir / "naive.db") != 2, "copying the file alone would lose them"

    writer = sqlite3.connect(workdir / "bot.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the bot is mid-transaction, holding the write lock
        writer.execute("UPDATE pitches SET status = 'archived'")
        writer.execute("DELETE FROM answers")

        assert await asyncio.to_thread(main, ["backup", "copy.db"]) == 0

        writer.execute("COMMIT")
    finally:
        writer.close()

    copy = workdir / "copy.db"
    with closing(sqlite3.connect(copy)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        statuses = connection.execute("SELECT status FROM pitches").fetchall()
        assert statuses == [("new",), ("new",)]  # committed, not the open transaction's
        assert connection.execute("SELECT count(*) FROM answers").fetchone()[0] > 0
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert list(workdir.glob("*.partial")) == []
    out = capsys.readouterr().out
    assert f"backup written to copy.db: {copy.stat().st_size / 1024:.1f} KB, 2 sent pitches" in out
    assert "integrity check ok" in out


async def test_an_existing_file_is_kept_unless_forced(
    running_bot: Database, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = workdir / "copy.db"
    target.write_text("last week's backup")
    target.chmod(0o644)

    assert await asyncio.to_thread(main, ["backup", "copy.db"]) == 2

    assert target.read_text() == "last week's backup"
    assert capsys.readouterr().err == "pitchbot: copy.db exists: use --force to overwrite it\n"

    assert await asyncio.to_thread(main, ["backup", "copy.db", "--force"]) == 0

    assert _count(target) == 2
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_without_a_database_file_nothing_is_written(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backup", "copy.db"]) == 2

    assert f"no database at {workdir / 'bot.db'}" in capsys.readouterr().err
    assert not (workdir / "bot.db").exists()
    assert not (workdir / "copy.db").exists()


def test_a_postgresql_database_is_pointed_to_pg_dump_and_exits_2(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+asyncpg://pitchbot:s3cret@db.example:5432/pitchbot"
    monkeypatch.setenv("PITCHBOT_DATABASE_URL", url)  # nothing connects to it

    assert main(["backup", "/backups/pitchbot.dump"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        "  pg_dump --format=custom --file=/backups/pitchbot.dump "
        "-h db.example -p 5432 -U pitchbot pitchbot\n"
    ) in captured.err
    assert "pg_restore" in captured.err
    assert "s3cret" not in captured.err
    assert not Path("/backups/pitchbot.dump").exists()
