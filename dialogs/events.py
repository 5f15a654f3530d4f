"""What a person can do: the inputs the engine understands, independent of Telegram."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]|[\ud800-\udfff]")
"""Control characters but tab and newline, and UTF-16 surrogates standing alone (a
valid pair arrives as one character: what is left is broken)."""


def clean_text(text: str) -> str:
    """What a person typed, as it may be stored and shown: no NUL or other invisible
    control characters (PostgreSQL refuses NUL, nobody can see them), no broken
    surrogates (they cannot be encoded); a carriage return becomes a newline.

    Every text that comes in passes here once, at the edge, so the engine, storage and
    rendering behave the same for it on every database.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", text)


@dataclass(frozen=True)
class Command:
    """A slash command such as /start; ``name`` is lower-case without the slash."""

    name: str
    argument: str = ""


@dataclass(frozen=True)
class Said:
    """A typed text message."""

    text: str
    message_id: int | None = None


@dataclass(frozen=True)
class Pressed:
    """A button press carrying its callback data (which may be stale or forged)."""

    data: str


@dataclass(frozen=True)
class Shared:
    """Something that is not text: a photo, sticker, voice message, location..."""

    kind: str
    phone: str | None = None
    """For a shared contact: its phone number (accepted by contact questions)."""
    message_id: int | None = None
    size: int | None = None
    """A file's size in bytes, as Telegram tells it (None when it does not)."""
    caption: str | None = None


@dataclass(frozen=True)
class Edited:
    """The person edited an earlier text message."""

    message_id: int
    text: str


Event = Command | Said | Pressed | Shared | Edited

MEDIA_KINDS: tuple[str, ...] = (
    # in the order a message is recognised: an animation also carries a document,
    # a venue also a location
    "photo",
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
    "other",
)
"""Kinds of non-text messages; each has a catalogue entry ``media_<kind>``."""

FILE_KINDS: tuple[str, ...] = ("photo", "document", "voice", "audio", "video")
"""What a pitcher may send the team once their pitch is sent: a plan, a flyer, a photo of
the place, a voice message. Passed on as it is (a copy, never downloaded)."""
MAX_FILE_BYTES = 20 * 1024 * 1024
"""The largest file passed on to the team (a plan or a flyer fits easily)."""
