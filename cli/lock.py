"""One bot process per SQLite file: a second `pitchbot run` on it says so and stops.

SQLite has one writer and the bot orders each chat's updates in its own memory; a second
process on the same file (a second polling run with another token, or two webhook
workers) would break both. An advisory lock on a file beside the database, held while the
bot runs, is released by the kernel whatever way the process ends.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from storage.database import sqlite_file


class AnotherProcess(Exception):
    """Another process holds what this one needs; the message says what to do."""


@contextmanager
def one_process_per_file(url: str) -> Iterator[None]:
    path = sqlite_file(url)
    if path is None:  # a server database: workers may share it
        yield
        return
    lock = path.with_name(path.name + ".lock")
    handle = os.open(lock, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AnotherProcess(
                f"another pitchbot is running on {path}: SQLite is one process only "
                "(use PostgreSQL for several workers)"
            ) from None
        yield
    finally:
        os.close(handle)
