"""No update lost to a crash: each fetched batch is stored before Telegram hears of it.

python-telegram-bot confirms a batch to Telegram (the next ``getUpdates`` offset) before
its handlers have run it, so a hard kill used to drop whatever was queued. Here the
``getUpdates`` answer passes through :class:`InboxRequest`, which stores the batch in
the database (:mod:`storage.updates`) before python-telegram-bot sees it and asks for
the next one. An update leaves the inbox once its handlers are done (deleted with the
next batch); whatever is still there at start is replayed, oldest first. Handlers
already guard against running an update twice (the claims), so a replay of an update
that was handled just before the crash changes nothing.

An update the library cannot read would otherwise fail every ``getUpdates`` forever:
it is logged once, by id, and handed on as an empty update, so polling moves past it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.logs import ids
from bot.ordering import ordering_key
from services.received import Received
from storage.database import unreachable

log = logging.getLogger(__name__)

GIVE_UP_AFTER = 3
"""Starts that may replay an update: one that crashed the bot three times is dropped."""


class Inbox:
    """The fetched updates not yet handled, in the database and in this process."""

    def __init__(self, received: Received) -> None:
        self.received = received
        self.fetched = False
        """Whether a ``getUpdates`` answered here yet (see :mod:`bot.instances`)."""
        self.bot: Bot | None = None
        """The bot webhook updates are read for (set once the application is built)."""
        self._handled: set[int] = set()
        self._stand_ins: set[int] = set()
        """Ids handed on empty because the inbox replays them: their end says nothing."""

    def handled(self, update: object) -> None:
        """Its handlers are done (whatever they did): it leaves with the next batch."""
        if not isinstance(update, Update):
            return
        if update.update_id in self._stand_ins:  # the replayed update may still be running
            self._stand_ins.discard(update.update_id)
            return
        self._handled.add(update.update_id)

    async def keep(self, answer: bytes) -> bytes:
        """Store the updates of a ``getUpdates`` answer; the answer as the bot may read it."""
        body = json.loads(answer)
        batch = body.get("result") if body.get("ok") else None
        if not isinstance(batch, list):
            return answer
        self.fetched = True
        readable, keys = _readable(batch)
        try:
            new = await self._store(readable, keys)
        except Exception as error:
            if not unreachable(error):
                raise
            # The database is down. Kept back, these updates would come again and again,
            # and nobody would hear a thing; handed on unkept, each fails in its handler
            # and its person is asked to send it again in a moment (bot.errors).
            log.warning("database unreachable: %d update(s) go on unkept", len(readable))
            body["result"] = readable
            return json.dumps(body).encode()
        # fetched again after a crash: already replayed from the inbox, so only its id
        # goes on (the offset must move past it)
        again = {u["update_id"] for u in readable} - new
        self._stand_ins |= again
        body["result"] = [u if u["update_id"] not in again else _empty(u) for u in readable]
        return json.dumps(body).encode()

    async def flush(self) -> None:
        """At a clean stop: forget what was handled, so the next start replays nothing."""
        await self._store([])

    async def take(self, posted: object) -> Update | None:
        """A webhook's update: kept before Telegram hears it arrived; the update to handle,
        or None when it is no update or was received before (Telegram delivered it again
        after a timeout: it is being handled, or replayed after a crash)."""
        if not isinstance(posted, dict) or not isinstance(posted.get("update_id"), int):
            return None
        (update,), keys = _readable([posted])
        if not await self._store([update], keys):
            return None
        return Update.de_json(update, self.bot)

    async def _store(
        self, batch: list[dict[str, Any]], keys: dict[int, int] | None = None
    ) -> set[int]:
        """Keep ``batch`` and forget what was handled since, in one transaction; the ids
        new to the inbox. An idle long poll (nothing to keep or forget) writes nothing."""
        handled = set(self._handled)
        if not batch and not handled:
            return set()
        new = await self.received.keep(batch, handled, keys)
        self._handled -= handled
        return new

    async def replay(self, application: Application) -> None:  # type: ignore[type-arg]
        """Queue what the last run fetched but did not finish, before polling starts."""
        waiting, given_up = await self.received.unhandled(GIVE_UP_AFTER)
        if given_up:
            log.error(
                "gave up %d update(s) that failed %d starts in a row", given_up, GIVE_UP_AFTER
            )
        if waiting:
            log.info("replaying %d update(s) fetched before the last stop", len(waiting))
        for payload in waiting:
            update = Update.de_json(payload, application.bot)
            await application.update_queue.put(update)


def _readable(batch: list[Any]) -> tuple[list[dict[str, Any]], dict[int, int]]:
    """The updates, each as fetched or only its id when the library cannot read it
    (logged, once); and each one's turn (its chat, else its user) by update id."""
    readable, keys = [], {}
    for update in batch:
        try:
            key = ordering_key(Update.de_json(update, None))
        except Exception as error:  # noqa: BLE001 - any parse failure: skip, never wedge
            kinds = sorted(key for key in update if key != "update_id")
            log.error(
                "skipped update %s (%s): it could not be read (%s)",
                update.get("update_id"),
                ", ".join(kinds),
                type(error).__name__,
                extra=ids(update_id=update.get("update_id")),
            )
            readable.append(_empty(update))
            continue
        readable.append(update)
        if key is not None:
            keys[update["update_id"]] = key
    return readable, keys


def _empty(update: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": update["update_id"]}


class InboxRequest(BaseRequest):
    """The ``getUpdates`` connection, with every answer stored in the inbox first."""

    def __init__(self, inner: BaseRequest, inbox: Inbox) -> None:
        self.inner = inner
        self.inbox = inbox

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, answer = await self.inner.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if code == 200 and url.endswith("/getUpdates"):
            answer = await self.inbox.keep(answer)
        return code, answer
