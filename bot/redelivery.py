"""Answers that did not reach a person are made good: retried, then shown when they write.

When Telegram is unreachable or too busy (a 5xx, a network error or timeout, RetryAfter
beyond what the rate limiter retries), the handler does not keep the person's turn: it
queues "where they were" in the outbox (:meth:`Conversations.owe`) and moves on. This
sender tries it after :data:`BACKOFF` seconds, each time longer; the message is rebuilt
from the stored state at that moment, so it is never stale. After the last try it waits
for the person: their next message is answered with where they were first (see
:meth:`Conversations.handle`). The outbox is in the database, so a crash during an
outage loses none of it.

A draft's one reminder (:mod:`services.reminders`) is queued in the same stream and sent
here, built from the draft as it is then; one that became moot is dropped, and one found
at night waits for the morning.

What the team tells a person (a /reply message, news of their pitch, the confirmation of
an erasure) is kept the same way when Telegram cannot take it (:meth:`Redelivery.tell`)
and tried on the same schedule; a team message is marked delivered once it arrives.

A timeout after which Telegram did deliver can still show the person their question
twice; the message says why ("my last message may not have reached you").
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes, JobQueue

from bot.background import Background
from bot.logs import ids
from bot.sending import send_replies
from dialogs.catalog import Catalog
from dialogs.replies import Reply, text_data, text_from_data
from services.conversation import Conversations
from services.deliveries import Deliveries
from services.leases import Leases
from services.reminders import Reminders
from storage.outbox import Queued

log = logging.getLogger(__name__)

BACKOFF = (2, 5, 15, 30, 60, 120)
"""Seconds before each next try; after the last one the person's next message does it."""

PEOPLE_OUTBOX = "people outbox"
"""The lease of sending what people are owed: one worker at a time, none twice."""
LOOKS = 3
"""Rounds of taking the lease, sending and giving it back, while more keeps coming."""

TRANSIENT = (NetworkError, RetryAfter)
"""Failures worth trying again: 5xx, network errors and timeouts, too many requests."""


class Redelivery:
    """Sends what people are owed, backing off, one message per chat."""

    def __init__(
        self,
        conversations: Conversations,
        catalog: Catalog,
        reminders: Reminders | None = None,
    ) -> None:
        self.conversations = conversations
        self.reminders = reminders or Reminders(
            conversations.database, conversations.flow, clock=conversations.clock
        )
        self.deliveries = Deliveries(conversations.database, conversations.clock)
        self.catalog = catalog
        self.sending = Background(self.send_owed)
        self.leases = Leases(conversations.database, conversations.clock)
        self.job_queue: JobQueue | None = None  # type: ignore[type-arg]

    async def owe(self, chat_id: int, reference: str | None) -> None:
        """The answer to this chat did not get through: make it good later."""
        await self.conversations.owe(chat_id, reference)
        log.warning(
            "could not answer chat %s; where they were will be sent again",
            chat_id,
            extra=ids(chat_id=chat_id, reference=reference),
        )
        self._schedule(BACKOFF[0])

    async def send_owed(self, bot: Bot) -> int:
        """Send every owed message whose time has come; schedule the next try."""
        sent = 0
        for _ in range(LOOKS):  # as the staff group's sender: look again once given back
            async with self.leases.held(PEOPLE_OUTBOX) as ours:
                self.sending.wake_again()
                while ours and self.sending.woken():  # not ours: another worker sends them
                    for message in await self.deliveries.due(len(BACKOFF)):
                        sent += await self._send(bot, message)
                    ours = await self.leases.renew(PEOPLE_OUTBOX)
            if not ours or not self.leases.needed or not await self.deliveries.due(len(BACKOFF)):
                break
        upcoming = await self.deliveries.next_try(len(BACKOFF))
        if upcoming is not None:
            self._schedule((upcoming - self.conversations.clock()).total_seconds())
        return sent

    async def _send(self, bot: Bot, message: Queued) -> int:
        chat_id = message.chat_id or 0
        replies: tuple[Reply, ...]
        if message.kind == "remind":
            shown = await self.reminders.shown(message)
            if isinstance(shown, datetime):
                await self.reminders.postpone(message, shown)
                return 0
            if shown is None:
                await self._done(message)  # sent, deleted, touched or stopped meanwhile
                return 0
            language, replies = shown.language, (shown.reply,)
        elif message.kind == "tell":
            language = str(message.payload.get("language", ""))
            blocks = message.payload.get("blocks", [])
            replies = (Reply(tuple(text_from_data(b) for b in blocks)),)
        else:
            response = await self.conversations.where_they_were(chat_id, message.payload)
            if response is None or chat_id not in self.conversations.owed:
                await self._done(message)  # gone, or they wrote meanwhile and saw it then
                return 0
            language, replies = response.language, response.replies
        try:
            await send_replies(bot, self.catalog, chat_id, language, replies)
        except TRANSIENT as error:
            wait = BACKOFF[min(message.attempts + 1, len(BACKOFF) - 1)]
            at = self.conversations.clock() + timedelta(seconds=wait)
            await self.deliveries.retry_later(message, at)
            log.info(
                "chat %s still unreachable (%s); next try in %d s",
                chat_id,
                error,
                wait,
                extra=ids(chat_id=chat_id),
            )
            return 0
        except TelegramError as error:  # blocked, or gone: nothing more to try
            log.info(
                "chat %s cannot be answered (%s); not trying again",
                chat_id,
                error,
                extra=ids(chat_id=chat_id),
            )
            await self._done(message)
            return 0
        await self._done(message, delivered=True)
        return 1

    async def _done(self, message: Queued, *, delivered: bool = False) -> None:
        await self.deliveries.done(message, delivered=delivered)
        if message.kind == "resume":
            self.conversations.owed.discard(message.chat_id or 0)

    async def tell(
        self, chat_id: int, language: str, reply: Reply, event_id: int | None = None
    ) -> None:
        """What the team said to a person did not get through: send it again later.

        Only plain replies are kept (catalogue keys and values, nested texts too; no
        buttons); a team message's event is marked delivered once it arrives."""
        blocks = [text_data(block) for block in reply.blocks]
        payload = {"language": language, "blocks": blocks}
        await self.deliveries.keep(chat_id, payload, event_id)
        log.warning(
            "could not reach chat %s for the team; it will be tried again",
            chat_id,
            extra=ids(chat_id=chat_id),
        )
        self._schedule(BACKOFF[0])

    def _schedule(self, seconds: float) -> None:
        if self.job_queue is not None:
            self.job_queue.run_once(self._due, when=max(0.0, seconds), name="redelivery")

    async def _due(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.sending.wake(context.bot)
        try:
            await self.sending.settled()
        except asyncio.CancelledError:  # the job queue's stop cancels a job that runs
            log.info("stopped while sending owed messages; the rest go at the next start")
