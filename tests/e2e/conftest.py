"""End-to-end: the real `pitchbot run` process against an offline Telegram Bot API.

The emulator (``../shared/tg-emulator``: Node + ``client.py``) plays Telegram; simulated
people (``FakeUser``) talk to the bot through it. Each test module gets its own bot
process with its own token, staff group and SQLite file, so modules cannot see each
other's messages and no staff group comes near the 20 messages a minute the bot's rate
limiter allows per group. A test that stops or breaks its bot gets a process of its own.

Where the emulator is missing or not installed, every test here is skipped with a
reason that says how to install it; under CI (``CI=true`` or ``PITCHBOT_E2E_REQUIRED=1``,
which `.ci/run` sets) that is an error instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.limits import sends
from dialogs.catalog import Catalog
from dialogs.flow import Flow, Kind, load_flow
from dialogs.replies import text
from dialogs.threads import find_reference
from tests.bot import scenario
from tests.support.pdf import pdf_pages

REPO = Path(__file__).resolve().parents[2]
DEFAULT_EMULATOR_DIR = REPO.parent / "shared" / "tg-emulator"
HOW_TO_ENABLE = (
    "cp -r ../shared/tg-emulator /tmp/tg-emulator && (cd /tmp/tg-emulator && npm ci) "
    "&& export PITCHBOT_EMULATOR_DIR=/tmp/tg-emulator"
)
START_TIMEOUT = 30.0
"""Seconds for a bot process to start polling (Python start-up plus migrations)."""
STOP_TIMEOUT = 15.0

OLGA = 7001
"""Staff by configuration (PITCHBOT_STAFF_IDS) and an administrator of the staff group."""
PIETER = 7002
"""Staff only because he is a member of the staff group."""

FLOW: Flow = load_flow()
CATALOG = Catalog.load()


def _locate_emulator() -> tuple[Path, str | None]:
    """The emulator's folder, and why it cannot be used (None when it can)."""
    configured = os.environ.get("PITCHBOT_EMULATOR_DIR", "").strip()
    folder = Path(configured).resolve() if configured else DEFAULT_EMULATOR_DIR
    named = f"PITCHBOT_EMULATOR_DIR={folder}" if configured else f"{folder} (the default)"
    if not (folder / "emulator.js").is_file() or not (folder / "client.py").is_file():
        problem = f"no emulator.js and client.py in {named}"
    elif not (folder / "node_modules" / "telegram-test-api").is_dir():
        problem = f"{named} has no installed node_modules"
    elif shutil.which("node") is None:
        problem = "node is not on PATH"
    else:
        return folder, None
    return folder, f"tg-emulator not installed ({problem}): {HOW_TO_ENABLE}"


EMULATOR_DIR, UNAVAILABLE = _locate_emulator()
if UNAVAILABLE is None and str(EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(EMULATOR_DIR))  # client.py lives next to emulator.js

REQUIRED = any(
    os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
    for name in ("CI", "PITCHBOT_E2E_REQUIRED")
)
"""Under CI (or `.ci/run`) a missing emulator fails these tests instead of skipping them."""


def client_module() -> Any:
    """The emulator's ``client.py`` (importable only once the emulator was found)."""
    import client

    return client


# --- the emulator ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One emulator for the session; HTML is strict, so an unescaped '&' is an error."""
    if UNAVAILABLE is not None:
        if REQUIRED:
            pytest.fail(f"CI needs the e2e tests: {UNAVAILABLE}", pytrace=False)
        pytest.skip(UNAVAILABLE)
    log = tmp_path_factory.mktemp("emulator") / "emulator.log"
    emulator = client_module().Emulator(
        bot_username="PitchbotTestBot", strict_html=True, log_path=log, emulator_dir=EMULATOR_DIR
    )
    emulator.start()
    _EMULATORS.append(emulator)
    try:
        yield emulator
    finally:
        _EMULATORS.remove(emulator)
        emulator.stop()
        if emulator.proc is not None and emulator.proc.stdout is not None:
            emulator.proc.stdout.close()


# --- a bot deployment: token, staff group, database, process ---------------------------------

