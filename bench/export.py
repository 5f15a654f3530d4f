"""How fast, how lean and how polite the CSV export is, against plain sqlite3 + csv.

Run by hand (not in CI), from the repository root:

    /work/venv/bin/python bench/export.py            # 10,000 and 100,000 pitches
    /work/venv/bin/python bench/export.py 20000      # other sizes

For each size it fills a fresh SQLite database with pitches of realistic size (about
1 KB of answers each, a few notes, some assigned) and then, in the same run, measures:

- time: the pitchbot export to a file against a baseline of plain ``sqlite3`` + ``csv``
  writing the same columns from the same tables (best of three each; target ≤ 1.3×);
- memory: the rise of traced Python memory during an export (tracemalloc peak) and the
  rise of the process's resident size (target ≤ 20 MiB, and no growth with the size);
- the event loop: a task that wants to tick every 10 ms records how late it ever was
  while the export ran (target ≤ 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import os
import random
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogs.flow import Flow, Kind, load_flow  # noqa: E402
from services.export_columns import Columns  # noqa: E402
from services.exporting import ExportOptions, export_to_path  # noqa: E402
from storage.database import create_database  # noqa: E402
from storage.export import ExportRow  # noqa: E402
from storage.migrate import upgrade_url  # noqa: E402

STATUSES = ("new", "in_review", "in_conversation", "supported", "referred", "not_pursued")
WORDS = (
    "buurt school samen café fietsen energie jongeren ouderen eenzaamheid voedsel "
    "overschot repair vrijwilligers gemeente OCMW stad Gent Leuven Liège réseau idée "
    'quartier projet "ja", neen; klimaat, wonen 🚲 🌍 moestuin huurders'
).split()
STAFF = (7001, 7002, 7003, 7004, 7005)
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def _text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    if rng.random() < 0.2:
        words.insert(len(words) // 2, "\n")
    return " ".join(words)


def _answers(flow: Flow, rng: random.Random) -> Iterator[tuple[str, str]]:
    """About 1 KB per pitch: every choice, every required text, most optional ones; a
    pool of a thousand such sets is shared out over the pitches."""
    for question in flow.questions:
        if question.key == "contact":
            continue  # one of its own for every pitch: see fill()
        if question.key == "name":
            yield question.key, _text(rng, 14)
        elif question.kind is Kind.MULTI_CHOICE:
            yield question.key, ",".join(o.key for o in question.options[: rng.randint(1, 3)])
        elif question.is_choice:
            yield question.key, rng.choice(question.options).key
        elif question.required or rng.random() < 0.6:
            yield question.key, _text(rng, rng.randint(60, 110))


def fill(path: Path, count: int, flow: Flow) -> None:
    """``count`` sent pitches (and a few drafts), bulk-inserted with plain sqlite3."""
    upgrade_url(f"sqlite+aiosqlite:///{path}")
    rng = random.Random(42)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    pool = [list(_answers(flow, rng)) for _ in range(1000)]
    db = sqlite3.connect(path)
    with db:
        stamp = start.strftime(SQLITE_TIME)
        db.executemany(
            "INSERT INTO staff_members (telegram_user_id, username, username_key, first_name,"
            " last_seen_at) VALUES (?, ?, ?, ?, ?)",
            [(i, f"staff{i}", f"staff{i}", f"Staff {i}", stamp) for i in STAFF[:4]],
        )
        for first in range(0, count, 10_000):
            numbers = range(first, min(first + 10_000, count))
            pitchers, pitches, answers, events = [], [], [], []
            for n in numbers:
                at = (start + timedelta(minutes=5 * n)).strftime(SQLITE_TIME)
                pitchers.append((n + 1, 10**9 + n, 10**9 + n, f"user{n}", f"Naam {n}", at))
                draft = n % 50 == 49
                status = "draft" if draft else rng.choice(STATUSES)
                reference = None if draft else f"P-{n:07d}"
                assignee = rng.choice(STAFF) if rng.random() < 0.5 else None
                sent = None if draft else at
                pitches.append((n + 1, reference, n + 1, status, assignee, at, sent))
                answers += [(n + 1, key, value, at) for key, value in pool[n % len(pool)]]
                answers.append((n + 1, "contact", f"+3247{n:07d}", at))  # phones are unique
                events += [(n + 1, at, 7001, "note", '{"text": "bellen"}')] * rng.randint(0, 3)
            db.executemany(
                "INSERT INTO pitchers (id, telegram_user_id, chat_id, username, first_name,"
                " language, consent_at, consent_version, created_at)"
                " VALUES (?, ?, ?, ?, ?, 'nl', ?6, '2026-01', ?6)",
                pitchers,
            )
            db.executemany(
                "INSERT INTO pitches (id, reference, pitcher_id, status, flow_version, language,"
                " assignee_id, created_at, updated_at, submitted_at, status_changed_at)"
                " VALUES (?, ?, ?, ?, 1, 'nl', ?, ?6, ?6, ?7, ?7)",
                pitches,
            )
            db.executemany(
                "INSERT INTO answers (pitch_id, question_key, value, updated_at)"
                " VALUES (?, ?, ?, ?)",
                answers,
            )
            db.executemany(
                "INSERT INTO events (pitch_id, at, actor_id, kind, payload) VALUES (?, ?, ?, ?, ?)",
                events,
            )
    db.close()  # no ANALYZE: pitchbot never runs it, so the planner has no statistics


BASELINE_PITCHES = """
SELECT p.id, p.reference, p.status, p.submitted_at, p.language, p.assignee_id,
       coalesce(s.first_name, s.username), p.status_changed_at,
       (SELECT count(*) FROM events e WHERE e.pitch_id = p.id AND e.kind = 'note'),
       r.first_name, r.username, r.telegram_user_id
