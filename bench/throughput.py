"""How many updates per second the real pitch handlers carry, against a bare echo bot.

    /work/venv/bin/python bench/throughput.py                  # SQLite, N = 1 10 100 1000
    /work/venv/bin/python bench/throughput.py --modes direct --sizes 100
    /work/venv/bin/python bench/throughput.py --database-url postgresql+asyncpg://…/bench
    /work/venv/bin/python bench/throughput.py --workers 1 2 4 --database-url postgresql+asyncpg://…/bench

B is python-telegram-bot with one echo handler and the tests' offline request layer; D
the durable peer (bench/durable_peer.py: a ConversationHandler committing every answer
through SQLAlchemy async, one upsert per update) fed the same scripts; then N pitchers
each do a whole pitch (/start … send, with the staff card) through
``build_application(..., rate_limit=False)``. Modes ``direct`` (round-robin through
``process_update``; the targets), ``queued`` (``app.update_queue`` after ``app.start()``,
one update in flight per pitcher) and ``paced`` (that queue at a steady ``--rate``, in a
random interleaving): see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import logging
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# ruff: noqa: E402 (the imports below need the repository root on sys.path)

from sqlalchemy import func, select, text
from telegram import Update, ext

from bench.durable_peer import DurablePeer
from bot.app import build_application
from bot.settings import Settings
from dialogs.catalog import Catalog
from dialogs.flow import load_flow
from services.conversation import Conversations
from storage.database import Database, create_database, is_sqlite
from storage.migrate import upgrade
from storage.models import Base, Pitch
from tests.bot.scenario import pitch_script
from tests.support.telegram import RecordingRequest, message_update

TOKEN = "123456:BENCH-TOKEN"
STAFF_CHAT = -100777
FIRST_USER = 100_000
FLOW = load_flow()
LOCKED = ("database is locked", "deadlock detected", "could not serialize")
App = ext.Application[Any, Any, Any, Any, Any, Any]
Payload = dict[str, Any]
_ids = itertools.count(1)


def echo_script(user_id: int, count: int) -> list[Payload]:
    return [message_update(f"hello number {i}", user_id) for i in range(count)]


@dataclass
class Result:
    updates: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    locks: int = 0
    sent: int = 0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Tally(logging.Handler):
    """Counts failed updates (logged at ERROR) and, among them, database lock errors."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors = self.locks = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.errors += 1
        error = record.exc_info[1] if record.exc_info else None
        described = f"{record.getMessage()}: {getattr(error, 'orig', None) or error!r}"
        self.locks += any(sign in described for sign in LOCKED)
        self.first = self.first or described[:160]


async def direct(app: App, scripts: list[list[Payload]]) -> Result:
    """Round-robin, one update per pitcher, each through process_update."""
    result = Result()
    began = time.perf_counter()
    for turn in itertools.zip_longest(*scripts):
        for payload in filter(None, turn):
            start = time.perf_counter()
            await app.process_update(Update.de_json({**payload, "update_id": next(_ids)}, app.bot))
            result.latencies.append(time.perf_counter() - start)
    result.seconds = time.perf_counter() - began
    return result


Runner = Callable[[App, list[list[Payload]]], Awaitable[Result]]
MODES = ["direct", "queued", "paced"]


def track(app: App) -> dict[int, asyncio.Future[float]]:
    """Futures, by update id, that get the time each update's handling ended."""
    waiting: dict[int, asyncio.Future[float]] = {}

    async def handled(update: Update, _: ext.ContextTypes.DEFAULT_TYPE) -> None:
        waiting.pop(update.update_id).set_result(time.perf_counter())

    app.add_handler(ext.TypeHandler(Update, handled), group=99)  # after every other handler
    return waiting


async def enqueue(
    app: App, waiting: dict[int, asyncio.Future[float]], payload: Payload
) -> tuple[float, asyncio.Future[float]]:
    """Put one update into app.update_queue: when it was put, and when it will be handled."""
    update = Update.de_json({**payload, "update_id": next(_ids)}, app.bot)
    done = waiting[update.update_id] = asyncio.get_running_loop().create_future()
    put = time.perf_counter()
    await app.update_queue.put(update)
    return put, done


