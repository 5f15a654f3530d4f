"""Messages between the team and pitchers; the staff group's outbox, sent in order.

Everything for the staff group (a new pitch's card, a pitcher's message, a notice) is
queued in the outbox by the unit of work that caused it (:mod:`storage.outbox`). The
handler only wakes the sender and answers its person at once; the sender posts the
queue oldest first, one message at a time, at the pace python-telegram-bot's rate
limiter allows the group (about 20 a minute). When many cards wait at once (a burst),
the team first gets one line saying how many are on their way and that /new lists them.

An unreachable group stops the sender (logged once per message) until the repeating
job wakes it again; a message Telegram refuses for itself (a bad request) is tried
:data:`MAX_ATTEMPTS` times, then dropped with an error in the log, so it never blocks
the messages behind it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.background import Background
from bot.logs import ids
from bot.redelivery import TRANSIENT, Redelivery
from bot.render import render
from bot.sending import send_replies
from bot.staff import cards, digest
from bot.staff.callbacks import Show, Write, encode
from bot.staff.topics import ForumTopics, gone
from dialogs.catalog import Catalog
from dialogs.flow import Flow
from dialogs.languages import known
from dialogs.replies import Button, Reply, text, text_from_data
from dialogs.threads import REPLY_MARK
from services.leases import Leases
from services.outcomes import Delivery, PitchFile, Tell
from services.posting import Posting
from storage.models import CLOSED_STATUSES
from storage.outbox import Queued

log = logging.getLogger(__name__)

STAFF_OUTBOX = "staff outbox"
"""The lease of posting the staff group's outbox: one worker at a time, in order."""
LOOKS = 3
"""Rounds of taking the lease, posting and giving it back, while more keeps coming."""

BURST = 5
"""This many cards waiting at once is a burst: the team is told first how many come."""
BURST_QUIET = timedelta(minutes=5)
"""At most one burst line in this time: a burst still arriving is not announced twice."""
MAX_ATTEMPTS = 3
"""Tries of a message Telegram refuses for itself before it is dropped."""


