"""One person's updates run in order; a slow chat never holds up anyone else."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update

from bot.ordering import PerChatUpdateProcessor


def update_in(chat_id: int, update_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, datetime(2026, 11, 26, tzinfo=UTC), chat, text="hallo")
    return Update(update_id, message=message)


async def test_a_slow_chat_does_not_hold_up_another_chat() -> None:
    processor = PerChatUpdateProcessor()
    release = asyncio.Event()
    done: list[str] = []

    async def slow() -> None:
        await release.wait()  # e.g. a card queued behind the flood-limit rate limiter
        done.append("anna")

    async def quick() -> None:
        done.append("bert")

    anna = asyncio.create_task(processor.process_update(update_in(1001, 1), slow()))
    await processor.process_update(update_in(1002, 2), quick())

    assert done == ["bert"]
    release.set()
    await anna
    assert done == ["bert", "anna"]


async def test_one_persons_updates_run_in_the_order_they_came() -> None:
    processor = PerChatUpdateProcessor()
    release = asyncio.Event()
    done: list[str] = []

    async def first() -> None:
        await release.wait()
        done.append("first")

    async def second() -> None:
        done.append("second")

    one = asyncio.create_task(processor.process_update(update_in(1001, 1), first()))
    two = asyncio.create_task(processor.process_update(update_in(1001, 2), second()))
    await processor.process_update(update_in(1002, 3), asyncio.sleep(0))

    assert done == []  # the second waits for the first, though it is quick
    release.set()
    await asyncio.gather(one, two)
    assert done == ["first", "second"]
    assert processor._locks == {}  # idle chats are forgotten


async def test_one_chat_flooding_the_bot_does_not_delay_another_chat() -> None:
    """150 messages of one chat queue on that chat's turn, not on the shared slots."""
    processor = PerChatUpdateProcessor(max_concurrent_updates=64)
    release = asyncio.Event()
    done: list[str] = []

    async def flood() -> None:
        await release.wait()
        done.append("flood")

    async def newcomer() -> None:
        done.append("newcomer")

    flooding = [
        asyncio.create_task(processor.process_update(update_in(1001, n), flood()))
        for n in range(150)
    ]
    await asyncio.sleep(0)  # every flooding update is waiting now

    await asyncio.wait_for(processor.process_update(update_in(1002, 999), newcomer()), 1)

    assert done == ["newcomer"]
    release.set()
    await asyncio.gather(*flooding)
    assert done.count("flood") == 150
