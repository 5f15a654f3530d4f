"""Abstract replies: catalogue keys plus values, never finished strings.

The Telegram adapter renders them as HTML (values escaped), the terminal as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from dialogs.state import State

_EMPTY: Mapping[str, Value] = MappingProxyType({})


@dataclass(frozen=True)
class Text:
    """A catalogue key and the values for its placeholders (values are untrusted text)."""

    key: str
    values: Mapping[str, Value] = field(default_factory=lambda: _EMPTY)


Value = str | int | Text
"""A placeholder value: user or flow text (escaped when rendered), or a nested catalogue text."""


def text(key: str, **values: Value) -> Text:
    """Shorthand for :class:`Text`."""
    return Text(key, MappingProxyType(values))


def text_data(item: Text) -> list[Any]:
    """A text as JSON data, to be said later (the outbox): ``[key, {name: value}]``, a
    nested text as ``{"text": [...]}``."""
    values = {
        name: {"text": text_data(value)} if isinstance(value, Text) else value
        for name, value in item.values.items()
    }
    return [item.key, values]


def text_from_data(data: Any) -> Text:
    """The text :func:`text_data` kept (plain string values, as older data has, too)."""
    key, values = data
    return text(
        str(key),
        **{
            name: text_from_data(value["text"]) if isinstance(value, dict) else value
            for name, value in values.items()
        },
    )


@dataclass(frozen=True)
class Button:
    """An inline button: what it says and the short callback data it sends back."""

    label: Text
    data: str


@dataclass(frozen=True)
class Reply:
    """One message: paragraphs (``blocks``) and rows of buttons.

    A renderer may split a long reply between blocks, never inside one.
    """

    blocks: tuple[Text, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    replace: bool = False
    """Replace the message whose button was pressed (e.g. ticking a multi-choice option)."""
    expects_reply: bool = False
    """Open the reader's reply box on this message (the team's "reply" prompt)."""


class Effect(StrEnum):
    """Work the engine asks of its caller, which owns storage and references."""

    SUBMIT = "submit"
    """Send the draft to the team; the caller replies with the reference."""
    DISCARD_DRAFT = "discard_draft"
    """Delete the open draft (the person confirmed /cancel or chose to start over)."""
    LIST_PITCHES = "list_pitches"
    """Reply with the person's pitches and their status."""
    ERASE = "erase"
    """Delete the person and everything of theirs: they confirmed /forgetme."""
    DOCUMENT = "document"
    """Send the person the PDF of their sent pitch :attr:`Outcome.document`, once the
    caller has checked that it is theirs (a refusal otherwise)."""
    CONSENT = "consent"
    """They agreed (again) to the current privacy text: record it in their history."""
    MY_DATA = "my_data"
    """Send the person a copy of everything stored about them (/mydata)."""
    REMINDERS_OFF = "reminders_off"
    """The person pressed "stop" under a draft's reminder: no reminder again for the draft
    :attr:`Outcome.draft_id`, once the caller has checked it is their open draft; the
    caller says until when it is kept."""
    RELAY = "relay"
    """Text or a file outside a draft: pass it to the team about the person's latest sent
    pitch.

    The engine's replies say there is no open draft; a caller that relays replaces them.
    """


@dataclass(frozen=True)
class Outcome:
    """The engine's answer to one input."""

    state: State
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    notice: Text | None = None
    """A short toast for a pressed button (Telegram's callback answer)."""
    document: str | None = None
    """The reference whose document :attr:`Effect.DOCUMENT` asks for (untrusted)."""
    draft_id: int | None = None
    """The draft :attr:`Effect.REMINDERS_OFF` names (untrusted: from button data)."""