async def queued(app: App, scripts: list[list[Payload]]) -> Result:
    """N pitchers, each with one update in app.update_queue until it is handled."""
    waiting, result = track(app), Result()

    async def pitcher(script: list[Payload]) -> None:
        for payload in script:
            put, done = await enqueue(app, waiting, payload)
            result.latencies.append(await asyncio.wait_for(done, 120) - put)

    await app.start()
    began = time.perf_counter()
    try:
        await asyncio.gather(*(pitcher(script) for script in scripts))
        result.seconds = time.perf_counter() - began
    finally:
        await app.stop()
    return result


def mixed(scripts: list[list[Payload]]) -> list[Payload]:
    """A random interleaving: each pitcher's updates in order, pitchers at different steps."""
    turns = [i for i, script in enumerate(scripts) for _ in script]
    random.Random(5).shuffle(turns)
    cursors = [iter(script) for script in scripts]
    return [next(cursors[i]) for i in turns]


async def paced(app: App, scripts: list[list[Payload]], rate: float) -> Result:
    """Into app.update_queue at a steady ``rate``, whatever the bot does."""
    waiting, result = track(app), Result()
    sent: list[tuple[float, asyncio.Future[float]]] = []
    await app.start()
    began = time.perf_counter()
    try:
        for payload in mixed(scripts):
            await asyncio.sleep(began + len(sent) / rate - time.perf_counter())
            sent.append(await enqueue(app, waiting, payload))
        result.latencies = [await asyncio.wait_for(done, 120) - put for put, done in sent]
        result.seconds = max(done.result() for _, done in sent) - began
    finally:
        await app.stop()
    return result


def echo_app(request: RecordingRequest) -> App:
    async def echo(update: Update, _: ext.ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    builder = ext.ApplicationBuilder().token(TOKEN).request(request).get_updates_request(request)
    app = builder.concurrent_updates(64).build()
    app.add_handler(ext.MessageHandler(ext.filters.TEXT, echo))
    return app


async def baseline(runner: Runner, users: int, each: int, repeats: int) -> Result:
    """B: the echo bot, fed like the pitchers are (the best of ``repeats`` runs)."""
    best = Result(seconds=float("inf"), updates=1)
    for _ in range(repeats):
        app = echo_app(RecordingRequest())
        scripts = [echo_script(FIRST_USER + i, each) for i in range(users)]
        async with app:
            result = await runner(app, scripts)
        result.updates = users * each
        best = min(best, result, key=lambda r: r.seconds / r.updates)
    return best


async def durable(runner: Runner, size: int, url: str | None, folder: Path) -> Result:
    """D: the durable peer on a database of its own, fed the pitchers' scripts."""
    database = await fresh_database(url, folder)
    peer = DurablePeer(database.engine, FLOW, STAFF_CHAT)
    await peer.create(database.engine)
    builder = ext.ApplicationBuilder().token(TOKEN).request(RecordingRequest())
    app = builder.get_updates_request(RecordingRequest()).build()
    peer.register(app)
    try:
        scripts = [pitch_script(FIRST_USER + i) for i in range(size)]
        async with app:
            result = await runner(app, scripts)
        result.updates = sum(len(script) for script in scripts)
    finally:
        await database.dispose()
    return result


async def fresh_database(url: str | None, folder: Path) -> Database:
    """A migrated, empty database: a new SQLite file, or the server's tables emptied."""
    database = create_database(url or f"sqlite+aiosqlite:///{folder / str(next(_ids))}.db")
    await upgrade(database)
    if url is not None:
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return database


async def pitchers(runner: Runner, size: int, url: str | None, folder: Path) -> Result:
    database = await fresh_database(url, folder)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, staff_ids=frozenset({7001}),
        staff_chat_id=STAFF_CHAT,
    )  # fmt: skip
    conversations = Conversations(database, FLOW)
    app = build_application(
        settings, conversations, Catalog.load(), request=RecordingRequest(), rate_limit=False
    )
    tally = Tally()
    logging.getLogger().addHandler(tally)
    try:
        scripts = [pitch_script(FIRST_USER + i) for i in range(size)]
        async with app:
            result = await runner(app, scripts)
        result.updates = sum(len(script) for script in scripts)
        async with database.sessions() as session:
            query = select(func.count()).where(Pitch.status == "new")
            result.sent = (await session.execute(query)).scalar_one()
    finally:
        logging.getLogger().removeHandler(tally)
        await database.dispose()
    result.errors, result.locks = tally.errors, tally.locks
    if tally.first:
        print(f"  first failure: {tally.first}")
    return result


