"""Telegram updates to the engine's events: the only place that knows message shapes."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update, User

from bot.conversation import Person
from dialogs.events import MEDIA_KINDS, Command, Edited, Event, Said, Shared

_MEDIA_ATTRIBUTES = tuple(kind for kind in MEDIA_KINDS if kind != "other")
"""Message attributes to look for, in order (see MEDIA_KINDS)."""


def person_of(user: User, chat_id: int) -> Person:
    return Person(
        user_id=user.id,
        chat_id=chat_id,
        username=user.username,
        first_name=user.first_name,
        language_code=user.language_code,
    )


def command_of(message: Message) -> Command | None:
    """A command at the start of a text message (``/start@bot payload``), else None."""
    text = message.text or ""
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
        if edited.text is None or command_of(edited) is not None:
            return None
        return Edited(edited.message_id, edited.text)
    message = update.message
    if message is None:
        return None
    if message.text is not None:
        return command_of(message) or Said(message.text, message.message_id)
    kind = media_kind(message)
    contact = message.contact
    own_phone = None
    if contact is not None and message.from_user and contact.user_id == message.from_user.id:
        own_phone = contact.phone_number
    return Shared(kind, phone=own_phone, message_id=message.message_id)
