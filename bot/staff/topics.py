"""The staff group's forum topics: one per sent pitch, when the group is a forum.

Whether to use them is Telegram's to say, asked lazily by the sender and again every
:data:`RECHECK` (so turning topics on, or granting the right, needs no restart): a group
with topics where the bot may manage them gives every pitch a topic of its own, named
with its reference and the idea's first words, its card pinned as the first message.
Otherwise (a flat group; topics without the right, said once in the log and to the
team) everything goes in the group as it always did.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot, ChatMember, ChatMemberAdministrator
from telegram.error import BadRequest, TelegramError

from bot.sending import send_replies
from dialogs.catalog import Catalog
from dialogs.replies import Reply, text
from services.posting import Posting
from storage.pitches import PitchView

log = logging.getLogger(__name__)

RECHECK = timedelta(minutes=10)
"""How long the answer to "does the group have topics we may manage?" is trusted."""
NAME_LENGTH = 128
"""Telegram's longest topic name."""


def topic_name(pitch: PitchView, idea: str) -> str:
    """``P-2026-0042 · Een buurtmoestuin op het dak``, within Telegram's limit."""
    words = " ".join(idea.split())
    name = f"{pitch.reference} · {words}" if words else pitch.reference
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"


def may_manage_topics(member: ChatMember) -> bool:
    """Whether the bot, as this member of a forum group, may open and close its topics:
    the group's creator, or an administrator with the 'Manage topics' right."""
    return member.status == ChatMember.OWNER or (
        isinstance(member, ChatMemberAdministrator) and bool(member.can_manage_topics)
    )


def gone(error: BadRequest) -> bool:
    """Telegram says the topic is no longer there (someone deleted it)."""
    said = str(error).lower()
    return "thread not found" in said or "topic_deleted" in said or "topic_id_invalid" in said


def _not_modified(error: BadRequest) -> bool:
    return "not_modified" in str(error).lower() or "not modified" in str(error).lower()


class ForumTopics:
    """Opens, closes and removes the pitches' topics in the staff group."""

    def __init__(self, posting: Posting, catalog: Catalog, chat_id: int, language: str) -> None:
        self.posting = posting
        self.catalog = catalog
        self.chat_id = chat_id
        self.language = language
        self._on: bool | None = None
        self._checked_at: datetime | None = None
        self._told = False
        """The team was told (once per run) that topics need the right to manage them."""

    async def enabled(self, bot: Bot) -> bool:
        """Whether pitches get topics: the group is a forum and the bot may manage topics."""
        now = self.posting.clock()
        if self._on is not None and self._checked_at and now - self._checked_at < RECHECK:
            return self._on
        chat = await bot.get_chat(self.chat_id)
        on = bool(chat.is_forum)
        if on:
            on = may_manage_topics(await bot.get_chat_member(self.chat_id, bot.id))
            if not on:
                await self._cannot_manage(bot)
        self._on, self._checked_at = on, now
        return on

    async def refused(self, bot: Bot, error: BadRequest) -> None:
        """Telegram refused to open a topic: work in the flat group until the next check."""
        self._on, self._checked_at = False, self.posting.clock()
        if "rights" in str(error).lower():
            await self._cannot_manage(bot)
        else:
            log.info("no topics in the staff group: %s", error)

    async def _cannot_manage(self, bot: Bot) -> None:
        if self._told:
            return
        self._told = True
        log.warning(
            "the staff group has topics but the bot may not manage them (make it an "
            "administrator with 'Manage topics'); posting in the group's General topic"
        )
        notice = Reply((text("staff_topics_no_rights"),))
        try:
            await send_replies(bot, self.catalog, self.chat_id, self.language, [notice])
        except TelegramError as error:
            log.info("could not tell the staff group about topic rights: %s", error)

    async def open(self, bot: Bot, pitch: PitchView, idea: str) -> int:
        """A new topic for the pitch, stored before anything is posted in it."""
        topic = await bot.create_forum_topic(self.chat_id, topic_name(pitch, idea))
        await self.posting.topic_opened(pitch.id, topic.message_thread_id)
        return topic.message_thread_id

    async def pin(self, bot: Bot, message_id: int) -> None:
        """The card stays on top of its topic (without the right to pin: it is just first)."""
        try:
            await bot.pin_chat_message(self.chat_id, message_id, disable_notification=True)
        except TelegramError as error:
            log.info("could not pin a card in the staff group: %s", error)

    async def close(self, bot: Bot, pitch: PitchView, closed: bool) -> None:
        """Close a decided pitch's topic, or open it again; kept on the pitch."""
        assert pitch.topic_id is not None
        try:
            if closed:
                await bot.close_forum_topic(self.chat_id, pitch.topic_id)
            else:
                await bot.reopen_forum_topic(self.chat_id, pitch.topic_id)
        except BadRequest as error:
            if not _not_modified(error):
                raise
        await self.posting.topic_closed(pitch.id, closed)

    async def delete(self, bot: Bot, topic_id: int) -> None:
        """An erased pitch's topic goes with everything in it."""
        try:
            await bot.delete_forum_topic(self.chat_id, topic_id)
        except TelegramError as error:
            log.info("could not delete a topic of an erased pitch: %s", error)
