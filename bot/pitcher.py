"""Handlers for the public: the pitch conversation in private chats, a pointer in groups."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from telegram import Bot, CallbackQuery, Chat, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.documents import PitchDocuments
from bot.redelivery import TRANSIENT, Redelivery
from bot.render import render_label, render_text
from bot.sending import answer_query, send_replies
from bot.threads import answered_reference
from bot.updates import event_of, person_of, text_of
from dialogs.catalog import Catalog
from dialogs.events import Pressed
from dialogs.replies import text
from services.conversation import Conversations, Response

log = logging.getLogger(__name__)


class NotStored(Exception):
    """The unit of work failed and rolled back: nothing of this update was stored."""


class NotShown(Exception):
    """The update was stored, but the answer did not reach the person."""


@asynccontextmanager
async def failing_as(kind: type[Exception]) -> AsyncIterator[None]:
    """Any failure inside becomes ``kind`` (caused by it), so the error handler can tell
    the person the truth about what was kept."""
    try:
        yield
    except Exception as error:
        raise kind() from error


WakeTeam = Callable[[Bot], None]
"""Tells the staff group's sender that something was queued for the team; never waits."""


def nobody(bot: Bot) -> None:
    """No team configured (tests of the conversation alone)."""


class PitcherHandlers:
    """Adapts Telegram updates to :class:`Conversations` and renders what comes back."""

    def __init__(
        self,
        conversations: Conversations,
        catalog: Catalog,
        redelivery: Redelivery,
        wake_team: WakeTeam = nobody,
        documents: PitchDocuments | None = None,
    ) -> None:
        self.conversations = conversations
        self.catalog = catalog
        self.redelivery = redelivery
        self.wake_team = wake_team
        self.documents = documents or PitchDocuments(conversations.flow, catalog)

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        private = filters.ChatType.PRIVATE
        application.add_handler(CallbackQueryHandler(self.on_press))
        application.add_handler(
            MessageHandler(private & (filters.UpdateType.MESSAGES), self.on_message)
        )
        application.add_handler(
            MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, self.on_group_command)
        )

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Run the engine on a private message and send its replies.

        A reply to a team message goes to the team, even in the middle of a new draft.
        """
        chat, user, message = update.effective_chat, update.effective_user, update.message
        event = event_of(update)
        if chat is None or user is None or event is None:
            return
        person = person_of(user, chat.id)
        response: Response | None = None
        reference = answered_reference(message, context.bot.id) if message else None
        async with failing_as(NotStored):
            said = text_of(message) if message is not None else None
            if reference is not None and said:
                response = await self.conversations.reply_to_team(
                    person, reference, said, update.update_id
                )
            if response is None:
                response = await self.conversations.handle(person, event, update.update_id)
        shown = await self._answer(context.bot, chat.id, response)
        if response.queued:  # after the person's own answer: theirs goes first
            self.wake_team(context.bot)
        self._document(context.bot, chat.id, response, shown)
        await self._send_data(context.bot, chat.id, response)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: only its owner, in their private chat, may press it."""
        query = update.callback_query
        if query is None:
            return
        chat = query.message.chat if query.message is not None else None
        if chat is None or chat.type != Chat.PRIVATE or chat.id != query.from_user.id:
            language = self.conversations.language_for(person_of(query.from_user, 0))
            await answer_query(
                query, render_label(self.catalog, language, text("button_not_yours"))
            )
            return
        async with failing_as(NotStored):
            response = await self.conversations.handle(
                person_of(query.from_user, chat.id), Pressed(query.data or ""), update.update_id
            )
        notice = (
            render_label(self.catalog, response.language, response.notice)
            if response.notice
            else None
        )
        await answer_query(query, notice)
        shown = await self._answer(context.bot, chat.id, response, query)
        if response.queued:
            self.wake_team(context.bot)
        self._document(context.bot, chat.id, response, shown)

    async def _answer(
        self, bot: Bot, chat_id: int, response: Response, query: CallbackQuery | None = None
    ) -> bool:
        """Send the answer; when Telegram cannot take it now, it is owed (bot.redelivery)
        and False is returned."""
        try:
            await send_replies(
                bot, self.catalog, chat_id, response.language, response.replies, query
            )
        except TRANSIENT:
            await self.redelivery.owe(chat_id, response.sent)
            return False
        except Exception as error:
            raise NotShown() from error
        return True

    async def _send_data(self, bot: Bot, chat_id: int, response: Response) -> None:
        """/mydata: the file of everything stored about them, to them alone. Nothing is
        owed when it does not get through: asking again makes a fresh one."""
        if response.data is None:
            return
        day = self.conversations.clock().date().isoformat()
        caption = render_text(self.catalog, response.language, text("mydata_caption"))
        file = InputFile(response.data, filename=f"pitchbot-{day}.json")
        try:
            await bot.send_document(chat_id, file, caption=caption)
        except Exception as error:
            raise NotShown() from error

    def _document(self, bot: Bot, chat_id: int, response: Response, shown: bool) -> None:
        """Queue the PDF of a pitch just sent or asked for; it follows the answer.

        Only when the answer got through: Telegram is unreachable otherwise, and what is
        owed is the reference, not the document (/mypitches brings it). A repeated
        update queues nothing again: its :class:`Response` has no document.
        """
        if response.document is None or not shown:
            return
        asked = response.sent is None
        self.documents.queue(bot, chat_id, response.language, response.document, asked=asked)

    async def on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Pitches are personal: point a group to a private chat, once per group, quietly."""
        chat, user, message = update.effective_chat, update.effective_user, update.message
        if chat is None or user is None or message is None:
            return
        if not await self.conversations.tell_group_once(chat.id):
            return
        language = self.conversations.language_for(person_of(user, chat.id))
        link = f"https://t.me/{context.bot.username}?start=pitch"
        await message.reply_text(
            render_text(self.catalog, language, text("group_private_only", link=link)),
            disable_notification=True,
        )
