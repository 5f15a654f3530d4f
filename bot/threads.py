"""Which Telegram message answers a marked bot message (see :mod:`dialogs.threads`), and
which forum topic a message is in."""

from __future__ import annotations

from telegram import MaybeInaccessibleMessage, Message

from dialogs.threads import REPLY_MARK, marked_reference


def answered_reference(message: Message, bot_id: int, mark: str = REPLY_MARK) -> str | None:
    """The reference of the bot message marked with ``mark`` this text message answers."""
    original = message.reply_to_message
    if original is None or original.from_user is None or original.from_user.id != bot_id:
        return None
    if not message.text or message.text.startswith("/"):
        return None
    return marked_reference(original.text or "", mark)


def thread_of(message: MaybeInaccessibleMessage | None) -> int | None:
    """The forum topic a message is in; None in a flat group, General or a private chat."""
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None
