"""Fixtures for the Telegram side: a real Application on the test database, no network."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.conversation import Conversations
from bot.settings import Settings
from dialogs.catalog import Catalog
from dialogs.flow import load_flow
from storage.database import Database
from tests.support.telegram import PrivateChat, RecordingRequest

TOKEN = "123456:TEST-TOKEN-never-logged"


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class BotHarness:
    """A running application plus what a test needs to drive and rebuild it."""

    app: Application  # type: ignore[type-arg]
    request: RecordingRequest
    database: Database
    clock: FrozenClock

    def chat(self, **kwargs: object) -> PrivateChat:
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
