"""`pitchbot backup FILE`: a checked copy of a SQLite database, safe while the bot runs;
for PostgreSQL, the pg_dump command to use instead."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.settings import Settings
from storage.backup import BackupError, backup_sqlite, pg_dump_command, pg_restore_command
from storage.database import is_sqlite

EXIT_FAILED = 1
EXIT_USAGE = 2


def backup(settings: Settings, target: Path, *, force: bool) -> int:
    url = settings.database_url
    if not is_sqlite(url):
        _stderr("pitchbot: a PostgreSQL database is backed up with pg_dump:")
        _stderr(f"  {pg_dump_command(url, target)}")
        _stderr("and restored (the bot stopped) with:")
        _stderr(f"  {pg_restore_command(url, target)}")
        return EXIT_USAGE
    try:
        copy = backup_sqlite(url, target, force=force)
    except BackupError as error:
        _stderr(f"pitchbot: {error}")
        return EXIT_USAGE if error.refused else EXIT_FAILED
    if copy.pitches is None:
        pitches = "no schema yet"
    else:
        pitches = f"{copy.pitches} sent {'pitch' if copy.pitches == 1 else 'pitches'}"
    print(f"backup written to {copy.path}: {_size(copy.size)}, {pitches}")
    print("integrity check ok; readable by its owner only")
    return 0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
