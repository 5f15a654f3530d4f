"""Sending abstract replies to a chat: the one way replies reach Telegram."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.render import render
from dialogs.catalog import Catalog
from dialogs.replies import Reply

log = logging.getLogger(__name__)


async def send_replies(
    bot: Bot,
    catalog: Catalog,
    chat_id: int,
    language: str,
    replies: Iterable[Reply],
    query: CallbackQuery | None = None,
    quiet: bool = False,
    thread: int | None = None,
) -> list[Message]:
    """Send every reply; a ``replace`` reply edits the message whose button was pressed.

    ``thread``: the forum topic of the staff group to post in (None: the chat itself, or
    its General topic).

    Telegram errors propagate: the caller decides what an undeliverable message means.
    """
    sent: list[Message] = []
    for reply in replies:
        messages = render(catalog, language, reply)
        markup = messages[0].markup if messages else None
        editable = markup is None or isinstance(markup, InlineKeyboardMarkup)
        if reply.replace and query is not None and len(messages) == 1 and editable:
            try:
                keyboard = markup if isinstance(markup, InlineKeyboardMarkup) else None
                edited = await query.edit_message_text(messages[0].html, reply_markup=keyboard)
                if isinstance(edited, Message):
                    sent.append(edited)
                continue
            except BadRequest as error:
                if "not modified" in str(error).lower():
                    continue
                log.info("could not edit message, sending anew: %s", error)
        for message in messages:
            sent.append(
                await bot.send_message(
                    chat_id,
                    message.html,
                    reply_markup=message.markup,
                    disable_notification=quiet,
                    message_thread_id=thread,
                )
            )
    return sent


async def answer_query(query: CallbackQuery, notice: str | None) -> None:
    """Stop the button's spinner; a press Telegram calls too old still gets its replies."""
    try:
        await query.answer(notice)
    except BadRequest as error:
        log.info("could not answer button press: %s", error)
