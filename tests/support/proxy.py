"""A TCP proxy a test can cut: the database "goes away" and comes back on cue.

It listens on a free local port and forwards every connection to a server (PostgreSQL on
127.0.0.1:5432). :meth:`Proxy.block` closes every open connection and stops listening, as
a stopped server would (new connections are refused); :meth:`Proxy.restore` listens on the
same port again.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType


class Proxy:
    """Forwards ``127.0.0.1:<port>`` to ``host:target_port`` until blocked."""

    def __init__(self, host: str, target_port: int) -> None:
        self.host = host
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Proxy:
        await self.restore()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.block()

    @property
    def blocked(self) -> bool:
        return self._server is None

    async def restore(self) -> None:
        """Listen (again, on the same port) and forward."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def block(self) -> None:
        """Refuse new connections and cut the open ones, as a server that went down."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                self.host, self.target_port
            )
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, upstream_writer}
        pipes = [
            asyncio.create_task(_pipe(reader, upstream_writer)),
            asyncio.create_task(_pipe(upstream_reader, writer)),
        ]
        self._tasks.update(pipes)
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pipes:
                task.cancel()
            for side in (writer, upstream_writer):
                side.transport.abort()
                self._writers.discard(side)
            self._tasks.difference_update(pipes)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
