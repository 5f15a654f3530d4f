"""Abstract replies to Telegram messages: HTML text (values escaped) and inline keyboards."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from dialogs.catalog import Catalog
from dialogs.replies import Reply, Text

MESSAGE_LIMIT = 4096
"""Telegram's limit on a message's text after entity parsing."""

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message ready to send."""

    html: str
    markup: InlineKeyboardMarkup | ForceReply | None = None


def visible_length(markup: str) -> int:
    """Length Telegram counts: tags removed, entities decoded, in UTF-16 code units."""
    shown = html.unescape(_TAG.sub("", markup))
    return _units(shown)


def render_text(catalog: Catalog, language: str, item: Text) -> str:
    return catalog.render(language, item, lambda value: html.escape(value, quote=False))


def render_label(catalog: Catalog, language: str, item: Text) -> str:
    """Button labels are plain text in Telegram: no markup, values verbatim."""
    return catalog.render_plain(language, item)


def keyboard(catalog: Catalog, language: str, reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(render_label(catalog, language, b.label), callback_data=b.data)
                for b in row
            ]
            for row in reply.buttons
        ]
    )


def _units(text: str) -> int:
    # surrogatepass: a broken surrogate still counts as one unit instead of raising
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_plain(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Plain text in pieces of at most ``limit`` UTF-16 units, cut at a line break or a
    space where there is one in the second half of the piece."""
    pieces: list[str] = []
    while _units(text) > limit:
        cut, used = 0, 0
        while used + _units(text[cut]) <= limit:
            used += _units(text[cut])
            cut += 1
        space = max(text.rfind("\n", 0, cut + 1), text.rfind(" ", 0, cut + 1))
        cut = space if space > cut // 2 else cut
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    pieces.append(text)
    return [piece for piece in pieces if piece.strip()]


def _blocks(catalog: Catalog, language: str, item: Text) -> list[str]:
    """One block, or, if it alone is longer than a message (a long note or message in a
    pitch's history), its plain text in pieces: the formatting is lost, no word is."""
    block = render_text(catalog, language, item)
    if visible_length(block) <= MESSAGE_LIMIT:
        return [block]
    plain = catalog.render_plain(language, item)
    return [html.escape(piece, quote=False) for piece in split_plain(plain)]


def render(catalog: Catalog, language: str, reply: Reply) -> list[Outgoing]:
    """Pack a reply's blocks into as few messages as fit; the keyboard goes on the last."""
    chunks: list[str] = []
    for block in (piece for b in reply.blocks for piece in _blocks(catalog, language, b)):
        if chunks and visible_length(chunks[-1]) + 2 + visible_length(block) <= MESSAGE_LIMIT:
            chunks[-1] = f"{chunks[-1]}\n\n{block}"
        else:
            chunks.append(block)
    if not chunks:
        return []
    messages = [Outgoing(chunk) for chunk in chunks[:-1]]
    markup: InlineKeyboardMarkup | ForceReply | None = keyboard(catalog, language, reply)
    if markup is None and reply.expects_reply:
        markup = ForceReply()
    messages.append(Outgoing(chunks[-1], markup))
    return messages
