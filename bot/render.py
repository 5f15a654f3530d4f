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
    return len(shown.encode("utf-16-le")) // 2


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


def render(catalog: Catalog, language: str, reply: Reply) -> list[Outgoing]:
    """Pack a reply's blocks into as few messages as fit; the keyboard goes on the last."""
    chunks: list[str] = []
    for block in (render_text(catalog, language, b) for b in reply.blocks):
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
