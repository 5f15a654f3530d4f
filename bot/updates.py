"""Telegram updates to the engine's events: the only place that knows message shapes."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update, User

from dialogs.events import MEDIA_KINDS, Command, Edited, Event, Said, Shared, clean_text
from services.types import Person

_MEDIA_ATTRIBUTES = tuple(kind for kind in MEDIA_KINDS if kind != "other")
"""Message attributes to look for, in order (see MEDIA_KINDS)."""


def person_of(user: User, chat_id: int) -> Person:
    return Person(
        user_id=user.id,
        chat_id=chat_id,
        username=clean_text(user.username) if user.username else None,
        first_name=clean_text(user.first_name),
        language_code=user.language_code,
    )


def text_of(message: Message) -> str | None:
    """The message's text as the rest of the bot may use it (see ``clean_text``)."""
    return clean_text(message.text) if message.text is not None else None


def command_of(message: Message) -> Command | None:
    """A command at the start of a text message (``/start@bot payload``), else None."""
    text = text_of(message) or ""
    entity = next(iter(message.entities), None)
    if entity is None or entity.type != MessageEntity.BOT_COMMAND or entity.offset != 0:
        return None
    name = text[1 : entity.length].split("@", 1)[0].lower()
    return Command(name, text[entity.length :].strip())


def media_kind(message: Message) -> str:
    return next((a for a in _MEDIA_ATTRIBUTES if getattr(message, a, None)), "other")


def event_of(update: Update) -> Event | None:
    """The event a private-chat update stands for; None when there is nothing to answer."""
    if update.edited_message is not None:
        edited = update.edited_message
        text = text_of(edited)
        if text is None or command_of(edited) is not None:
            return None
        return Edited(edited.message_id, text)
    message = update.message
    if message is None:
        return None
    text = text_of(message)
    if text is not None:
        return command_of(message) or Said(text, message.message_id)
    kind = media_kind(message)
    contact = message.contact
    own_phone = None
    if contact is not None and message.from_user and contact.user_id == message.from_user.id:
        own_phone = contact.phone_number
    caption = clean_text(message.caption) if message.caption else None
    return Shared(
        kind,
        phone=own_phone,
        message_id=message.message_id,
        size=_file_size(message, kind),
        caption=caption,
    )


def _file_size(message: Message, kind: str) -> int | None:
    """The size Telegram gives for the message's file (a photo's largest version)."""
    if kind == "photo":
        return max((size.file_size or 0 for size in message.photo), default=None)
    file = getattr(message, kind, None)
    return getattr(file, "file_size", None)
