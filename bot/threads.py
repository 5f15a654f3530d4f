"""Which Telegram message answers a marked bot message (see :mod:`dialogs.threads`)."""

from __future__ import annotations

from telegram import Message

from dialogs.threads import marked_reference


def answered_reference(message: Message, bot_id: int) -> str | None:
    """The reference of the marked bot message this text message answers, if any."""
    original = message.reply_to_message
    if original is None or original.from_user is None or original.from_user.id != bot_id:
        return None
    if not message.text or message.text.startswith("/"):
        return None
    return marked_reference(original.text or "")
