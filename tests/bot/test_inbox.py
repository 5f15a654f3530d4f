"""The inbox: what Telegram handed over is stored before the bot asks for more, and what
was not handled before a stop is replayed at the next start."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.inbox import GIVE_UP_AFTER, Inbox, InboxRequest
from services.received import Received
from storage import updates
from storage.database import Database
from tests.bot.conftest import BotHarness, FrozenClock

URL = "https://api.telegram.org/bot123:SECRET/getUpdates"


def message(update_id: int, text: str = "hallo") -> dict[str, Any]:
    chat = {"id": 1001, "type": "private", "first_name": "Anna"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 1_790_000_000, "chat": chat, "text": text},
    }


class Telegram(BaseRequest):
    """Answers every getUpdates with the next prepared batch."""

    def __init__(self, *batches: list[dict[str, Any]]) -> None:
        self.batches = list(batches)

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *_: Any
    ) -> tuple[int, bytes]:
        return 200, json.dumps({"ok": True, "result": self.batches.pop(0)}).encode()


async def fetch(request: InboxRequest) -> list[dict[str, Any]]:
    """One getUpdates, as python-telegram-bot reads its answer."""
    _, answer = await request.do_request(URL, "POST")
    return list(json.loads(answer)["result"])


async def test_a_batch_is_kept_until_handled_and_a_refetched_update_is_not_handed_on_twice(
    database: Database, clock: FrozenClock
) -> None:
    inbox = Inbox(Received(database, clock))
    first, second = message(1, "mijn idee"), message(2, "mijn droom")
    request = InboxRequest(Telegram([first, second], [second, message(3)], []), inbox)

    assert await fetch(request) == [first, second]
    inbox.handled(Update.de_json(first, None))
    # after a crash Telegram sends 2 again (not confirmed): it is in the inbox already
    stand_in = await fetch(request)
    assert stand_in == [{"update_id": 2}, message(3)]
    inbox.handled(Update.de_json(stand_in[0], None))  # the empty stand-in is done at once
    await fetch(request)

    waiting, _ = await _unhandled(database)
    assert [u["update_id"] for u in waiting] == [2, 3], "1 was handled and is gone; 2 stays"


async def _unhandled(database: Database) -> tuple[list[dict[str, Any]], int]:
    async with database.transaction() as session:
        return await updates.unhandled(session, GIVE_UP_AFTER)


async def test_an_update_the_library_cannot_read_is_skipped_not_fetched_forever(
    database: Database, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    broken = message(7, "Mijn adres is Kerkstraat 1")
    del broken["message"]["date"]
    request = InboxRequest(
        Telegram([message(6), broken, message(8)]), Inbox(Received(database, clock))
    )

    fetched = await fetch(request)

    assert fetched == [message(6), {"update_id": 7}, message(8)], "polling moves past it"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["skipped update 7 (message): it could not be read (KeyError)"]
    assert "Kerkstraat" not in caplog.text and "SECRET" not in caplog.text


async def test_what_was_not_handled_is_replayed_at_start_and_poison_is_given_up(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox(Received(harness.database, harness.clock))
    request = InboxRequest(Telegram([message(41, "een"), message(42, "twee")]), inbox)
    await fetch(request)

    for start in range(GIVE_UP_AFTER):
        await inbox.replay(harness.app)
        queued = [harness.app.update_queue.get_nowait() for _ in range(2)]
        assert [u.update_id for u in queued] == [41, 42], f"start {start + 1}: oldest first"
        assert queued[0].message is not None and queued[0].message.text == "een"

    await inbox.replay(harness.app)

    assert harness.app.update_queue.empty(), "crashed the bot three starts in a row: dropped"
    assert "gave up 2 update(s) that failed 3 starts in a row" in caplog.text


async def test_an_update_with_broken_text_is_kept_like_any_other(
    database: Database, clock: FrozenClock
) -> None:
    """A NUL or a lone surrogate in a message (cleaned later, where text comes in) must
    not make the inbox refuse the whole batch, on either database."""
    odd = message(9, "nul\x00 en \ud800 half")
    request = InboxRequest(Telegram([odd, message(10)]), Inbox(Received(database, clock)))

    assert await fetch(request) == [odd, message(10)]

    waiting, _ = await _unhandled(database)
    assert [u["update_id"] for u in waiting] == [9, 10]
    assert waiting[0]["message"]["text"] == "nul\x00 en \ud800 half"


class Unreachable(Received):
    """The inbox's database, down: every write fails as a refused connection does."""

    async def keep(self, *_: Any, **__: Any) -> set[int]:
        raise ConnectionRefusedError(111, "Connect call failed")


async def test_with_the_database_down_a_batch_goes_on_unkept_so_people_hear_something(
    database: Database, clock: FrozenClock
) -> None:
    """Kept back, the batch would be fetched again and again in silence; handed on, each
    update fails in its handler, which asks its person to send it again."""
    inbox = Inbox(Unreachable(database, clock))
    request = InboxRequest(Telegram([message(70), message(71)]), inbox)
    assert [u["update_id"] for u in await fetch(request)] == [70, 71]
    async with database.sessions() as session:
        assert await updates.unhandled(session, GIVE_UP_AFTER) == ([], 0)