FROM pitches p
JOIN pitchers r ON r.id = p.pitcher_id
LEFT JOIN staff_members s ON s.telegram_user_id = p.assignee_id
WHERE p.status != 'draft'
ORDER BY p.id
"""


BASELINE_COLUMNS = (
    "reference status submitted_at language assignee_id assignee status_changed_at notes"
    " first_name username telegram_user_id"
).split()


def _baseline_rows(path: Path, keys: list[str]) -> Iterator[tuple[Any, ...]]:
    """Every sent pitch with its answers to ``keys``, in one pass of plain sqlite3: the
    pitches in id order, the answers merged in from a second cursor in pitch id order."""
    db = sqlite3.connect(path)
    answers = db.execute("SELECT pitch_id, question_key, value FROM answers ORDER BY pitch_id")
    pending = next(answers, None)
    for pitch in db.execute(BASELINE_PITCHES):
        given: dict[str, str] = {}
        while pending is not None and pending[0] <= pitch[0]:
            if pending[0] == pitch[0]:
                given[pending[1]] = pending[2]
            pending = next(answers, None)
        yield (*pitch, tuple(given.get(key) for key in keys))
    db.close()


def baseline_raw(path: Path, flow: Flow, target: Path) -> None:
    """The floor: the same columns from the same tables, written as stored."""
    keys = [q.key for q in flow.questions if not q.personal]
    keys += [q.key for q in flow.questions if q.personal]
    with target.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*BASELINE_COLUMNS, *keys])
        for _, *fixed, answers in _baseline_rows(path, keys):
            writer.writerow([*fixed, *answers])


def _utc(stored: str | None) -> datetime | None:
    return None if stored is None else datetime.fromisoformat(stored).replace(tzinfo=UTC)


def baseline_same(path: Path, flow: Flow, target: Path) -> None:
    """Plain sqlite3 + csv writing the very same file, through the same cell formatting
    (labels, Brussels times, formula guard): what the storage layer and streaming cost."""
    columns = Columns(flow, "nl", anonymous=False)
    with target.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(columns.header())
        for row in _baseline_rows(path, columns.keys):
            values = list(row)
            values[3], values[7] = _utc(values[3]), _utc(values[7])  # sent, status changed
            writer.writerow(columns.cells(ExportRow._make(values)))


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _export(path: Path, flow: Flow, target: Path) -> tuple[int, float, float, int]:
    """One export with a 10 ms ticker alongside: rows, seconds, worst lateness, RSS rise."""
    database = create_database(f"sqlite+aiosqlite:///{path}")
    loop = asyncio.get_running_loop()
    running = True
    worst = 0.0
    rss_before = rss_peak = _rss()

    async def ticker() -> None:
        nonlocal worst, rss_peak
        while running:
            due = loop.time() + 0.010
            await asyncio.sleep(0.010)
            worst = max(worst, loop.time() - due)
            rss_peak = max(rss_peak, _rss())

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    began = time.perf_counter()
    try:
        rows = await export_to_path(database, flow, ExportOptions(), target)
        elapsed = time.perf_counter() - began
    finally:
        running = False
        await ticking
        await database.dispose()
    return rows, elapsed, worst, rss_peak - rss_before


def _best(runs: int, job: Callable[[], float]) -> float:
    return min(job() for _ in range(runs))


def measure(count: int, flow: Flow, folder: Path) -> None:
    database = folder / f"bench-{count}.db"
    started = time.perf_counter()
    fill(database, count, flow)
    mb = database.stat().st_size / 2**20
    filled = time.perf_counter() - started
    print(f"\n{count:,} pitches: database {mb:.0f} MiB, filled in {filled:.1f} s")

    def timed(job: Callable[[Path, Flow, Path], None], name: str) -> Callable[[], float]:
        def run() -> float:
            began = time.perf_counter()
            job(database, flow, folder / name)
            return time.perf_counter() - began

        return run

    stalls: list[float] = []
    rss: list[int] = []

    def timed_export() -> float:
        _, elapsed, stall, rise = asyncio.run(_export(database, flow, folder / "export.csv"))
        stalls.append(stall)
        rss.append(rise)
        return elapsed

    raw = _best(3, timed(baseline_raw, "raw.csv"))
    same = _best(3, timed(baseline_same, "same.csv"))
    ours = _best(3, timed_export)
    identical = (folder / "same.csv").read_bytes() == (folder / "export.csv").read_bytes()
    gc.collect()
    tracemalloc.start()
    asyncio.run(_export(database, flow, folder / "export.csv"))
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = (folder / "export.csv").stat().st_size / 2**20
    print(f"  baseline, raw values : {raw:6.2f} s  sqlite3 + csv, stored values as they are")
    print(f"  baseline, same file  : {same:6.2f} s  sqlite3 + csv, identical bytes: {identical}")
    print(f"  pitchbot export      : {ours:6.2f} s  ({size:.0f} MiB of CSV)")
    print(f"  ratio to same file   : {ours / same:6.2f} ×   (target ≤ 1.3)")
    print(f"  ratio to raw values  : {ours / raw:6.2f} ×")
    print(f"  memory, traced peak  : {traced_peak / 2**20:6.1f} MiB (target ≤ 20)")
    print(f"  memory, RSS rise     : {max(rss) / 2**20:6.1f} MiB (worst of three runs)")
    print(f"  longest loop stall   : {max(stalls) * 1000:6.1f} ms  (target ≤ 100)")
    database.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[10_000, 100_000])
    args = parser.parse_args()
    flow = load_flow()
    with tempfile.TemporaryDirectory(prefix="pitchbot-bench-") as folder:
        for count in args.counts:
            measure(count, flow, Path(folder))


if __name__ == "__main__":
    main()