def verdict(ok: bool, margin: str) -> str:
    return f"{'PASS' if ok else 'MISS'} ({margin})"


def show(mode: str, n: str, r: Result, base: Result, tail: str) -> None:
    speed = f"{r.updates:8} {r.rate:8.0f} {r.rate / base.rate:6.3f}"
    print(f"{mode:6} {n:>5} {speed} {r.ms(0.5):8.2f} {r.ms(0.99):8.2f} {tail}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=MODES)
    parser.add_argument("--rate", type=float, default=100.0, help="paced: updates/s (100)")
    parser.add_argument("--database-url", help="PostgreSQL URL of a database of your own")
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        help="webhook worker processes to compare, e.g. 1 2 4 (needs --database-url; "
        "see bench/workers.py); N is the first --sizes (default 100)",
    )
    args = parser.parse_args()
    if args.database_url and is_sqlite(args.database_url):
        parser.error("--database-url is for PostgreSQL; SQLite is the default")
    if args.workers:
        if not args.database_url:
            parser.error("--workers needs --database-url (several workers share PostgreSQL)")
        from bench.workers import scaling

        size = args.sizes[0] if args.sizes != [1, 10, 100, 1000] else 100
        with tempfile.TemporaryDirectory(prefix="pitchbot-workers-") as folder:
            await scaling(args.database_url, args.workers, size, Path(folder))
        return
    runners: dict[str, Runner] = {"direct": direct, "queued": queued}
    runners["paced"] = functools.partial(paced, rate=args.rate)
    logging.getLogger().setLevel(logging.ERROR)  # failed updates reach the tally, not stderr
    per_pitch = len(pitch_script(0))
    where = "PostgreSQL" if args.database_url else "SQLite (temp file)"
    print(f"{where}; {per_pitch} updates per pitch; paced at {args.rate:.0f} updates/s")
    print(f"{'mode':6} {'N':>5} {'updates':>8} {'upd/s':>8} {'× B':>6} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'errors':>6} {'locks':>5} {'sent':>5}")  # fmt: skip
    rows: dict[tuple[str, int], tuple[Result, float]] = {}
    peers: dict[tuple[str, int], Result] = {}
    with tempfile.TemporaryDirectory(prefix="pitchbot-throughput-") as folder:
        for mode in args.modes:
            base = await baseline(runners[mode], 100, per_pitch, 1 if mode == "paced" else 3)
            show(mode, "B", base, base, "  (echo bot, 100 users)")
            for size in args.sizes:
                d = await durable(runners[mode], size, args.database_url, Path(folder))
                peers[mode, size] = d
                show(mode, f"D{size}", d, base, "  (durable peer)")
                r = await pitchers(runners[mode], size, args.database_url, Path(folder))
                rows[mode, size] = r, r.rate / base.rate
                show(mode, str(size), r, base, f"{r.errors:6} {r.locks:5} {r.sent:5}  "
                     f"{r.rate / d.rate:.2f} × D")  # fmt: skip
    if ("direct", 100) in rows:
        r, ratio = rows["direct", 100]
        margin = f"{ratio:.3f} × B, {ratio / 0.10:.2f} × target"
        print(f"direct N=100 ≥ 0.10 × B: {verdict(ratio >= 0.10, margin)}")
        versus = r.rate / peers["direct", 100].rate
        margin = f"{versus:.2f} × D, {versus / 1.3:.2f} × target"
        print(f"direct N=100 ≥ 1.3 × D: {verdict(versus >= 1.3, margin)}")
        print(f"direct N=100 p99 ≤ 10 ms: {verdict(r.ms(0.99) <= 10, f'{r.ms(0.99):.1f} ms')}")
    locks = sum(r.locks for r, _ in rows.values())
    errors = sum(r.errors for r, _ in rows.values())
    print(f"no lock errors: {verdict(locks == 0, f'{locks}; failed updates in all: {errors}')}")
    unsent = [f"{m} N={n}" for (m, n), (r, _) in rows.items() if r.sent != n]
    print(f"every pitch sent: {verdict(not unsent, ', '.join(unsent) or 'all')}")


if __name__ == "__main__":
    asyncio.run(main())
