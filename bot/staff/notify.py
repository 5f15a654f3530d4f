"""Messages between the team and pitchers, and new pitch cards for the staff chat.

A pitch is stored before its card is sent, and a pitcher's message before it is relayed;
an unreachable staff chat only delays them: each is logged once and retried by a
repeating job until the chat takes it.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.conversation import PitcherErased, TeamNews
from bot.sending import send_replies
from bot.staff import cards
from bot.staff.callbacks import Show, Write, encode
from bot.staff.desk import Erasure, StaffDesk
from bot.threads import REPLY_MARK
from dialogs.catalog import Catalog
from dialogs.flow import LANGUAGES, Flow
from dialogs.replies import Button, Reply, text
from storage.models import Pitch

log = logging.getLogger(__name__)

RETRY_SECONDS = 60
NEWS_STATUSES = ("in_conversation", "supported", "referred", "not_pursued")
"""Status changes a pitcher hears about."""


class TeamNotifier:
    """Posts to the staff chat and to pitchers on behalf of the team."""

    def __init__(
        self,
        desk: StaffDesk,
        catalog: Catalog,
        flow: Flow,
        staff_chat_id: int | None,
        language: str,
    ) -> None:
        self.desk = desk
        self.catalog = catalog
        self.flow = flow
        self.staff_chat_id = staff_chat_id
        self.language = language
        self._reported: set[tuple[str, int]] = set()
        self._sending: set[int] = set()
        """Pitches whose card is on its way (a rate limiter may hold it for minutes)."""
        self._relaying: set[int] = set()
        """Pitchers' messages (event ids) on their way to the staff chat."""

    def _report_once(self, what: str, key: int, reference: str | None, error: object) -> None:
        if (what, key) not in self._reported:
            self._reported.add((what, key))
            log.warning(
                "staff chat did not take %s %s (%s); it is stored and will be retried",
                what,
                reference,
                error,
            )

    async def new_pitch(self, bot: Bot, pitch_id: int) -> bool:
        """Post a new pitch's card to the staff chat; False when it has to wait.

        A card already delivered, or on its way, is not sent again: the pitch's own
        update and the retry job may both get to it.
        """
        if pitch_id in self._sending:
            return True
        self._sending.add(pitch_id)
        try:
            return await self._send_card(bot, pitch_id)
        finally:
            self._sending.discard(pitch_id)

    async def _send_card(self, bot: Bot, pitch_id: int) -> bool:
        file = await self.desk.file(pitch_id=pitch_id)
        if file is None or self.staff_chat_id is None:
            return False
        pitch = file.pitch
        if pitch.staff_card_sent_at is not None:
            return True
        # a late card shows the pitch as it is now, taken by whom (by name) if so
        reply = cards.card(pitch, self.flow, self.language, file.names)
        try:
            await send_replies(bot, self.catalog, self.staff_chat_id, self.language, [reply])
        except TelegramError as error:
            self._report_once("the card of", pitch.id, pitch.reference, error)
            return False
        await self.desk.card_sent(pitch.id)
        self._reported.discard(("the card of", pitch.id))
        return True

    async def retry_cards(self, bot: Bot) -> int:
        """Send cards that did not arrive; stop at the first failure (the chat is down)."""
        sent = 0
        for pitch in await self.desk.cards_to_send():
            if pitch.id in self._sending:
                continue  # its first try is still under way
            if not await self.new_pitch(bot, pitch.id):
                break
            sent += 1
        return sent

    async def retry_relays(self, bot: Bot) -> int:
        """Relay pitchers' messages that did not arrive, oldest first; stop at a failure."""
        sent = 0
        for event in await self.desk.relays_to_send():
            if event.id in self._relaying:
                continue  # its first try is still under way
            message = str(event.payload.get("text", ""))
            if not await self._relay(bot, event.pitch_id, event.id, message):
                break
            sent += 1
        return sent

    async def retry_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        # cards first: a message about a pitch should not arrive before the pitch itself
        await self.retry_cards(context.bot)
        await self.retry_relays(context.bot)
        await self.desk.forget_handled_updates()

    async def pitcher_wrote(self, bot: Bot, news: TeamNews) -> bool:
        """Relay what a pitcher wrote to the staff chat, tagged with the reference.

        The message is already queued: whatever waits before it (its pitch's card, older
        messages) goes first, so the team reads them in order. False when it has to wait
        for the retry job.
        """
        if news.event_id is None:
            return False
        await self.retry_cards(bot)
        await self.retry_relays(bot)
        return not await self.desk.relay_waiting(news.event_id)

    async def _relay(self, bot: Bot, pitch_id: int, event_id: int, message: str) -> bool:
        self._relaying.add(event_id)
        try:
            # another task may have posted it since the list was read: never twice
            if not await self.desk.relay_waiting(event_id):
                return True
            return await self._post_relay(bot, pitch_id, event_id, message)
        finally:
            self._relaying.discard(event_id)

    async def _post_relay(self, bot: Bot, pitch_id: int, event_id: int, message: str) -> bool:
        pitch = await self.desk.pitch(pitch_id)
        if pitch is None or pitch.reference is None or self.staff_chat_id is None:
            return False
        reference = pitch.reference
        reply = Reply(
            (
                text("staff_relay", mark=REPLY_MARK, reference=reference),
                text("staff_relay_text", text=message),
            ),
            (
                (
                    Button(text("staff_button_reply"), encode(Write(reference))),
                    Button(text("staff_button_show"), encode(Show(reference))),
                ),
            ),
        )
        try:
            await send_replies(bot, self.catalog, self.staff_chat_id, self.language, [reply])
        except TelegramError as error:
            self._report_once("a message about", event_id, pitch.reference, error)
            return False
        await self.desk.relay_shown(event_id)
        self._reported.discard(("a message about", event_id))
        return True

    async def pitcher_erased(self, bot: Bot, news: PitcherErased) -> None:
        """Tell the team that pitches they may be working on are gone (/forgetme).

        Not retried: the pitches are gone whatever happens, and /pitch says so.
        """
        if self.staff_chat_id is None:
            return
        references = ", ".join(news.references)
        reply = Reply((text("staff_pitcher_erased", references=references),))
        try:
            await send_replies(bot, self.catalog, self.staff_chat_id, self.language, [reply])
        except TelegramError as error:
            log.warning("could not tell the staff chat that %s were erased: %s", references, error)

    async def tell_pitcher(self, bot: Bot, pitch: Pitch, reply: Reply) -> bool:
        """Send to the pitcher's private chat in their language; False if undeliverable."""
        pitcher = pitch.pitcher
        return await self._tell(bot, pitcher.chat_id, pitcher.language, reply, pitch.reference)

    async def tell_erased(self, bot: Bot, erasure: Erasure, reference: str) -> bool:
        """Confirm an erasure to the person it was for; False if undeliverable."""
        reply = Reply((text("erased"),))
        return await self._tell(bot, erasure.chat_id, erasure.language, reply, reference)

    async def _tell(
        self, bot: Bot, chat_id: int, language: str, reply: Reply, reference: str | None
    ) -> bool:
        language = language if language in LANGUAGES else self.language
        try:
            await send_replies(bot, self.catalog, chat_id, language, [reply])
        except TelegramError as error:
            log.info("could not reach the pitcher of %s: %s", reference, error)
            return False
        return True

    async def team_message(self, bot: Bot, pitch: Pitch, message: str) -> bool:
        reply = Reply(
            (
                text("team_message", mark=REPLY_MARK, reference=pitch.reference or ""),
                text("staff_relay_text", text=message),
                text("team_message_footer"),
            )
        )
        return await self.tell_pitcher(bot, pitch, reply)

    async def status_news(self, bot: Bot, pitch: Pitch, status: str) -> bool | None:
        """Tell the pitcher about a status they care about; None when there is nothing to say."""
        if status not in NEWS_STATUSES:
            return None
        reply = Reply((text(f"status_news_{status}", reference=pitch.reference or ""),))
        return await self.tell_pitcher(bot, pitch, reply)
