"""Telegram's limits: flood limits only on sending, and no message over 4096 units."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.ext import AIORateLimiter

from bot.limits import SendingRateLimiter
from bot.render import MESSAGE_LIMIT, render, split_plain, visible_length
from dialogs.catalog import Catalog
from dialogs.replies import Reply, text


async def test_lookups_skip_the_flood_limiter_and_messages_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limited: list[str] = []

    async def counting(
        self: AIORateLimiter,
        callback: Any,
        args: Any,
        kwargs: Any,
        endpoint: str,
        data: Any,
        rate_limit_args: Any,
    ) -> Any:
        limited.append(endpoint)
        return await callback(*args, **kwargs)

    monkeypatch.setattr(AIORateLimiter, "process_request", counting)
    limiter = SendingRateLimiter()
    done: list[str] = []

    async def call(name: str) -> bool:
        done.append(name)
        return True

    staff_group = {"chat_id": -100777}
    for endpoint in ("getChatMember", "sendMessage", "editMessageText", "sendDocument"):
        await limiter.process_request(call, (endpoint,), {}, endpoint, staff_group, None)

    assert done == ["getChatMember", "sendMessage", "editMessageText", "sendDocument"]
    assert limited == ["sendMessage", "editMessageText", "sendDocument"]


def test_a_block_longer_than_a_message_is_split_without_losing_a_word() -> None:
    catalog = Catalog.load()
    note = " ".join(f"woord{n}" for n in range(1200)) + " <b>&"  # ~9,000 characters
    reply = Reply((text("staff_event_note", when="2026-11-26 10:00", who="Olga", text=note),))

    messages = render(catalog, "nl", reply)

    assert len(messages) >= 3
    assert all(visible_length(m.html) <= MESSAGE_LIMIT for m in messages)
    shown = " ".join(m.html for m in messages)
    assert all(f"woord{n}" in shown for n in range(1200))
    assert "&lt;b&gt;&amp;" in messages[-1].html


def test_plain_splitting_counts_utf16_and_prefers_spaces() -> None:
    pieces = split_plain("😀" * 3000 + " tail", limit=4096)  # each emoji is 2 units

    assert [len(p.encode("utf-16-le")) // 2 <= 4096 for p in pieces] == [True] * len(pieces)
    assert "".join(pieces).replace(" ", "") == "😀" * 3000 + "tail"
