"""Pitches per second with 1, 2, 4… `pitchbot run --webhook` processes on one PostgreSQL.

    python bench/throughput.py --workers 1 2 4 --database-url postgresql+asyncpg://…/bench

Each worker is a real process (the `pitchbot` command) behind no proxy: the load
generator spreads every pitcher's updates round robin over the workers, as a proxy would,
one request at a time per pitcher (the next once the last was answered "200 OK", i.e.
kept in the inbox). The Bot API is bench/fake_bot_api.py, which answers at once. A run
ends when every pitch is in the database as sent; its rate is compared with one worker's,
measured in the same run.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bench.throughput import FIRST_USER, STAFF_CHAT, TOKEN, fresh_database
from bot.limits import TELEGRAM_PER_SECOND
from storage.models import Pitch
from tests.bot.scenario import pitch_script

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench_secret"
START_SECONDS = 60.0
UNCAPPED = 1_000_000.0
"""Messages per second: no limit that the workers could reach."""


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Run:
    workers: int
    pitches: int
    updates: int
    seconds: float
    cpu: float
    """CPU seconds the worker processes used for it (all of them together)."""

    @property
    def pitches_per_second(self) -> float:
        return self.pitches / self.seconds


@asynccontextmanager
async def fake_bot_api() -> Any:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.fake_bot_api:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
    )
    try:
        await _until_answers(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", method="POST")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


async def _until_answers(url: str, method: str = "GET") -> None:
    deadline = time.monotonic() + START_SECONDS
    async with httpx.AsyncClient(trust_env=False) as http:
        while True:
            try:
                if (await http.request(method, url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {START_SECONDS:.0f} s")
            await asyncio.sleep(0.1)


def start_worker(
    api: str, database_url: str, port: int, log: Path, per_second: float
) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PITCHBOT_")},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "PITCHBOT_TELEGRAM_API_URL": api,
        "PITCHBOT_DATABASE_URL": database_url,
        "PITCHBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "PITCHBOT_WEBHOOK_PORT": str(port),
        "PITCHBOT_WEBHOOK_SECRET": SECRET,
        "PITCHBOT_STAFF_IDS": "7001",
        "PITCHBOT_STAFF_CHAT_ID": str(STAFF_CHAT),
        "PITCHBOT_DIGEST_HOUR": "",
        "PITCHBOT_SENDS_PER_SECOND": str(per_second),
        "PYTHONPATH": str(ROOT),
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cli.main", "run", "--webhook"],
            env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


async def sent_pitches(database: Any) -> int:
    async with database.sessions() as session:
        query = select(func.count()).where(Pitch.status == "new")
        return int((await session.execute(query)).scalar_one())


async def run(api: str, url: str, workers: int, size: int, folder: Path, capped: bool) -> Run:
    """``capped``: as deployed, each worker sending its share of Telegram's 30 messages a
    second; otherwise without that limit (what the workers themselves carry)."""
    database = await fresh_database(url, folder)
    ports = [free_port() for _ in range(workers)]
    per_second = TELEGRAM_PER_SECOND / workers if capped else UNCAPPED
    processes = [
        start_worker(api, url, port, folder / f"worker-{workers}-{i}.log", per_second)
        for i, port in enumerate(ports)
    ]
    try:
        for port in ports:
            await _until_answers(f"http://127.0.0.1:{port}/healthz")
        scripts = [pitch_script(FIRST_USER + i) for i in range(size)]
        ids = itertools.count(1)
        spread = itertools.cycle(ports)
        limits = httpx.Limits(max_connections=size + 10)
        async with httpx.AsyncClient(trust_env=False, limits=limits, timeout=60) as http:

            async def pitcher(script: list[dict[str, Any]]) -> None:
                for payload in script:
                    port = next(spread)
                    answer = await http.post(
                        f"http://127.0.0.1:{port}/hook",
                        json={**payload, "update_id": next(ids)},
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    )
                    answer.raise_for_status()

            began, cpu_before = time.perf_counter(), cpu_seconds(processes)
            await asyncio.gather(*(pitcher(script) for script in scripts))
            while await sent_pitches(database) < size:
                if any(p.poll() is not None for p in processes):
                    raise RuntimeError(f"a worker died: see {folder}")
                await asyncio.sleep(0.05)
            seconds, cpu = time.perf_counter() - began, cpu_seconds(processes) - cpu_before
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)
        await database.dispose()
    return Run(workers, size, sum(len(s) for s in scripts), seconds, cpu)


def cpu_seconds(processes: list[subprocess.Popen[bytes]]) -> float:
    """User and system CPU time of the processes so far (Linux: /proc/PID/stat)."""
    ticks = 0
    for process in processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


async def scaling(url: str, counts: list[int], size: int, folder: Path) -> None:
    print(f"PostgreSQL; {size} pitchers, each a whole pitch spread over the workers")
    print(
        f"{'sending':>12} {'workers':>7} {'pitches/s':>10} {'updates/s':>10} "
        f"{'× 1 worker':>10} {'worker CPU ms/update':>20}"
    )
    async with fake_bot_api() as api:
        for capped in (True, False):
            first: Run | None = None
            for count in counts:
                result = await run(api, url, count, size, folder, capped)
                first = first or result
                ratio = result.pitches_per_second / first.pitches_per_second
                mode = "30/s shared" if capped else "unlimited"
                print(
                    f"{mode:>12} {count:7} {result.pitches_per_second:10.2f} "
                    f"{result.updates / result.seconds:10.0f} {ratio:10.2f} "
                    f"{1000 * result.cpu / result.updates:20.1f}"
                )
    print(f"(this machine has {os.cpu_count()} CPU cores for the workers, PostgreSQL and the load)")
