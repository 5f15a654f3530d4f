"""Fixtures for the Telegram side: a real Application on the test database, no network."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.documents import PitchDocuments
from bot.pitcher import PitcherHandlers
from bot.settings import Settings
from bot.staff.access import StaffGate
from bot.staff.notify import TeamNotifier
from dialogs.catalog import Catalog
from dialogs.flow import load_flow
from services.conversation import Conversations
from storage.database import Database
from tests.support.telegram import GroupChat, PrivateChat, RecordingRequest, Sent

TOKEN = "123456:TEST-TOKEN-never-logged"


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def documents_of(app: Application) -> PitchDocuments:  # type: ignore[type-arg]
    """The pitchers' PDF sender, as the pitch conversation's handlers hold it."""
    for handlers in app.handlers.values():
        for handler in handlers:
            owner = getattr(handler.callback, "__self__", None)
            if isinstance(owner, PitcherHandlers):
                return owner.documents
    raise AssertionError("the pitch conversation's handlers are not registered")


@dataclass
class BotHarness:
    """A running application plus what a test needs to drive and rebuild it."""

    app: Application  # type: ignore[type-arg]
    request: RecordingRequest
    database: Database
    clock: FrozenClock

    async def settle(self) -> None:
        """Let the PDF of a pitch go out (it is sent beside the handlers)."""
        await documents_of(self.app).sending.settled()

    def chat(self, **kwargs: object) -> PrivateChat:
        kwargs.setdefault("settle", self.settle)
        return PrivateChat(self.app, self.request, **kwargs)  # type: ignore[arg-type]


def settings_for_tests() -> Settings:
    return Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN)  # type: ignore[call-arg]


def make_app(database: Database, clock: FrozenClock) -> tuple[Application, RecordingRequest]:  # type: ignore[type-arg]
    request = RecordingRequest()
    conversations = Conversations(database, load_flow(), clock=clock)
    app = build_application(settings_for_tests(), conversations, Catalog.load(), request=request)
    return app, request


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def harness(database: Database, clock: FrozenClock) -> AsyncIterator[BotHarness]:
    app, request = make_app(database, clock)
    async with app:
        yield BotHarness(app, request, database, clock)


RebuildApp = Callable[[], BotHarness]


# --- the team's side: staff ids, a staff group, a membership clock -------------------------

STAFF_CHAT = -100777
"""The staff supergroup."""
OLGA = 7001
"""Staff by configuration (PITCHBOT_STAFF_IDS)."""
PIETER = 7002
"""Staff because he is a member of the staff group."""
STRANGER = 9009
"""Neither: a curious member of the public."""


class FakeMonotonic:
    """The staff gate's clock (seconds), moved by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def team_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "staff_ids": frozenset({OLGA}),
        "staff_chat_id": STAFF_CHAT,
        "digest_hour": None,  # tests/bot/test_digest.py turns it on
    }
    return Settings(  # type: ignore[call-arg]
        _env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, **(values | overrides)
    )


def make_team_app(
    database: Database,
    clock: FrozenClock,
    monotonic: FakeMonotonic,
    *,
    rate_limit: bool = False,
    **settings_overrides: object,
) -> tuple[Application, RecordingRequest, StaffGate]:  # type: ignore[type-arg]
    """The bot with a team: OLGA by id, the staff group's members, a gate on ``monotonic``."""
    settings = team_settings(**settings_overrides)
    request = RecordingRequest()
    request.members[(STAFF_CHAT, PIETER)] = "member"
    gate = StaffGate(settings.staff_ids, settings.staff_chat_id, clock=monotonic)
    conversations = Conversations(database, load_flow(), clock=clock)
    app = build_application(
        settings, conversations, Catalog.load(), request=request, gate=gate, rate_limit=rate_limit
    )
    return app, request, gate


@dataclass
class TeamHarness:
    """The bot as the team and its pitchers meet it."""

    app: Application  # type: ignore[type-arg]
    request: RecordingRequest
    database: Database
    clock: FrozenClock
    monotonic: FakeMonotonic
    gate: StaffGate

    @property
    def sender(self) -> TeamNotifier:
        """The staff group's sender, as the repeating job holds it."""
        assert self.app.job_queue is not None
        found = [j.callback for j in self.app.job_queue.jobs() if j.name == "retry_job"]
        sender = getattr(found[0], "__self__", None) if len(found) == 1 else None
        assert isinstance(sender, TeamNotifier)
        return sender

    async def settle(self) -> None:
        """Let the staff group's sender post what it can now, and a pitcher's PDF go out
        (both run beside the handlers)."""
        await self.sender.sending.settled()
        await documents_of(self.app).sending.settled()

    def pitcher(
        self, user_id: int = 1001, first_name: str = "Anna", language_code: str = "nl"
    ) -> PrivateChat:
        return PrivateChat(
            self.app,
            self.request,
            user_id,
            first_name,
            language_code,
            username=None,
            settle=self.settle,
        )

    def private(
        self, user_id: int, first_name: str, username: str | None = None, language_code: str = "nl"
    ) -> PrivateChat:
        """A staff member (or anyone) in a private chat with the bot."""
        return PrivateChat(
            self.app,
            self.request,
            user_id,
            first_name,
            language_code,
            username=username,
            settle=self.settle,
        )

    def in_group(self, user_id: int, first_name: str, username: str | None = None) -> GroupChat:
        """Someone writing in the staff group."""
        return GroupChat(
            self.app,
            self.request,
            STAFF_CHAT,
            user_id,
            first_name,
            "nl",
            username,
            settle=self.settle,
        )

    def olga(self) -> PrivateChat:
        return self.private(OLGA, "Olga", "olga")

    def pieter(self) -> PrivateChat:
        return self.private(PIETER, "Pieter", "pieter")

    def stranger(self, language_code: str = "nl") -> PrivateChat:
        return self.private(STRANGER, "Sam", "sam", language_code)

    def group_messages(self, since: int = 0) -> list[Sent]:
        """New messages in the staff group (cards redrawn in place are not new)."""
        return [
            m for m in self.request.messages_to(STAFF_CHAT, since) if m.method != "editMessageText"
        ]


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def team(
    database: Database,
    clock: FrozenClock,
    monotonic: FakeMonotonic,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[TeamHarness]:
    """The bot with a team; a test fails if any update crashed on the way."""
    app, request, gate = make_team_app(database, clock, monotonic)
    async with app:
        yield TeamHarness(app, request, database, clock, monotonic, gate)
    crashes = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not crashes, [(r.getMessage(), r.exc_text) for r in crashes]
