"""Webhook workers for tests: the real application and its Starlette app, no network.

Updates are posted to the worker's ASGI app as Telegram posts them (one request each,
with the secret header); the application handles them beside the request, as in
production. :meth:`Worker.idle` waits until everything posted was handled.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from telegram.ext import Application

from bot.app import build_application
from bot.inbox import Inbox
from bot.staff.access import StaffGate
from bot.staff.notify import TeamNotifier
from bot.webhook import SECRET_HEADER, Webhook, running
from dialogs.catalog import Catalog
from dialogs.flow import load_flow
from services.conversation import Conversations
from services.received import Received
from storage.database import Database
from tests.bot.conftest import (
    PIETER,
    STAFF_CHAT,
    FakeMonotonic,
    FrozenClock,
    documents_of,
    team_settings,
)
from tests.support.telegram import RecordingRequest

SECRET = "s3cret_for-tests"
URL = "https://bot.example.org/telegram"


@dataclass
class Worker:
    app: Application  # type: ignore[type-arg]
    request: RecordingRequest
    inbox: Inbox
    client: httpx.AsyncClient

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        """Deliver ``update`` as Telegram does: the HTTP status the worker answered."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        answer = await self.client.post("/telegram", json=copy.deepcopy(update), headers=headers)
        return answer.status_code

    async def idle(self) -> None:
        """Every update posted so far was handled, and the staff group's outbox sent."""
        await self.app.update_queue.join()
        await notifier_of(self.app).sending.settled()
        await documents_of(self.app).sending.settled()


def notifier_of(app: Application) -> TeamNotifier:  # type: ignore[type-arg]
    """The staff group's sender, as the repeating job holds it."""
    assert app.job_queue is not None
    found = [j.callback for j in app.job_queue.jobs() if j.name == "retry_job"]
    sender = getattr(found[0], "__self__", None) if len(found) == 1 else None
    assert isinstance(sender, TeamNotifier)
    return sender


@asynccontextmanager
async def worker(database: Database, clock: FrozenClock) -> AsyncIterator[Worker]:
    """One `pitchbot run --webhook` process on ``database``, started and stopped."""
    settings = team_settings(webhook_url=URL, webhook_secret=SECRET)
    request = RecordingRequest()
    request.members[(STAFF_CHAT, PIETER)] = "member"
    conversations = Conversations(database, load_flow(), clock=clock)
    inbox = Inbox(Received(database, clock))
    app = build_application(
        settings,
        conversations,
        Catalog.load(),
        request=request,
        gate=StaffGate(settings.staff_ids, settings.staff_chat_id, clock=FakeMonotonic()),
        rate_limit=False,
        inbox=inbox,
        webhook=True,
    )
    hook = Webhook(app, inbox, database, path="/telegram", secret=SECRET)
    async with AsyncExitStack() as stack:
        transport = httpx.ASGITransport(app=hook.app)
        client = httpx.AsyncClient(transport=transport, base_url="http://worker")
        await stack.enter_async_context(client)
        await stack.enter_async_context(running(app, hook, URL))
        yield Worker(app, request, inbox, client)