class TeamNotifier:
    """Posts the staff group's outbox, and tells pitchers on behalf of the team."""

    def __init__(
        self,
        posting: Posting,
        catalog: Catalog,
        flow: Flow,
        staff_chat_id: int | None,
        language: str,
        redelivery: Redelivery,
        *,
        digest_hour: int | None = None,
        waiting_days: int = 3,
        leases: Leases | None = None,
    ) -> None:
        self.posting = posting
        self.digest_hour = digest_hour
        self.waiting_days = waiting_days
        self.redelivery = redelivery
        self.catalog = catalog
        self.flow = flow
        self.staff_chat_id = staff_chat_id
        self.language = language
        self.topics = ForumTopics(posting, catalog, staff_chat_id or 0, language)
        self._reported: set[int] = set()
        self.sending = Background(self.send_queued)
        self.leases = leases or Leases(posting.database, posting.clock)
        self._announced = 0
        """The newest card announced in a burst line (an outbox id)."""
        self._announced_at: datetime | None = None

    async def retry_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every minute: queue the day's digest once its hour has come, wake the sender
        (never waiting for it: it may be pacing a burst for minutes) and forget spent
        update claims."""
        try:
            if self.digest_hour is not None and self.staff_chat_id is not None:
                await self.posting.queue_digest(self.digest_hour)
            self.sending.wake(context.bot)
            await self.posting.forget_handled_updates()
        except asyncio.CancelledError:  # the job queue's stop cancels a job that runs
            log.info("the repeating job was stopped midway; each step is one transaction")

    async def send_queued(self, bot: Bot) -> int:
        """Post the outbox in order until it is empty or the group cannot be reached.

        With workers sharing the database, one holds the outbox's lease and posts; the
        others leave it to that one. A card queued by another worker just before the
        lease is given back would wait for the repeating job, so its holder looks once
        more after giving it back."""
        posted, seen = 0, 0
        if self.staff_chat_id is None:
            return posted  # kept until a staff group is configured
        for _ in range(LOOKS):
            async with self.leases.held(STAFF_OUTBOX) as ours:
                if not ours:
                    return posted  # another worker posts the outbox now, in order
                self.sending.wake_again()
                while self.sending.woken():  # woken during the reads below: look again
                    after = 0
                    while batch := await self.posting.queued(after=after):
                        await self._announce_burst(bot, batch[0].id)
                        for message in batch:
                            result = await self._post(bot, message)
                            if result is None:
                                return posted  # the group is unreachable: the job wakes us
                            posted += result
                        after = seen = max(seen, batch[-1].id)
                        if not await self.leases.renew(STAFF_OUTBOX):
                            return posted
            if not self.leases.needed or not await self.posting.queued(after=seen):
                break
        return posted

    async def _announce_burst(self, bot: Bot, next_id: int) -> None:
        """Many cards waiting that were not announced yet: say how many come first.

        Not while an announced burst is still being posted (its line is still true), nor
        within :data:`BURST_QUIET` of the last line: a burst still arriving is one burst."""
        now = self.posting.clock()
        recently = self._announced_at is not None and now - self._announced_at < BURST_QUIET
        if next_id <= self._announced or recently:
            return
        waiting, newest = await self.posting.queued_cards(after=self._announced)
        if waiting < BURST or self.staff_chat_id is None:
            return
        reply = Reply((text("staff_burst", count=waiting),))
        try:
            await send_replies(bot, self.catalog, self.staff_chat_id, self.language, [reply])
        except TelegramError as error:  # the cards' own failure is what gets reported
            log.info(
                "staff chat did not take the burst notice: %s",
                error,
                extra=ids(chat_id=self.staff_chat_id),
            )
            return
        self._announced, self._announced_at = newest, now

    async def _post(self, bot: Bot, message: Queued, *, again: bool = True) -> int | None:
        """1 when posted, 0 when skipped or dropped, None when the group is unreachable."""
        what = f"{message.kind} {message.id}"
        about: PitchFile | None = None
        assert self.staff_chat_id is not None
        try:
            if message.kind == "topic":
                return await self._topic_state(bot, message)
            if message.kind == "file":
                copied = await self._copy(bot, message)
                if copied is None:
                    await self.posting.dropped(message)  # its pitch is gone
                    return 0
                sent_ids, what, about = copied
            else:
                rendered = await self._render(message)
                if rendered is None:
                    await self.posting.dropped(message)  # its pitch or message is gone
                    return 0
                reply, what, about = rendered
                thread = await self._thread(bot, message.kind, about)
                if message.kind == "activity" and thread is None:
                    await self.posting.dropped(message)  # a flat group keeps no such lines
                    return 0
                sent = await send_replies(
                    bot, self.catalog, self.staff_chat_id, self.language, [reply], thread=thread
                )
                sent_ids = [m.message_id for m in sent]
                if message.kind == "card" and thread is not None and sent_ids:
                    await self.topics.pin(bot, sent_ids[0])
        except TelegramError as error:
            if isinstance(error, BadRequest) and gone(error) and again and message.pitch_id:
                await self.posting.topic_lost(message.pitch_id)  # deleted by someone
                return await self._post(bot, message, again=False)
            reference = about.pitch.reference if about is not None else None
            if isinstance(error, BadRequest) and not _about_the_chat(error):
                return await self._refused(message, what, error, reference)
            self._report(message, what, error, reference)
            return None
        except ValueError as error:  # its content cannot be rendered or encoded
            reference = about.pitch.reference if about is not None else None
            return await self._refused(message, what, error, reference)
        await self.posting.posted(message, sent_ids[0] if sent_ids else None)
        self._reported.discard(message.id)
        if message.kind == "erased":
            retention = message.payload.get("reason") == "retention"
            for card, reference in message.payload.get("cards", []):
                await self.erase_card(bot, int(card), str(reference), retention=retention)
            for topic in message.payload.get("topics", []):
                await self.topics.delete(bot, int(topic))
        if message.kind in ("relay", "file") and about is not None:
            await self.redraw(bot, about)  # the pitcher wrote: the card's last activity
        if message.kind == "card" and about is not None and about.pitch.topic_id is None:
            if about.pitch.status in CLOSED_STATUSES and await self.topics.enabled(bot):
                await self._topic_state(bot, message)  # a late card of a decided pitch
        return 1

    async def _thread(self, bot: Bot, kind: str, file: PitchFile | None) -> int | None:
        """Where a message about this pitch goes: its topic (opened when it has none, its
        card first), or None for the flat group (or the General topic)."""
        if file is None or not await self.topics.enabled(bot):
            return None
        pitch = file.pitch
        topic = pitch.topic_id
        if topic is None:
            try:
                topic = await self.topics.open(bot, pitch, cards.headline(pitch, self.flow))
            except BadRequest as error:  # no rights, or no longer a forum
                await self.topics.refused(bot, error)
                return None
        elif kind in ("relay", "file") and pitch.topic_closed:
            await self.topics.close(bot, pitch, closed=False)  # the pitcher wrote: open again
        if kind != "card" and (pitch.topic_id is None or pitch.card_message_id is None):
            # a pitch from before topics (or whose card did not make it): its card first
            card = cards.card(pitch, self.flow, self.language, file.names)
            sent = await send_replies(
                bot, self.catalog, self.staff_chat_id or 0, self.language, [card], thread=topic
            )
            await self.posting.card_placed(pitch.id, sent[0].message_id)
            await self.topics.pin(bot, sent[0].message_id)
        return topic

    async def _topic_state(self, bot: Bot, message: Queued) -> int:
        """A decided pitch's topic is closed, a reopened one's opened (as it is now)."""
        file = await self.posting.pitch_of(message)
        done = 0
        if file is not None and file.pitch.topic_id is not None and await self.topics.enabled(bot):
            closed = file.pitch.status in CLOSED_STATUSES
            if closed != file.pitch.topic_closed:
                await self.topics.close(bot, file.pitch, closed)
                done = 1
        if message.kind == "topic":
            await self.posting.dropped(message)
        return done

    def _report(
        self, message: Queued, what: str, error: TelegramError, reference: str | None
    ) -> None:
        """The group did not take it: logged once per message until it does."""
        if message.id not in self._reported:
            self._reported.add(message.id)
            log.warning(
                "staff chat did not take %s (%s); it is stored and will be retried",
                what,
                error,
                extra=ids(chat_id=self.staff_chat_id, reference=reference),
            )

    async def _refused(
        self, message: Queued, what: str, error: Exception, reference: str | None
    ) -> int:
        """Telegram refuses this message itself: try it again later, then give up."""
        if message.attempts + 1 >= MAX_ATTEMPTS:
            log.error(
                "dropped %s for the staff chat after %d refusals: %s",
                what,
                MAX_ATTEMPTS,
                error,
                extra=ids(chat_id=self.staff_chat_id, reference=reference),
            )
            await self.posting.dropped(message)
        else:
            await self.posting.not_posted(message)
        return 0

    async def _render(self, message: Queued) -> tuple[Reply, str, PitchFile | None] | None:
        """The message as the group will read it now, what it is (for the log) and the
        pitch it is about; None when there is nothing to say any more."""
        if message.kind == "erased":
            references = ", ".join(message.payload.get("references", []))
            if message.payload.get("reason") == "retention":
                days = int(message.payload.get("days", 0))
                said = text("staff_pitcher_erased_retention", references=references, days=days)
            else:
                said = text("staff_pitcher_erased", references=references)
            notice = Reply((said,))
            return notice, f"the erasure notice of {references}", None
        if message.kind == "digest":
            return await self._digest(message)
        if message.kind == "card":
            # a late card shows the pitch as it is now, taken by whom (by name) if so
            file = await self.posting.pitch_of(message)
            if file is None:
                return None
            card = cards.card(file.pitch, self.flow, self.language, file.names)
            return card, f"the card of {file.pitch.reference}", file
        if message.kind == "activity":
            file = await self.posting.pitch_of(message)
            if file is None:
                return None
            line = Reply((text_from_data(message.payload["line"]),))
            return line, f"a line in the topic of {file.pitch.reference}", file
        relayed = await self.posting.relayed(message)
        if relayed is None:
            return None
        reference = relayed.file.pitch.reference
        return _relayed(reference, relayed.said), f"a message about {reference}", relayed.file

    async def _copy(self, bot: Bot, message: Queued) -> tuple[list[int], str, PitchFile] | None:
        """A pitcher's file, copied into the group (Telegram keeps the file; nothing is
        downloaded) with the reference as its caption; None when its pitch is gone."""
        assert self.staff_chat_id is not None
        found = await self.posting.file(message)
        if found is None:
            return None
        file, payload = found
        thread = await self._thread(bot, "file", file)
        reference = file.pitch.reference
        blocks = [text("staff_relay_file", mark=REPLY_MARK, reference=reference)]
        if payload.get("text"):
            blocks.append(text("staff_relay_text", text=str(payload["text"])))
        caption = render(self.catalog, self.language, Reply(tuple(blocks)))[0]
        copied = await bot.copy_message(
            self.staff_chat_id,
            int(payload["chat_id"]),
            int(payload["message_id"]),
            caption=caption.html,
            message_thread_id=thread,
        )
        return [copied.message_id], f"a file about {reference}", file

    async def _digest(self, message: Queued) -> tuple[Reply, str, None] | None:
        """The day's digest as things are now; None (not posted) when it would be empty."""
        view = await self.posting.digest(self.waiting_days)
        holders = {w.pitch.assignee_id for w in view.overdue if w.pitch.assignee_id}
        day = str(message.payload.get("day", ""))
        shown = digest.digest(
            view,
            self.flow,
            await self.posting.names(holders),
            now=self.posting.clock(),
            day=day,
            waiting_days=self.waiting_days,
        )
        return (shown, f"the digest of {day}", None) if shown is not None else None

    async def redraw(self, bot: Bot, file: PitchFile) -> None:
        """The pitch changed: its card in the staff group shows it as it is now."""
        if file.pitch.card_message_id is None:
            return  # not posted yet: it will be drawn as it is when it goes out
        card = cards.card(file.pitch, self.flow, self.language, file.names)
        await self._edit(bot, file.pitch.card_message_id, card, file.pitch.reference)

    async def erase_card(
        self, bot: Bot, message_id: int, reference: str, *, retention: bool = False
    ) -> None:
        """An erased pitch's card keeps only its reference: its content is gone for good."""
        card = cards.erased_card(reference, retention=retention)
        await self._edit(bot, message_id, card, reference)

    async def _edit(self, bot: Bot, message_id: int, reply: Reply, reference: str) -> None:
        if self.staff_chat_id is None:
            return
        shown = render(self.catalog, self.language, reply)[0]
        markup = shown.markup if isinstance(shown.markup, InlineKeyboardMarkup) else None
        try:
            await bot.edit_message_text(
                shown.html, self.staff_chat_id, message_id, reply_markup=markup
            )
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                log.info(
                    "could not redraw the card of %s: %s",
                    reference,
                    error,
                    extra=ids(reference=reference),
                )
        except TelegramError as error:
            log.info(
                "could not redraw the card of %s: %s",
                reference,
                error,
                extra=ids(reference=reference),
            )

    async def tell_staff(self, bot: Bot, user_id: int, reply: Reply) -> bool:
        """A word for a staff member in their private chat (the team's language); False
        when the bot may not write there."""
        try:
            await send_replies(bot, self.catalog, user_id, self.language, [reply])
        except TelegramError as error:
            log.info(
                "could not tell staff member %s: %s", user_id, error, extra=ids(user_id=user_id)
            )
            return False
        return True

    async def tell(self, bot: Bot, tell: Tell | None) -> Delivery | None:
        """Send to a pitcher's private chat in their language: ``sent``; ``queued`` when
        Telegram could not take it now (it is tried again, see :mod:`bot.redelivery`);
        ``failed`` when it never will (blocked, chat gone). None: nothing to tell."""
        if tell is None:
            return None
        language = tell.language if known(tell.language) else self.language
        try:
            await send_replies(bot, self.catalog, tell.chat_id, language, [tell.reply])
        except TRANSIENT:
            await self.redelivery.tell(tell.chat_id, language, tell.reply, tell.event_id)
            return "queued"
        except TelegramError as error:
            log.info(
                "could not reach the pitcher of %s: %s",
                tell.reference,
                error,
                extra=ids(chat_id=tell.chat_id, reference=tell.reference),
            )
            return "failed"
        return "sent"


def _relayed(reference: str, said: str) -> Reply:
    """A pitcher's message as the group reads it: marked, so a Telegram reply answers it."""
    return Reply(
        (
            text("staff_relay", mark=REPLY_MARK, reference=reference),
            text("staff_relay_text", text=said),
        ),
        (
            (
                Button(text("staff_button_reply"), encode(Write(reference))),
                Button(text("staff_button_show"), encode(Show(reference))),
            ),
        ),
    )


def _about_the_chat(error: BadRequest) -> bool:
    """A bad request about the group itself ("Chat not found", no rights to write there)
    rather than about the message: wait for the group, do not count it against the message."""
    said = str(error).lower()
    return "chat" in said or "rights" in said or "forbidden" in said
