"""Handlers for the public: the pitch conversation in private chats, a pointer in groups."""

from __future__ import annotations

import logging

from telegram import Bot, CallbackQuery, Chat, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.conversation import Conversations, Response
from bot.render import render, render_label, render_text
from bot.updates import event_of, person_of
from dialogs.catalog import Catalog
from dialogs.events import Pressed
from dialogs.replies import text

log = logging.getLogger(__name__)


class PitcherHandlers:
    """Adapts Telegram updates to :class:`Conversations` and renders what comes back."""

    def __init__(self, conversations: Conversations, catalog: Catalog) -> None:
        self.conversations = conversations
        self.catalog = catalog

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
        """Run the engine on a private message and send its replies."""
        chat, user = update.effective_chat, update.effective_user
        event = event_of(update)
        if chat is None or user is None or event is None:
            return
        response = await self.conversations.handle(
            person_of(user, chat.id), event, update.update_id
        )
        await self.send(context.bot, chat.id, response)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: only its owner, in their private chat, may press it."""
        query = update.callback_query
        if query is None:
            return
        chat = query.message.chat if query.message is not None else None
        if chat is None or chat.type != Chat.PRIVATE or chat.id != query.from_user.id:
            language = self.conversations.language_for(person_of(query.from_user, 0))
            await _answer(query, render_label(self.catalog, language, text("button_not_yours")))
            return
        response = await self.conversations.handle(
            person_of(query.from_user, chat.id), Pressed(query.data or ""), update.update_id
        )
        notice = (
            render_label(self.catalog, response.language, response.notice)
            if response.notice
            else None
        )
        await _answer(query, notice)
        await self.send(context.bot, chat.id, response, query)

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

    async def send(
        self, bot: Bot, chat_id: int, response: Response, query: CallbackQuery | None = None
    ) -> None:
        """Send every reply; a ``replace`` reply edits the message whose button was pressed."""
        for reply in response.replies:
            messages = render(self.catalog, response.language, reply)
            if reply.replace and query is not None and len(messages) == 1:
                try:
                    await query.edit_message_text(messages[0].html, reply_markup=messages[0].markup)
                    continue
                except BadRequest as error:
                    if "not modified" in str(error).lower():
                        continue
                    log.info("could not edit message, sending anew: %s", error)
            for message in messages:
                await bot.send_message(chat_id, message.html, reply_markup=message.markup)


async def _answer(query: CallbackQuery, notice: str | None) -> None:
    """Stop the button's spinner; a press Telegram calls too old still gets its replies."""
    try:
        await query.answer(notice)
    except BadRequest as error:
        log.info("could not answer button press: %s", error)
