"""A database that cannot be reached fails fast, is told apart from a wrong query, and is
used again by itself once it is back."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from storage import database as storage_database
from storage.database import Database, create_database, unreachable
from tests.conftest import SERVER_URL
from tests.support.proxy import Proxy

ON_POSTGRES = SERVER_URL is not None and make_url(SERVER_URL).get_backend_name() == "postgresql"
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PITCHBOT_TEST_DATABASE_URL=postgresql+asyncpg://…"
)


async def failure_of(database: Database, statement: str = "SELECT 1") -> BaseException:
    """What a unit of work running ``statement`` raises."""
    try:
        async with database.transaction() as session:
            await session.execute(text(statement))
    except Exception as error:  # noqa: BLE001 - the test looks at whatever it was
        return error
    raise AssertionError("the unit of work did not fail")


def closed_port() -> int:
    """A local port nobody listens on: connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_server_that_refuses_connections_is_unreachable() -> None:
    database = create_database(f"postgresql+asyncpg://pitchbot@127.0.0.1:{closed_port()}/x")
    try:
        assert unreachable(await failure_of(database))
    finally:
        await database.dispose()


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A server that accepts connections and never says a word: its port."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        for writer in held:
            writer.transport.abort()
        await server.wait_closed()


async def test_a_server_that_never_answers_fails_within_the_connect_timeout(
    silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update must not hang on a dead server (the real timeout is 5 s; here 0.2 s)."""
    monkeypatch.setattr(storage_database, "CONNECT_TIMEOUT", 0.2)
    database = create_database(f"postgresql+asyncpg://pitchbot@127.0.0.1:{silent_server}/x")
    started = time.monotonic()
    try:
        error = await failure_of(database)
    finally:
        await database.dispose()

    assert unreachable(error), repr(error)
    assert time.monotonic() - started < 3, "it gave up at the connect timeout"


async def test_a_wrong_query_is_not_an_outage(database: Database) -> None:
    assert not unreachable(await failure_of(database, "SELECT * FROM no_such_table"))


async def test_an_sqlite_file_that_cannot_be_opened_is_unreachable(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "pitchbot.db"
    database = create_database(f"sqlite+aiosqlite:///file:{missing}?mode=rw&uri=true")
    before = set(threading.enumerate())
    try:
        assert unreachable(await failure_of(database))
    finally:
        await database.dispose()
        # aiosqlite stops the worker thread of a failed connection without waiting for it;
        # it must be done before this test's event loop closes
        for thread in set(threading.enumerate()) - before:
            if "_connection_worker_thread" in thread.name:
                await asyncio.to_thread(thread.join)


@needs_postgres
async def test_a_connection_the_server_dropped_is_replaced_not_reused(
    database: Database,
) -> None:
    """A server restart (or a network cut) drops the pooled connections: the next unit
    of work gets a fresh one instead of failing on a dead one."""
    assert SERVER_URL is not None
    url = make_url(SERVER_URL)
    async with Proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        proxied = url.set(host="127.0.0.1", port=proxy.port)
        through = create_database(proxied.render_as_string(hide_password=False))
        try:
            async with through.transaction() as session:
                await session.execute(text("SELECT 1"))
            await proxy.block()  # every open connection is cut
            await proxy.restore()

            async with through.transaction() as session:
                assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
        finally:
            await through.dispose()
