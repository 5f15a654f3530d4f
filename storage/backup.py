"""A copy of the database for safekeeping.

SQLite: the library's online backup API copies the database page by page in one read
transaction, so it is safe while the bot runs (in WAL mode readers and the writer do not
block each other) and the copy holds every committed row, also those still in the -wal
file. The copy is written beside the target, checked with ``PRAGMA integrity_check`` and
only then renamed into place, readable by its owner only: it holds what people wrote.

PostgreSQL has its own tool for this; :func:`pg_dump_command` says how to call it.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from storage.database import sqlite_file
from storage.models import PitchStatus

BUSY_SECONDS = 5.0
"""How long the copy waits for a lock (only a checkpoint of the running bot takes one)."""


class BackupError(Exception):
    """No copy was made (or kept); the message says why."""

    def __init__(self, message: str, *, refused: bool = True) -> None:
        super().__init__(message)
        self.refused = refused
        """Nothing was tried: the command asked for something this cannot do (a file that
        exists, a folder that does not); otherwise the copy itself failed."""


@dataclass(frozen=True)
class Backup:
    """A finished, checked copy."""

    path: Path
    size: int
    """Bytes."""
    pitches: int | None
    """Sent pitches in the copy (None: it has no schema yet)."""


def backup_sqlite(url: str, target: Path, *, force: bool = False) -> Backup:
    """Copy the SQLite database at ``url`` to ``target`` and check the copy."""
    source = sqlite_file(url)
    if source is None:
        raise BackupError("only a SQLite database in a file can be copied")
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if target.is_dir():
        raise BackupError(f"{target} is a folder: name the file to write")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError(f"{target} is the database itself")
    if target.exists() and not force:
        raise BackupError(f"{target} exists: use --force to overwrite it")
    if not target.parent.is_dir():
        raise BackupError(f"cannot write {target}: no folder {target.parent}")
    # mkstemp creates the file readable and writable by its owner only
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        _copy(source, partial)
        pitches = _check(partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as error:
        raise BackupError(f"copying {source} failed: {error}", refused=False) from None
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size, pitches)


def _copy(source: Path, partial: Path) -> None:
    # read-only: the copy never creates, changes or checkpoints the bot's database
    reading = sqlite3.connect(
        f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS
    )
    with closing(reading), closing(sqlite3.connect(partial)) as copy:
        reading.backup(copy)
        # one self-contained file; the bot switches a restored copy back to WAL
        copy.execute("PRAGMA journal_mode=DELETE")


def _check(partial: Path) -> int | None:
    with closing(sqlite3.connect(partial)) as copy:
        try:
            found = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as error:  # too damaged to be checked at all
            found = [str(error)]
        if found != ["ok"]:
            said = "; ".join(str(line) for line in found[:3])
            raise BackupError(
                f"the copy fails SQLite's integrity check ({said}): the database itself "
                "may be damaged; the copy was not kept",
                refused=False,
            )
        try:
            row = copy.execute(
                "SELECT count(*) FROM pitches WHERE status != ?", (PitchStatus.DRAFT.value,)
            ).fetchone()
        except sqlite3.OperationalError:  # no schema yet
            return None
        return int(row[0])


def pg_dump_command(url: str, target: Path) -> str:
    """The ``pg_dump`` call that backs up the PostgreSQL database at ``url`` (no password:
    pg_dump asks for it, or reads PGPASSWORD or ~/.pgpass)."""
    database = make_url(url).database or ""
    return shlex.join(["pg_dump", "--format=custom", f"--file={target}", *_server(url), database])


def pg_restore_command(url: str, source: Path) -> str:
    """The ``pg_restore`` call that puts such a file back (the bot stopped)."""
    database = make_url(url).database or ""
    return shlex.join(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            *_server(url),
            "-d",
            database,
            str(source),
        ]
    )


def _server(url: str) -> list[str]:
    parts = make_url(url)
    options = []
    if parts.host:
        options += ["-h", parts.host]
    if parts.port:
        options += ["-p", str(parts.port)]
    if parts.username:
        options += ["-U", parts.username]
    return options
