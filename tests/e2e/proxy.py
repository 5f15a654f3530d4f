"""A reverse proxy for end-to-end tests: spreads webhook requests over several workers.

Round robin, as nginx or Caddy would; every ``twice``-th request also goes to the next
worker (a proxy retrying after a timeout, or Telegram redelivering). It runs on uvicorn in
a thread of its own, beside the test's event loop.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


class SplittingProxy:
    def __init__(self, port: int, workers: list[str], *, twice: int = 0) -> None:
        self.port = port
        self.workers = workers
        self.twice = twice
        self.forwarded: Counter[str] = Counter()
        """Requests each worker answered."""
        self._turns = itertools.count()
        app = Starlette(routes=[Route("/{path:path}", self._forward, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _forward(self, request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        turn = next(self._turns)
        targets = [self.workers[turn % len(self.workers)]]
        if self.twice and turn % self.twice == self.twice - 1:
            targets.append(self.workers[(turn + 1) % len(self.workers)])
        status = 502
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
            for target in targets:
                answer = await client.post(
                    f"{target}{request.url.path}", content=body, headers=headers
                )
                self.forwarded[target] += 1
                status = answer.status_code if status == 502 else status
        return Response(status_code=status)

    def start(self) -> SplittingProxy:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the proxy did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
