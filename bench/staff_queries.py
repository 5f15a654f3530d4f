"""How fast the team's lookups are with a million pitches: /new, /pitches, /pitch REF.

Run by hand (not in CI), from the repository root:

    /work/venv/bin/python bench/staff_queries.py --keep     # SQLite; keep the filled file
    /work/venv/bin/python bench/staff_queries.py --count 100000
    /work/venv/bin/python bench/staff_queries.py \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench

The database is migrated and then filled with bulk ``INSERT ... SELECT`` on a raw
connection: pitchers and pitches (2 % drafts; new 5 %, in_review 5 %, in_conversation
10 %, supported and referred 15 % each, not_pursued 30 %, archived 18 %; one a minute
from 2024 on, half of them assigned), four answers each (idea, challenge, stage, contact;
texts drawn from a pool of 1,009, the idea of one pitch in 1,009 holding the word
``proj042``) and about one event per pitch. SQLite gets no ANALYZE (pitchbot never
runs it); PostgreSQL is analysed, as autovacuum would soon do. ``--keep`` keeps the
SQLite file in the temp folder (or the PostgreSQL rows) and reuses it next time.

Each case runs once to warm up, then ``--runs`` times through ``StaffDesk``, the team's
use cases that the commands call (one transaction: remember the staff member, query,
rows to frozen records; no Telegram). The floor it is compared with is one pitch by
primary key through :func:`storage.pitches.view` (same loading, no staff member).
Target: each median ≤ 50 ms for the issue's cases ("target": /new first page, /pitches
with a status, /pitch REF); the "extra" cases (next page, every status, searches for a
rare word, a common word and a word nobody used) are held to the same bar. Word search
uses a trigram index on PostgreSQL (migration 0005); SQLite reads the answers.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # type: ignore[import-untyped]  # noqa: E402
from sqlalchemy import make_url  # noqa: E402

from services.desk import StaffDesk  # noqa: E402
from services.outcomes import Actor  # noqa: E402
from services.types import Person  # noqa: E402
from storage import pitches  # noqa: E402
from storage.database import create_database, is_sqlite  # noqa: E402
from storage.migrate import upgrade, upgrade_url  # noqa: E402
from storage.models import Base  # noqa: E402

WORDS = (
    "buurt school samen café fietsen energie jongeren ouderen eenzaamheid voedsel overschot "
    "repair vrijwilligers gemeente OCMW stad Gent Leuven Liège réseau idée quartier projet "
    "klimaat wonen moestuin huurders"
).split()
RARE, ABSENT = "proj042", "xylofoon"
STATUS = (
    "CASE WHEN b < 2 THEN 'draft' WHEN b < 7 THEN 'new' WHEN b < 12 THEN 'in_review'"
    " WHEN b < 22 THEN 'in_conversation' WHEN b < 37 THEN 'supported' WHEN b < 52"
    " THEN 'referred' WHEN b < 82 THEN 'not_pursued' ELSE 'archived' END"
)
DIALECTS: dict[str, dict[str, str]] = {
    "sqlite": {
        "with": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
        " WHERE i < {count}) ",
        "series": "n",
        "time": "strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+' || i || ' minutes') || '.000000'",
        "reference": "printf('P-2025-%07d', i)",
        "json": "",
    },
    "postgresql": {
        "with": "",
        "series": "generate_series(1, {count}) AS n(i)",
        "time": "timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute'",
        "reference": "'P-2025-' || lpad(i::text, 7, '0')",
        "json": "::json",
    },
}
FILL = (
    "{with}INSERT INTO pitchers (id, telegram_user_id, chat_id, username, first_name, language,"
    " consent_at, consent_version, created_at) SELECT i, 1000000000 + i, 1000000000 + i,"
    " 'user' || i, 'Naam ' || i, 'nl', t, '2026-01', t FROM (SELECT i, {time} AS t FROM {series})"
    " AS x",
    "{with}INSERT INTO pitches (id, reference, pitcher_id, status, flow_version, language,"
    " assignee_id, created_at, updated_at, submitted_at, status_changed_at, staff_card_sent_at)"
    " SELECT i, CASE WHEN s = 'draft' THEN NULL ELSE r END, i, s, 1, 'nl',"
    " CASE WHEN i % 2 = 0 THEN 7001 + i % 4 END, t, t, CASE WHEN s = 'draft' THEN NULL ELSE t END,"
    " CASE WHEN s = 'draft' THEN NULL ELSE t END, CASE WHEN s = 'draft' THEN NULL ELSE t END"
    " FROM (SELECT i, t, r, " + STATUS + " AS s FROM (SELECT i, {time} AS t, {reference} AS r,"
    " (i * 37) % 100 AS b FROM {series}) AS x) AS y",
    "INSERT INTO answers (pitch_id, question_key, value, updated_at) SELECT p.id, 'idea',"
    " pool.idea, p.created_at FROM pitches p JOIN pool ON pool.k = p.id % 1009",
    "INSERT INTO answers (pitch_id, question_key, value, updated_at) SELECT p.id, 'challenge',"
    " pool.challenge, p.created_at FROM pitches p JOIN pool ON pool.k = (p.id * 7) % 1009",
    "INSERT INTO answers (pitch_id, question_key, value, updated_at) SELECT id, 'stage',"
    " CASE id % 4 WHEN 0 THEN 'idea' WHEN 1 THEN 'testing' WHEN 2 THEN 'running' ELSE 'scaling'"
    " END, created_at FROM pitches",
    "INSERT INTO answers (pitch_id, question_key, value, updated_at) SELECT id, 'contact',"
    " '+3247' || id, created_at FROM pitches",
    "INSERT INTO events (pitch_id, at, actor_id, kind, payload) SELECT id, status_changed_at,"
    ' 7001 + id % 4, \'status\', \'{{"from": "new", "to": "in_review"}}\'{json} FROM pitches'
    " WHERE status NOT IN ('draft', 'new')",
    "INSERT INTO events (pitch_id, at, actor_id, kind, payload) SELECT id, created_at,"
    " 7002, 'note', '{{\"text\": \"bellen\"}}'{json} FROM pitches WHERE id % 3 = 0",
    "INSERT INTO staff_members (telegram_user_id, username, username_key, first_name,"
    " last_seen_at) SELECT 7001 + i, 'staff' || i, 'staff' || i, 'Staff ' || i, {time} FROM"
    " (SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) AS s",
)


def dialect(name: str, count: int) -> dict[str, str]:
    return {key: value.format(count=count) for key, value in DIALECTS[name].items()}


def pool() -> list[tuple[int, str, str]]:
    rng = random.Random(42)

    def words(length: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(length))

    return [(k, f"{words(8)} proj{k:03d} {words(6)}", words(14)) for k in range(1009)]


def fill_sqlite(path: Path, count: int) -> None:
    upgrade_url(f"sqlite+aiosqlite:///{path}")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    db.execute("CREATE TEMP TABLE pool (k INTEGER PRIMARY KEY, idea TEXT, challenge TEXT)")
    db.executemany("INSERT INTO pool VALUES (?, ?, ?)", pool())
    for statement in FILL:
        db.execute(statement.format(**dialect("sqlite", count)))
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()


async def fill_postgresql(url: str, count: int) -> None:
    database = create_database(url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    db = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    try:
        async with db.transaction():
            await db.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            await db.execute(
                "CREATE TEMP TABLE pool (k int PRIMARY KEY, idea text, challenge text)"
            )
            await db.executemany("INSERT INTO pool VALUES ($1, $2, $3)", pool())
            for statement in FILL:
                await db.execute(statement.format(**dialect("postgresql", count)))
        await db.execute("ANALYZE")
    finally:
        await db.close()


async def pitch_count(url: str) -> int:
    database = create_database(url)
    try:
        async with database.engine.connect() as connection:
            result = await connection.exec_driver_sql("SELECT count(*) FROM pitches")
            return int(result.scalar_one())
    except Exception:  # noqa: BLE001 - no table yet: nothing kept
        return -1
    finally:
        await database.dispose()


async def timed(runs: int, job: Callable[[int], Awaitable[Any]]) -> list[float]:
    await job(0)  # warm-up: connections opened, statements compiled and cached
    times = []
    for run in range(runs):
        began = time.perf_counter()
        await job(run)
        times.append(time.perf_counter() - began)
    return times


async def measure(url: str, count: int, runs: int) -> None:
    database = create_database(url)
    desk = StaffDesk(database)
    olga = Actor(Person(7001, 7001, "olga", "Olga"))
    rng = random.Random(7)
    references = [f"P-2025-{rng.randrange(1, count):07d}" for _ in range(runs + 1)]
    ids = [rng.randrange(1, count) for _ in range(runs + 1)]
    first = await desk.new_page(olga)
    assert first is not None
    after = first[0].pitches[-1].id

    def find(statuses: list[str] | None, *words: str) -> Callable[[int], Awaitable[Any]]:
        return lambda run: desk.search(olga, statuses, list(words))

    async def floor_case(run: int) -> Any:
        async with database.sessions() as session:
            return await pitches.view(session, ids[run])

    cases: list[tuple[str, Callable[[int], Awaitable[Any]], str]] = [
        ("floor: one pitch by id", floor_case, ""),
        ("/new (first page)", lambda run: desk.new_page(olga), "target"),
        ("/pitches in_review", find(["in_review"]), "target"),
        (f"/pitches in_review {RARE} (0.1 %)", find(["in_review"], RARE), "extra"),
        ("/pitch REF (+ history)", lambda run: desk.file(olga, references[run]), "target"),
        ("/new next page", lambda run: desk.new_page(olga, after_id=after), "extra"),
        ("/pitches (every status)", find(None), "extra"),
        ("/pitches in_review buurt (common)", find(["in_review"], "buurt"), "extra"),
        (f"/pitches in_review {ABSENT} (none)", find(["in_review"], ABSENT), "extra"),
    ]
    floor = 0.0
    missed: dict[str, list[str]] = {"target": [], "extra": []}
    print(f"{'case':38} {'median ms':>9} {'p90 ms':>8} {'× floor':>8}  ≤ 50 ms median")
    try:
        for name, job, kind in cases:
            times = sorted(await timed(runs, job))
            median, p90 = statistics.median(times), times[int(0.9 * (len(times) - 1))]
            floor = floor or median
            verdict = ""
            if kind:
                ok = median <= 0.050
                missed[kind] += [] if ok else [name]
                verdict = f"{'PASS' if ok else 'MISS'} ({median / 0.050:.2f} × target) {kind}"
            row = f"{1000 * median:9.2f} {1000 * p90:8.2f} {median / floor:8.1f}"
            print(f"{name:38} {row}  {verdict}")
    finally:
        await database.dispose()
    for kind, names in missed.items():
        print(f"every {kind}: {'MISS: ' + '; '.join(names) if names else 'PASS'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="pitches (1,000,000)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per case (30)")
    parser.add_argument("--database-url", help="PostgreSQL URL of a database of your own")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the filled data")
    args = parser.parse_args()
    if args.database_url and is_sqlite(args.database_url):
        parser.error("--database-url is for PostgreSQL; SQLite is the default")
    with tempfile.TemporaryDirectory(prefix="pitchbot-staff-") as folder:
        kept = Path(tempfile.gettempdir()) / f"pitchbot-bench-staff-{args.count}.db"
        path = kept if args.keep else Path(folder) / "staff.db"
        url = args.database_url or f"sqlite+aiosqlite:///{path}"
        began = time.perf_counter()
        if args.keep and asyncio.run(pitch_count(url)) == args.count:
            print(f"reusing {args.count:,} pitches in {url if args.database_url else path}")
            upgrade_url(url)  # kept data gets the indexes of newer migrations too
        elif args.database_url:
            asyncio.run(fill_postgresql(url, args.count))
        else:
            path.unlink(missing_ok=True)
            fill_sqlite(path, args.count)
        where = "PostgreSQL" if args.database_url else f"SQLite, {path.stat().st_size >> 20} MiB"
        print(f"{args.count:,} pitches ({where}), ready in {time.perf_counter() - began:.0f} s")
        asyncio.run(measure(url, args.count, args.runs))


if __name__ == "__main__":
    main()
