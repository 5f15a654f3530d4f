"""The engine and session factory, with SQLite tuned to behave like a real server.

SQLite gets WAL (readers never block the one writer), enforced foreign keys (off by
default in SQLite), a busy timeout (a second writer waits instead of failing) and
savepoints that really nest inside the caller's transaction (see
:func:`_begin_before_savepoint`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Connection, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

Session = AsyncSession
"""What a unit of work hands its repositories: the layers above name it by this alias,
so that only storage/ imports SQLAlchemy."""

DEFAULT_URL = "sqlite+aiosqlite:///pitchbot.db"
"""The embedded default: a SQLite file in the working folder."""

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA secure_delete=ON",
)
"""Run on every new SQLite connection; NORMAL is durable enough in WAL mode.

``secure_delete``: what is deleted is overwritten with zeros, in its page and in the pages
freed, so an erased person's words do not linger in the file's free space (the WAL keeps
older copies of a page until :func:`leave_no_trace` checkpoints it)."""

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a database server to answer a new connection: an unreachable
server fails the update at once instead of holding it (and its chat) for minutes."""

SERVER_GONE = (
    asyncpg.PostgresConnectionError,  # the connection failed or was closed under us
    asyncpg.InterfaceError,  # the connection is closed
    asyncpg.CannotConnectNowError,  # the server is starting up or shutting down
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    DisconnectionError,
    PoolTimeout,  # every pooled connection stays busy
    OSError,  # refused, reset, no route, and timeouts (TimeoutError is an OSError)
)
"""Failures that say the database cannot be reached now (rather than a wrong query)."""
SQLITE_CANNOT_NOW = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_PERM,
    }
)
"""SQLite's result codes for a file that cannot be opened, written or locked now."""


@dataclass(frozen=True)
class Database:
    """One engine and its session factory, created once at start-up and passed down."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    write_lock: asyncio.Lock | None = None
    """SQLite only: one writing unit of work at a time in this process.

    SQLite has one writer; a unit of work holds its lock across awaits, and others would
    wait in SQLite's busy handler, which sleeps and gives up after the busy timeout
    ("database is locked" under load). Queueing them here instead never gives up.
    """

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction that commits on success: one writing unit of work."""
        async with self.write_lock or nullcontext(), self.sessions() as session:
            async with session.begin():
                yield session

    async def dispose(self) -> None:
        """Close every pooled connection (and, on SQLite, its worker thread)."""
        await self.engine.dispose()


async def leave_no_trace(database: Database) -> None:
    """After an erasure has committed: no older copy of what it deleted stays on disk.

    SQLite writes every changed page to the WAL first, so the pages as they were before
    the erasure (with the erased words) stay in the -wal file until a checkpoint has
    copied the new pages into the database file and the WAL is emptied: TRUNCATE waits
    (the busy timeout) for readers of older pages, then cuts the -wal file to nothing.
    The database file itself holds no copy: ``secure_delete`` zeroed what was deleted.
    PostgreSQL keeps dead rows until VACUUM (see the README, "Erasure"): nothing to do.
    """
    if database.engine.dialect.name != "sqlite":
        return
    try:
        async with database.write_lock or nullcontext(), database.engine.connect() as connection:
            result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, pages, copied = tuple(result.one())
    except DBAPIError as error:  # the erasure stands; the person must still hear of it
        log.warning("the WAL after an erasure was not emptied: %s", type(error.orig).__name__)
        return
    if busy:
        log.warning("the WAL after an erasure was not emptied: %d of %d pages", copied, pages)


def is_database_url(url: str) -> bool:
    """Whether SQLAlchemy can read ``url`` (checked at start-up, before any connection)."""
    try:
        make_url(url)
    except ArgumentError:
        return False
    return True


ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
"""The one driver per database that pitchbot talks to (asynchronously)."""