_tokens = count(1)
_EMULATORS: list[Any] = []
_RUNNING: list[Deployment] = []
"""Deployments in use, whose logs a failing test shows."""
_DEPLOYED: list[Deployment] = []
"""Every deployment of the session, whose logs are searched for tokens at its end."""


@dataclass
class Deployment:
    """One pitchbot installation: its token, staff group and database, and its process."""

    emulator: Any
    folder: Path
    token: str
    staff_chat: int
    process: Any = None
    starts: int = 0
    database: str | None = None
    """A server database's URL; None: a SQLite file in the deployment's folder."""

    @property
    def database_url(self) -> str:
        return self.database or f"sqlite+aiosqlite:///{self.folder / 'e2e.db'}"

    def env(self) -> dict[str, str]:
        """The bot's whole environment: nothing of the developer's pitchbot settings."""
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("PITCHBOT_") and name != "TELEGRAM_BOT_TOKEN"
        }
        return {
            **inherited,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "TELEGRAM_BOT_TOKEN": self.token,
            "PITCHBOT_TELEGRAM_API_URL": self.emulator.url,
            "PITCHBOT_DATABASE_URL": self.database_url,
            "PITCHBOT_STAFF_IDS": str(OLGA),
            "PITCHBOT_STAFF_CHAT_ID": str(self.staff_chat),
            "PITCHBOT_CARD_RETRY_SECONDS": "1",
            "PITCHBOT_DIGEST_HOUR": "",  # real time: a digest would arrive mid-test
            "PITCHBOT_DEFAULT_LANGUAGE": "nl",
        }

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.emulator.url, timeout=10.0, trust_env=False)

    def post(self, route: str, payload: dict[str, Any]) -> Any:
        with self.http() as http:
            response = http.post(route, json=payload)
        body = response.json()
        assert response.status_code == 200 and body.get("ok"), (route, body)
        return body.get("result")

    def set_up_staff_group(self) -> None:
        """The staff group exists; Olga administers it, Pieter is a plain member."""
        chat = {"id": self.staff_chat, "type": "supergroup", "title": "Pitch team"}
        self.post("/client/registerChat", {"chat": chat})
        members = [
            {"user_id": OLGA, "status": "administrator", "user": {"first_name": "Olga"}},
            {"user_id": PIETER, "status": "member", "user": {"first_name": "Pieter"}},
        ]
        self.post("/client/setChatMembers", {"chat_id": self.staff_chat, "members": members})

    def polls(self) -> int:
        calls = self.post("/client/botCalls", {"token": self.token, "method": "getUpdates"})
        return len(calls)

    def launch(self, *args: str, env: dict[str, str] | None = None) -> Any:
        """Start `pitchbot <args>` (logging to the next bot-N.log); not waiting for it."""
        self.starts += 1
        log = self.folder / f"bot-{self.starts}.log"
        cmd = [sys.executable, "-m", "cli.main", *args]
        process = client_module().BotProcess(
            cmd, env={**self.env(), **(env or {})}, cwd=self.folder, log_path=log, inherit_env=False
        )
        return process.start()

    def start(self) -> Any:
        """Start `pitchbot run` and wait until it long-polls the emulator."""
        assert self.process is None or not self.process.alive(), "already running"
        before = self.polls()
        self.process = self.launch("run")
        deadline = time.monotonic() + START_TIMEOUT
        while self.polls() <= before:
            if not self.process.alive():
                pytest.fail(f"the bot exited at start-up:\n{self.process.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the bot did not poll within {START_TIMEOUT}s:\n{self.log_tail()}")
            time.sleep(0.05)
        return self.process

    def terminate(self) -> int:
        """SIGTERM, as a service manager stops it; the exit code."""
        proc = self.process.proc
        proc.send_signal(signal.SIGTERM)
        try:
            return int(proc.wait(STOP_TIMEOUT))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            pytest.fail(f"the bot ignored SIGTERM for {STOP_TIMEOUT}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: the process dies on the spot, as in a power cut or an OOM kill."""
        proc = self.process.proc
        proc.kill()
        proc.wait(STOP_TIMEOUT)

    def stop(self) -> int | None:
        """SIGINT (Ctrl-C); the exit code, None if it never ran."""
        if self.process is None:
            return None
        return self.process.stop(STOP_TIMEOUT)  # type: ignore[no-any-return]

    def busiest_group_minute(self) -> int:
        """The most calls into the staff group that the bot's rate limiter paces (sends,
        copies, edits; not getChat or member checks) within any 60 seconds."""
        calls = self.post("/client/botCalls", {"token": self.token})
        times = sorted(
            c["time"] / 1000
            for c in calls
            if str(c["params"].get("chat_id")) == str(self.staff_chat) and sends(c["method"])
        )
        return max((sum(1 for t in times if s <= t < s + 60) for s in times), default=0)

    def log(self) -> str:
        """Everything every process of this deployment logged so far."""
        logs = sorted(self.folder.glob("bot-*.log"), key=lambda p: int(p.stem.split("-")[1]))
        return "\n".join(path.read_text(errors="replace") for path in logs)

    def log_tail(self, lines: int = 60) -> str:
        return self.process.log_tail(lines) if self.process is not None else "(not started)"


def deploy(emulator: Any, folder: Path) -> Deployment:
    number = next(_tokens)
    deployment = Deployment(
        emulator=emulator,
        folder=folder,
        token=f"{4200 + number}:E2E-TOKEN-{number}",
        staff_chat=-100_770_000 - number,
    )
    deployment.set_up_staff_group()
    _DEPLOYED.append(deployment)
    return deployment


def running(deployment: Deployment) -> Iterator[Deployment]:
    """Start the bot; afterwards stop it and insist it stopped cleanly."""
    _RUNNING.append(deployment)
    try:
        deployment.start()
        yield deployment
    finally:
        _RUNNING.remove(deployment)
        alive = deployment.process is not None and deployment.process.alive()
        code = deployment.stop()
        if alive:
            assert code == 0, f"the bot exited with {code}:\n{deployment.log_tail()}"
        assert not problems_in(deployment.log()), deployment.log()[-4000:]


GROUP_LIMIT = 20
"""Messages a minute the bot's rate limiter lets into one group; more would be held back."""


@pytest.fixture(scope="module")
def bot(emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """The module's bot: one process on its own token, staff group and database."""
    deployment = deploy(emulator, tmp_path_factory.mktemp("bot"))
    yield from running(deployment)
    busiest = deployment.busiest_group_minute()
    assert busiest <= GROUP_LIMIT, (
        f"{busiest} calls to the staff group in one minute: the rate limiter holds back all "
        f"over {GROUP_LIMIT}, so waits may time out; give some tests a bot of their own"
    )


@pytest.fixture
def own_bot(emulator: Any, tmp_path: Path) -> Iterator[Deployment]:
    """A bot for this test alone (it is stopped, broken or restarted on purpose)."""
    yield from running(deploy(emulator, tmp_path))


@pytest.fixture(scope="session", autouse=True)
def no_token_in_any_output() -> Iterator[None]:
    """When the session ends, every bot process has stopped: nothing any of them wrote
    (stdout and stderr, every start of every deployment) holds a token of the session,
    whole or its secret half."""
    yield
    tokens = {part for d in _DEPLOYED for part in (d.token, d.token.partition(":")[2])}
    logs = [path for d in _DEPLOYED for path in sorted(d.folder.glob("bot-*.log"))]
    kept = {id(d): len(list(d.folder.glob("bot-*.log"))) for d in _DEPLOYED}
    assert all(kept[id(d)] == d.starts for d in _DEPLOYED), "the output of every start"
    found = [
        f"{path}: {token}"
        for path in logs
        for token in sorted(tokens)
        if token in path.read_text(errors="replace")
    ]
    assert not found, f"a token in the bot's output: {found}"


PROBLEMS = (" ERROR ", " CRITICAL ", "Traceback")
"""Log lines that mean an update, a job or the process itself failed."""


@pytest.fixture(autouse=True)
def nothing_failed_in_the_bot() -> Iterator[None]:
    """A test fails when the bot logged an error meanwhile, even if every person was
    answered (a failed card job, an update that crashed after its reply)."""
    seen = {id(d): len(d.log()) for d in _RUNNING}
    yield
    for deployment in _RUNNING:
        fresh = deployment.log()[seen.get(id(deployment), 0) :]
        assert not problems_in(fresh), f"the bot logged problems:\n{fresh[-4000:]}"


def problems_in(log: str) -> list[str]:
    return [line for line in log.splitlines() if any(p in line for p in PROBLEMS)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing test shows the bot's log tail (and the emulator's)."""
    report = yield
    if report.failed and (_RUNNING or _EMULATORS):
        for deployment in _RUNNING:
            report.sections.append((f"bot log tail ({deployment.token})", deployment.log_tail()))
        for emulator in _EMULATORS:
            report.sections.append(("emulator log tail", emulator.log_tail(30)))
    return report


# --- people ----------------------------------------------------------------------------------


@dataclass
class People:
    """Simulated people talking to one deployment, and what they see."""

    client: Any
    deployment: Deployment

    def pitcher(self, name: str = "Anna", language_code: str = "nl", **kwargs: Any) -> Any:
        """Someone new, in their private chat with the bot."""
        return client_module().FakeUser(
            self.client, name, language_code=language_code, default_timeout=10.0, **kwargs
        )

    async def returning(self, name: str, user_id: int, **kwargs: Any) -> Any:
        """Someone who talked to the bot before: earlier messages count as read."""
        person = self.pitcher(name, user_id=user_id, username=name.lower(), **kwargs)
        await person.skip_existing()
        return person

    async def olga(self) -> Any:
        """Olga, staff by id, in her private chat with the bot."""
        return await self.returning("Olga", OLGA)

    async def pieter(self) -> Any:
        """Pieter, staff as a member of the staff group, in his private chat."""
        return await self.returning("Pieter", PIETER)

    async def in_group(self, name: str, user_id: int) -> Any:
        """Someone in the staff group (reads every bot message posted there)."""
        chat = {"id": self.deployment.staff_chat, "type": "supergroup", "title": "Pitch team"}
        return await self.returning(name, user_id, chat=chat)

    async def group_messages(self) -> list[dict[str, Any]]:
        return list(await self.client.messages(self.deployment.staff_chat))

    async def group_message(self, contains: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for a bot message in the staff group whose text contains ``contains``."""

        async def found() -> dict[str, Any] | None:
            return next((m for m in await self.group_messages() if contains in body(m)), None)

        message: dict[str, Any] = await self.client.wait_until(
            found, timeout, f"a message in the staff group containing {contains!r}"
        )
        return message

    async def card(self, reference: str) -> dict[str, Any]:
        """The pitch card of ``reference`` in the staff group."""
        return await self.group_message(f"📬 {reference}")


@asynccontextmanager
async def meet(deployment: Deployment) -> AsyncIterator[People]:
    """An emulator client for the deployment's token, and the people using it."""
    client = client_module().EmulatorClient(deployment.emulator.url, token=deployment.token)
    async with client:
        yield People(client, deployment)


@pytest.fixture
async def people(bot: Deployment) -> AsyncIterator[People]:
    async with meet(bot) as found:
        yield found


# --- what the bot says -------------------------------------------------------------------------


def says(language: str, key: str, **values: Any) -> str:
    """A catalogue text as a person reads it (tags dropped, values verbatim)."""
    return CATALOG.render_plain(language, text(key, **values))


def prompt(key: str, language: str) -> str:
    question = FLOW.question(key)
    assert question is not None
    return question.texts[language].prompt


def body(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


def buttons(message: dict[str, Any]) -> list[str]:
    """Callback data of the message's inline buttons, row by row."""
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]


# --- a pitch, as a person types it -------------------------------------------------------------

ANSWERS: dict[str, dict[str, str]] = {
    "nl": {**scenario.ANSWERS["nl"], "municipality": "Antwerpen"},
    "fr": {
        **scenario.ANSWERS["fr"],
        "municipality": "Anvers",
        "name": "Anne Lambert",
        "contact": "anne@exemple.be",
    },
}
"""Typed answers long enough, and specific enough, that no follow-up question comes."""

PICKS: dict[str, tuple[int, ...]] = {**scenario.PICKS, "contact": (0,)}
"""Which option buttons are pressed (by position) when the answer is not typed; optional
questions with neither are skipped."""

KEYS = [q.key for q in FLOW.questions]


async def consent(person: Any, language: str = "nl") -> dict[str, Any]:
    """/start and agree; returns the first question."""
    await person.send_command("/start")
    welcome = await person.next_message(says(language, "consent").splitlines()[0])
    assert f"consent:yes:{language}" in buttons(welcome), welcome
    await person.press(welcome, f"consent:yes:{language}")
    return await person.next_message(prompt(KEYS[0], language))


async def press_and_wait(person: Any, message: dict[str, Any], data: str) -> str:
    """Press a button and wait until the bot answered the press; the toast text."""
    query = await person.press(message, data)
    answer = await person.callback_answer(query)
    return str(answer.get("text") or "")


async def answer(
    person: Any, question: dict[str, Any], key: str, language: str, answers: dict[str, str]
) -> int | None:
    """Answer the question shown in ``question`` the way a person would; the id of the
    message typed, if one was."""
    asked = FLOW.question(key)
    assert asked is not None
    assert prompt(key, language) in body(question), (key, body(question))
    if key in answers:
        return int((await person.send_text(answers[key]))["message_id"])
    if asked.kind is Kind.MULTI_CHOICE:
        for position, index in enumerate(PICKS[key], start=1):
            await press_and_wait(person, question, f"tog:{key}:{index}")
            await wait_edits(person, question, position)
        await person.press(question, f"done:{key}")
    elif asked.is_choice or key in PICKS:
        await person.press(question, f"opt:{key}:{PICKS[key][0]}")
    else:
        assert not asked.required, f"no answer for required question {key}"
        await person.press(question, f"skip:{key}")
    return None


async def wait_edits(person: Any, message: dict[str, Any], edits: int) -> dict[str, Any]:
    """Wait until the bot has edited ``message`` at least ``edits`` times."""

    async def edited() -> dict[str, Any] | None:
        for shown in await person.bot_messages():
            if shown["message_id"] == message["message_id"] and shown.get("edit_count", 0) >= edits:
                return dict(shown)
        return None

    result: dict[str, Any] = await person.client.wait_until(
        edited, 10.0, f"{edits} edit(s) of message {message['message_id']}"
    )
    return result


async def answer_questions(
    person: Any,
    question: dict[str, Any],
    language: str = "nl",
    *,
    start: str | None = None,
    stop: str | None = None,
    answers: dict[str, str] | None = None,
    typed: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Answer from ``start`` up to (not including) ``stop``; returns the bot's next
    message: the question ``stop``, or the first part of the review card. ``typed``
    collects the ids of the messages typed, by question."""
    answers = ANSWERS[language] if answers is None else answers
    first = KEYS.index(start) if start else 0
    last = KEYS.index(stop) if stop else len(KEYS)
    for key in KEYS[first:last]:
        sent = await answer(person, question, key, language, answers)
        if sent is not None and typed is not None:
            typed[key] = sent
        question = await person.next_message()
    return question


async def review_card(person: Any, first: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """The review card, which may take several messages: the last one has the buttons."""
    assert says(language, "review_title") in body(first), body(first)
    parts = [first]
    while "send" not in buttons(parts[-1]):
        parts.append(await person.next_message())
    return parts


async def send_pitch(
    person: Any, language: str = "nl", answers: dict[str, str] | None = None
) -> tuple[str, dict[str, Any]]:
    """A new pitcher agrees, answers every question and sends: the reference and the
    bot's confirmation."""
    question = await consent(person, language)
    first = await answer_questions(person, question, language, answers=answers)
    card = await review_card(person, first, language)
    await person.press(card[-1], "send")
    confirmation = await person.next_message(says(language, "submitted", reference="")[:20])
    reference = reference_in(body(confirmation))
    await pitch_document(person, reference, language)
    return reference, confirmation


async def pitch_document(person: Any, reference: str, language: str = "nl") -> list[str]:
    """The PDF of ``reference`` the pitcher gets next (after the thank-you, or when they
    ask under /mypitches), downloaded from Telegram: the text of each page."""
    message = await person.next_message(reference, kind="document")
    document = message["document"]
    assert document["file_name"] == f"{reference}.pdf", document
    assert document["mime_type"] == "application/pdf", document
    assert body(message) == says(language, "document_caption", reference=reference)
    return pdf_pages(await person.download(document["file_id"]))


def reference_in(message: str) -> str:
    reference = find_reference(message)
    assert reference is not None, message
    return reference
