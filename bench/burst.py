"""A burst: many pitchers press "send" within seconds, then a newcomer says /start.

The real `pitchbot run` process against the Bot API emulator, with python-telegram-bot's
rate limiter on as in production (the staff group takes about 20 messages a minute, so
150 cards take over seven minutes to drain). Run by hand (not in CI), from the
repository root (needs Node and npm):

    .venv/bin/python bench/burst.py                      # 150 pitchers at 30 sends/s
    .venv/bin/python bench/burst.py --pitchers 200 --rate 0 --emulator /tmp/tg-emulator

1. N pitchers are brought to their review card through the bot's own unit of work
   (``Conversations.handle``, the same SQLite file, no Telegram), so the run starts at
   the moment that matters.
2. The bot is started. Baseline, in the same run: a newcomer's /start on the idle bot
   (median of five newcomers), the time every later figure is compared with.
3. The burst: every pitcher's "send" press is injected at ``--rate`` per second (0: as
   fast as the emulator takes them), then a newcomer's /start.
4. Measured from the emulator's own stamps (the injection's time on this machine's clock,
   the stamp of the bot's first sendMessage to that chat): each pitcher's wait for their
   reference, the newcomer's wait for the welcome, and what reached the staff group
   meanwhile (a burst line, then cards).

Targets (issue 9): the newcomer answered within 2 s while the cards drain; p99 of the
pitchers' wait ≤ 2 s at 30 sends/s.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "shared" / "tg-emulator"))

# ruff: noqa: E402 (the imports below need the repository root on sys.path)
from client import BotProcess, Emulator, EmulatorClient  # type: ignore[import-not-found]

from bench.startup import emulator_folder
from dialogs.events import Command, Event, Pressed, Said
from dialogs.flow import Kind, load_flow
from services.conversation import Conversations
from services.types import Person
from storage.database import create_database
from storage.migrate import upgrade
from tests.bot.scenario import ANSWERS, PICKS

TOKEN = "777001:BENCH-BURST"
STAFF_CHAT = -100_555_000
FIRST_PITCHER = 10_000
NEWCOMERS = itertools.count(90_000)
FLOW = load_flow()
BOT = {"id": 777001, "is_bot": True, "first_name": "Pitchbot", "username": "PitchbotBurst"}


def to_review(user_id: int) -> list[Event]:
    """Every input of one pitch in Dutch, up to (not including) the "send" press."""
    events: list[Event] = [Command("start"), Pressed("consent:yes:nl")]
    for question in FLOW.questions:
        key = question.key
        if key in ANSWERS["nl"]:
            events.append(Said(ANSWERS["nl"][key]))
        elif question.kind is Kind.MULTI_CHOICE:
            events += [Pressed(f"tog:{key}:{i}") for i in PICKS[key]]
            events.append(Pressed(f"done:{key}"))
        elif question.is_choice:
            events.append(Pressed(f"opt:{key}:{PICKS[key][0]}"))
        else:
            events.append(Pressed(f"skip:{key}"))
    return events


async def prepare(url: str, pitchers: int) -> None:
    database = create_database(url)
    try:
        await upgrade(database)
        conversations = Conversations(database, FLOW)
        for n in range(pitchers):
            user_id = FIRST_PITCHER + n
            person = Person(user_id, user_id, None, f"P{user_id}", "nl")
            for event in to_review(user_id):
                await conversations.handle(person, event)
    finally:
        await database.dispose()


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"P{user_id}", "language_code": "nl"}


def chat(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": f"P{user_id}"}


def send_press(user_id: int) -> dict[str, Any]:
    shown = {"message_id": 1, "date": int(time.time()), "chat": chat(user_id), "from": BOT}
    return {
        "callback_query": {
            "id": f"q{user_id}",
            "from": user(user_id),
            "chat_instance": "burst",
            "data": "send",
            "message": {**shown, "text": "…"},
        }
    }


def start_command(user_id: int) -> dict[str, Any]:
    message = {"message_id": 1, "date": int(time.time()), "chat": chat(user_id)}
    entities = [{"type": "bot_command", "offset": 0, "length": 6}]
    return {"message": {**message, "from": user(user_id), "text": "/start", "entities": entities}}


async def first_answers(client: Any) -> dict[int, float]:
    """The emulator's stamp (s) of the bot's first sendMessage to each chat."""
    first: dict[int, float] = {}
    for call in await client.bot_calls("sendMessage"):
        chat_id = int(call["params"].get("chat_id", 0))
        first.setdefault(chat_id, call["time"] / 1000)
    return first


async def wait_for(client: Any, chats: set[int], timeout: float) -> dict[int, float]:
    deadline = time.monotonic() + timeout
    while True:
        answered = await first_answers(client)
        if chats <= answered.keys() or time.monotonic() > deadline:
            return answered
        await asyncio.sleep(0.05)


async def newcomer_waits(client: Any, count: int) -> list[float]:
    sent: dict[int, float] = {}
    for _ in range(count):
        newcomer = next(NEWCOMERS)
        sent[newcomer] = time.time()
        await client.raw_update(start_command(newcomer))
    answered = await wait_for(client, set(sent), 60)
    return [answered[c] - t for c, t in sent.items() if c in answered]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def verdict(value: float, target: float) -> str:
    return f"PASS ({value:.2f} s ≤ {target} s)" if value <= target else f"MISS ({value:.2f} s)"


async def run(args: argparse.Namespace, folder: Path, scratch: Path) -> None:
    url = f"sqlite+aiosqlite:///{scratch / 'burst.db'}"
    began = time.monotonic()
    await prepare(url, args.pitchers)
    print(f"{args.pitchers} pitchers at their review card in {time.monotonic() - began:.0f} s")
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "PITCHBOT_DATABASE_URL": url,
        "PITCHBOT_STAFF_IDS": "7001",
        "PITCHBOT_STAFF_CHAT_ID": str(STAFF_CHAT),
        "PITCHBOT_DIGEST_HOUR": "",  # not part of the measured burst
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    with Emulator(emulator_dir=folder, log_path=scratch / "emulator.log") as emulator:
        env["PITCHBOT_TELEGRAM_API_URL"] = emulator.url
        async with EmulatorClient(emulator.url, token=TOKEN) as client:
            await client.register_chat({"id": STAFF_CHAT, "type": "supergroup", "title": "Team"})
            for n in range(args.pitchers):
                await client.register_chat(chat(FIRST_PITCHER + n))
            bot = BotProcess(
                [sys.executable, "-m", "cli.main", "run"],
                env=env,
                cwd=scratch,
                log_path=scratch / "bot.log",
            )
            bot.start()
            try:
                await client.wait_for_polling(timeout=60)
                await report(client, args)
            finally:
                print(f"(bot log: {bot.log_tail(3)})" if args.verbose else "", end="")
                bot.stop()


async def report(client: Any, args: argparse.Namespace) -> None:
    idle = await newcomer_waits(client, 5)
    baseline = statistics.median(idle)
    pitchers = [FIRST_PITCHER + n for n in range(args.pitchers)]
    pressed: dict[int, float] = {}
    gap = 1 / args.rate if args.rate else 0.0
    start = time.time()
    for n, pitcher in enumerate(pitchers):
        if gap:
            await asyncio.sleep(max(0.0, start + n * gap - time.time()))
        pressed[pitcher] = time.time()
        await client.raw_update(send_press(pitcher))
    newcomer = await newcomer_waits(client, 1)
    answered = await wait_for(client, set(pitchers), 120)
    waits = [answered[p] - t for p, t in pressed.items() if p in answered]
    group = [c for c in await client.bot_calls("sendMessage")
             if int(c["params"].get("chat_id", 0)) == STAFF_CHAT]  # fmt: skip
    lines = [n for n, c in enumerate(group) if "onderweg" in str(c["params"].get("text", ""))]

    print(f"\nbaseline: a newcomer's /start on the idle bot, median of 5: {baseline:.3f} s")
    print(
        f"burst: {args.pitchers} sends at {args.rate or 'max'}/s over {time.time() - start:.1f} s"
    )
    print(f"  pitchers answered: {len(waits)}/{args.pitchers}")
    if waits:
        p50, p99 = percentile(waits, 50), percentile(waits, 99)
        print(
            f"  pitcher's wait for the reference: p50 {p50:.3f} s ({p50 / baseline:.1f} × base),"
            f" p99 {p99:.3f} s ({p99 / baseline:.1f} × base), max {max(waits):.3f} s"
        )
    if newcomer:
        print(
            f"  newcomer's wait for the welcome: {newcomer[0]:.3f} s "
            f"({newcomer[0] / baseline:.1f} × base)"
        )
    where = ", ".join(f"#{n + 1}" for n in lines) or "none"
    print(f"  staff group so far: {len(group)} message(s); burst line(s) at: {where}")
    print("targets:")
    print(
        f"  newcomer answered within 2 s while cards drain: "
        f"{verdict(newcomer[0], 2.0) if newcomer else 'MISS (never answered)'}"
    )
    print(
        f"  p99 pitcher wait ≤ 2 s: "
        f"{verdict(percentile(waits, 99), 2.0) if waits else 'MISS (none answered)'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pitchers", type=int, default=150)
    parser.add_argument("--rate", type=float, default=30.0, help="sends per second; 0: max")
    parser.add_argument("--emulator", type=Path, help="an emulator folder with node_modules")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    os.environ.pop("TELEGRAM_BOT_TOKEN", None)
    with tempfile.TemporaryDirectory(prefix="pitchbot-burst-") as scratch:
        folder = emulator_folder(args.emulator, Path(scratch))
        asyncio.run(run(args, folder, Path(scratch)))


if __name__ == "__main__":
    main()