def driver_problem(url: str) -> str | None:
    """What is wrong with a database URL's kind or driver; None when it will do.

    ``postgresql://…`` (as pg_dump takes it) or ``sqlite:///…`` would otherwise fail at
    the first connection with a traceback about a missing or synchronous driver."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    driver = ASYNC_DRIVERS.get(backend)
    if driver is None:
        return "not SQLite or PostgreSQL: use sqlite+aiosqlite:///… or postgresql+asyncpg://…"
    if parsed.get_driver_name() != driver:
        return f"use {backend}+{driver}:// (the driver pitchbot talks to {backend} with)"
    return None


def insert_with_conflicts(session: AsyncSession, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT, in the session's dialect (SQLite and PostgreSQL
    spell it alike, but SQLAlchemy builds it per dialect)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def shown_url(url: str) -> str:
    """A database URL fit for output: any password masked."""
    return make_url(url).render_as_string(hide_password=True)


def unreachable(error: BaseException | None) -> bool:
    """Whether ``error``, or an error it came from, says the database could not be reached
    (or not written to) now: trying again in a while may well work, and nothing of the
    failed unit of work was stored.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, SERVER_GONE):
            return True
        if isinstance(error, sqlite3.Error) and error.sqlite_errorcode & 0xFF in SQLITE_CANNOT_NOW:
            return True
        error = error.__cause__ or error.__context__
    return False


def is_sqlite(url: str) -> bool:
    """Whether ``url`` points at SQLite, whatever the driver."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (None: not SQLite, in memory, or a ``file:`` URI)."""
    if not is_sqlite(url):
        return None
    path = make_url(url).database
    if path in (None, "", ":memory:") or path.startswith("file:"):
        return None
    return Path(path)


def create_database(url: str) -> Database:
    """Build the engine for ``url``; relative SQLite paths are relative to the cwd."""
    options: dict[str, Any] = {}
    on_sqlite = is_sqlite(url)
    path = make_url(url).database if on_sqlite else None
    if on_sqlite and path in (None, "", ":memory:"):
        # One shared connection, or every session would see its own empty database.
        options["poolclass"] = StaticPool
    elif path is not None and not path.startswith("file:"):
        owner_only(Path(path))
    if not on_sqlite:
        # an update in flight may hold two connections (its chat's turn and its unit of
        # work, see services.received.Turns), besides the senders' and the webhook's
        options.update(pool_size=10, max_overflow=10)
        # "Dealing with Disconnects": test a pooled connection before handing it out, so
        # one the server dropped (a restart, a network cut) is replaced, not used to fail
        options["pool_pre_ping"] = True
        if make_url(url).get_driver_name() == "asyncpg":
            options["connect_args"] = {"timeout": CONNECT_TIMEOUT}
    # hide_parameters: a failed statement's error (logged with the failed update) must
    # not carry what people wrote, only the SQL
    engine = create_async_engine(url, hide_parameters=True, **options)
    if on_sqlite:
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        event.listen(engine.sync_engine, "savepoint", _begin_before_savepoint)
    lock = asyncio.Lock() if on_sqlite else None
    return Database(engine, async_sessionmaker(engine, expire_on_commit=False), lock)


def owner_only(path: Path) -> None:
    """Make the SQLite file readable by its owner only, before SQLite opens it.

    It holds what people wrote and their contact details. SQLite creates its -wal and
    -shm files with the main file's permissions, so creating (or tightening) the main
    file first covers all three; existing -wal and -shm files are tightened as well.
    """
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _unicode_lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite's own lower() folds only ASCII: "CAFÉ" would not find "café"
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _begin_before_savepoint(connection: Connection, _name: str) -> None:
    """Open the real transaction before a SAVEPOINT that would otherwise open it.

    Python's sqlite3 driver only emits BEGIN before INSERT/UPDATE/DELETE. A SAVEPOINT
    issued first starts a transaction of its own, and releasing it commits at once, so
    a later rollback by the caller would not undo it.
    """
    driver_connection = connection.connection.driver_connection
    if driver_connection is not None and not driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
