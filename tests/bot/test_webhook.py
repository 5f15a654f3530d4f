"""Webhook mode: Telegram posts updates; only with the secret; each handled once; health."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.webhook import HEALTH_PATH, KEEP_JOB, Webhook
from storage.database import Database, create_database
from storage.models import InboxUpdate, Pitcher
from tests.bot.conftest import FrozenClock
from tests.bot.workers import SECRET, URL, Worker, worker
from tests.support.telegram import message_update, plain, press_update

ANNA = 1001


def said_to(w: Worker, chat_id: int) -> list[str]:
    return [plain(p["text"]) for p in w.request.sent() if p.get("chat_id") == chat_id]


async def stored(database: Database, what: Any) -> int:
    async with database.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(what))).scalar_one())


async def test_a_pitcher_is_answered_through_the_webhook(
    database: Database, clock: FrozenClock
) -> None:
    async with worker(database, clock) as w:
        assert await w.post(message_update("/start")) == 200
        await w.idle()
        assert await w.post(press_update("consent:yes:nl")) == 200
        await w.idle()
        said = said_to(w, ANNA)
    assert "privacy" in said[0].lower()
    assert any("1/" in line or "vraag 1" in line.lower() for line in said[1:]), said
    assert w.request.sent("setWebhook")[0]["secret_token"] == SECRET
    assert await stored(database, Pitcher) == 1


async def test_a_request_without_the_right_secret_is_refused_and_changes_nothing(
    database: Database, clock: FrozenClock
) -> None:
    async with worker(database, clock) as w:
        assert await w.post(message_update("/start"), secret=None) == 403
        assert await w.post(message_update("/start"), secret="guessed") == 403
        assert await w.post(message_update("/start"), secret=SECRET + "x") == 403
        await w.idle()
        assert said_to(w, ANNA) == []
    assert await stored(database, InboxUpdate) == 0
    assert await stored(database, Pitcher) == 0


async def test_an_update_delivered_twice_is_handled_once(
    database: Database, clock: FrozenClock
) -> None:
    start = message_update("/start")
    async with worker(database, clock) as w:
        assert await w.post(start) == 200
        await w.idle()
        once = len(said_to(w, ANNA))
        assert await w.post(start) == 200  # Telegram did not hear our 200 and sends it again
        await w.idle()
        assert len(said_to(w, ANNA)) == once == 1


async def test_what_is_not_an_update_is_refused(database: Database, clock: FrozenClock) -> None:
    async with worker(database, clock) as w:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        broken = await w.client.post("/telegram", content=b"{not json", headers=headers)
        assert broken.status_code == 400
        assert await w.post({"no": "update id"}) == 200  # nothing to do: not worth a retry
        await w.idle()
        assert w.request.sent() == []


async def test_an_update_kept_before_a_crash_is_handled_at_the_next_start(
    database: Database, clock: FrozenClock
) -> None:
    """Kept in the inbox, answered 200, then the worker died before handling it."""
    start = message_update("/start")
    async with worker(database, clock) as first:
        assert await first.inbox.take(start) is not None  # kept, never queued: the crash
    assert first.request.sent() == []
    async with worker(database, clock) as second:
        await second.idle()
        assert len(said_to(second, ANNA)) == 1
    assert await stored(database, InboxUpdate) == 0


async def health(database: Database) -> httpx.Response:
    """GET /healthz of a worker on ``database`` (the health check reads nothing else)."""
    hook = Webhook(None, None, database, path="/telegram", secret=SECRET)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=hook.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
        return await client.get(HEALTH_PATH)


async def health_at(url: str) -> httpx.Response:
    database = create_database(url)
    try:
        return await health(database)
    finally:
        await database.dispose()


async def test_health_says_ok_when_the_database_answers_at_the_newest_schema(
    database: Database,
) -> None:
    answer = await health(database)
    assert answer.status_code == 200
    assert answer.json() == {"database": "ok", "schema": "at head"}


async def test_health_fails_on_an_old_schema(tmp_path: Any) -> None:
    answer = await health_at(f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}")
    assert answer.status_code == 503
    assert answer.json() == {"database": "ok", "schema": "behind"}


async def test_health_fails_when_the_database_cannot_be_reached() -> None:
    answer = await health_at("postgresql+asyncpg://pitchbot@127.0.0.1:9/nowhere")
    assert answer.status_code == 503
    assert answer.json()["database"].startswith("unreachable")
    assert answer.json()["schema"] == "unknown"


def test_the_webhook_cannot_take_the_health_checks_path() -> None:
    with pytest.raises(ValueError, match="healthz"):
        Webhook(None, None, None, path=HEALTH_PATH, secret=SECRET)  # type: ignore[arg-type]


async def test_a_worker_takes_the_webhook_back_when_it_was_moved(
    database: Database, clock: FrozenClock
) -> None:
    """A polling run (--replace-webhook) or another deployment took the updates away:
    the worker notices within minutes and has Telegram post to it again."""
    async with worker(database, clock) as w:
        assert w.request.webhook["url"] == URL
        w.request.webhook = {"url": ""}  # deleted by a polling process
        assert w.app.job_queue is not None
        (keep,) = w.app.job_queue.get_jobs_by_name(KEEP_JOB)
        await keep.run(w.app)
        assert w.request.webhook["url"] == URL
        assert w.request.sent("setWebhook")[-1]["secret_token"] == SECRET
