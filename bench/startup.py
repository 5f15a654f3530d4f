"""How quickly `pitchbot run` starts polling and how much memory it holds when idle,
against a bare python-telegram-bot echo bot (bench/echo_bot.py) started the same way.

Run by hand (not in CI), from the repository root (needs Node and npm):

    /work/venv/bin/python bench/startup.py              # 5 starts of each, alternating
    /work/venv/bin/python bench/startup.py --runs 10 --emulator /tmp/emu   # npm ci done there

It copies ../shared/tg-emulator to a temporary folder and runs `npm ci` there (unless
``--emulator`` names a folder that already has node_modules), starts the emulator, and
then, alternately, ``python -m cli.main run`` (a SQLite file in a temporary folder, which
the first start migrates) and ``python bench/echo_bot.py``, each with a token of its own.

- start-up: from just before the process is spawned to the emulator receiving its first
  getUpdates (the emulator stamps every Bot API call; both clocks are this machine's);
- idle memory: the process's resident size (VmRSS) once it has polled for a while with
  nothing to do: sampled every 0.2 s until it has not changed for 2 s.

The first start of each is a warm-up (bytecode caches, page cache; pitchbot's migrates
its new database) and is shown apart; the table gives the median of the others.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMULATOR = ROOT.parent / "shared" / "tg-emulator"
sys.path.insert(0, str(EMULATOR))

from client import BotProcess, Emulator, EmulatorClient  # type: ignore[import-not-found]  # noqa: E402

_tokens = itertools.count(1)


@dataclass
class Start:
    seconds: float
    rss: int


def rss_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


async def settled_rss(pid: int, quiet: float = 2.0, limit: float = 30.0) -> int:
    """VmRSS once it has stayed the same for ``quiet`` seconds (or after ``limit``)."""
    last, since, began = rss_of(pid), time.monotonic(), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() - began < limit:
        await asyncio.sleep(0.2)
        now = rss_of(pid)
        if now != last:
            last, since = now, time.monotonic()
    return last


Command = tuple[list[str], dict[str, str]]


def command(kind: str, emulator: Emulator, token: str, folder: Path) -> Command:
    proxy = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    if kind == "echo":
        env = {"ECHO_TOKEN": token, "ECHO_API_URL": emulator.url, **proxy}
        return [sys.executable, str(ROOT / "bench" / "echo_bot.py")], env
    env = {
        "TELEGRAM_BOT_TOKEN": token,
        "PITCHBOT_TELEGRAM_API_URL": emulator.url,
        "PITCHBOT_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'pitchbot.db'}",
        "PITCHBOT_STAFF_IDS": "7001",
        **proxy,
    }
    return [sys.executable, "-m", "cli.main", "run"], env


async def start_once(kind: str, emulator: Emulator, folder: Path) -> Start:
    token = f"{100000 + next(_tokens)}:BENCH-{kind.upper()}"
    cmd, env = command(kind, emulator, token, folder)
    bot = BotProcess(cmd, env=env, cwd=folder, log_path=folder / f"{kind}.log")
    async with EmulatorClient(emulator.url, token=token) as client:
        began = time.time()
        bot.start()
        assert bot.proc is not None
        try:
            await client.wait_for_polling(timeout=60)
            first = min(call["time"] for call in await client.bot_calls("getUpdates"))
            rss = await settled_rss(bot.proc.pid)
        except Exception:
            print(bot.log_tail(), file=sys.stderr)
            raise
        finally:
            code = bot.stop()
    if code != 0:
        raise RuntimeError(f"{kind} exited with {code}:\n{bot.log_tail()}")
    return Start(first / 1000 - began, rss)


def emulator_folder(given: Path | None, scratch: Path) -> Path:
    if given is not None:
        return given
    folder = scratch / "tg-emulator"
    shutil.copytree(EMULATOR, folder)
    folder.chmod(0o755)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return folder


def mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="starts of each after a warm-up")
    parser.add_argument("--emulator", type=Path, help="an emulator folder with node_modules")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pitchbot-startup-") as scratch:
        folder = emulator_folder(args.emulator, Path(scratch))
        os.environ.pop("TELEGRAM_BOT_TOKEN", None)
        with Emulator(emulator_dir=folder, log_path=Path(scratch) / "emulator.log") as emulator:
            starts: dict[str, list[Start]] = {"echo": [], "pitchbot": []}
            for _ in range(args.runs + 1):
                for kind in starts:
                    starts[kind].append(await start_once(kind, emulator, Path(scratch)))
    print(f"{'':34} {'first getUpdates':>16} {'idle RSS':>10}")
    medians: dict[str, Start] = {}
    for kind, runs in starts.items():
        name = "pitchbot run" if kind == "pitchbot" else "echo bot (baseline)"
        warm = runs[0]
        print(f"{name + ', first start':34} {warm.seconds:15.2f}s {mib(warm.rss):>10}")
        rest = runs[1:]
        seconds = statistics.median(r.seconds for r in rest)
        rss = statistics.median(r.rss for r in rest)
        medians[kind] = Start(seconds, int(rss))
        spread = f"({min(r.seconds for r in rest):.2f}–{max(r.seconds for r in rest):.2f} s)"
        print(f"{name + ', median':34} {seconds:15.2f}s {mib(rss):>10}  {spread}")
    pitchbot, echo = medians["pitchbot"], medians["echo"]
    print(
        f"{'ratio pitchbot / echo':34} {pitchbot.seconds / echo.seconds:15.2f}× "
        f"{pitchbot.rss / echo.rss:9.2f}×  (+{pitchbot.seconds - echo.seconds:.2f} s, "
        f"+{mib(pitchbot.rss - echo.rss)})"
    )


if __name__ == "__main__":
    asyncio.run(main())
