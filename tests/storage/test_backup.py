"""A copy of a SQLite database made while the bot writes to it: every committed row,
nothing half-written, checked, and readable by its owner only."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage.backup import BackupError, backup_sqlite, pg_dump_command, pg_restore_command


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _damaged_database(path: Path) -> None:
    """A database whose header is fine but whose index pages are garbage."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE pitches (id INTEGER PRIMARY KEY, status TEXT)")
        connection.execute("CREATE INDEX by_status ON pitches (status)")
        connection.executemany(
            "INSERT INTO pitches (status) VALUES (?)", [(f"status {n:05}",) for n in range(3000)]
        )
        connection.commit()
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'by_status'"
        ).fetchone()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)


def test_a_damaged_database_gives_no_copy_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "bot.db"
    _damaged_database(source)
    target = tmp_path / "copy.db"

    with pytest.raises(BackupError) as raised:
        backup_sqlite(_sqlite_url(source), target)

    assert "integrity check" in str(raised.value)
    assert not raised.value.refused
    assert list(tmp_path.iterdir()) == [source]  # no copy, no partial file left


def test_only_a_database_file_can_be_copied(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database at"):
        backup_sqlite(_sqlite_url(tmp_path / "nothing.db"), tmp_path / "copy.db")
    with pytest.raises(BackupError, match="in a file"):
        backup_sqlite("sqlite+aiosqlite://", tmp_path / "copy.db")
    assert not (tmp_path / "nothing.db").exists()


def test_the_copy_never_replaces_the_database_itself(tmp_path: Path) -> None:
    source = tmp_path / "bot.db"
    with closing(sqlite3.connect(source)) as connection:
        connection.execute("CREATE TABLE t (x)")

    with pytest.raises(BackupError, match="the database itself"):
        backup_sqlite(_sqlite_url(source), source, force=True)


def test_postgresql_commands_name_the_server_but_never_the_password() -> None:
    url = "postgresql+asyncpg://pitchbot:s3cret@db.example:5433/pitchbot"

    dump = pg_dump_command(url, Path("/backups/pitchbot 1.dump"))
    restore = pg_restore_command(url, Path("/backups/pitchbot 1.dump"))

    assert dump == (
        "pg_dump --format=custom '--file=/backups/pitchbot 1.dump' "
        "-h db.example -p 5433 -U pitchbot pitchbot"
    )
    assert restore == (
        "pg_restore --clean --if-exists --no-owner -h db.example -p 5433 -U pitchbot -d pitchbot "
        "'/backups/pitchbot 1.dump'"
    )
