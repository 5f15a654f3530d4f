"""Two webhook workers on one PostgreSQL database, as behind a reverse proxy.

Telegram's updates are spread over both, some delivered to both (a proxy retrying, or
Telegram redelivering), while each worker handles its updates beside the requests. A
pitcher's answers must be neither lost, doubled nor swapped; staff changes to one pitch
all count, once; the staff group's cards are posted once (one worker sends the outbox).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest

from dialogs.flow import load_flow
from storage.database import Database, create_database, is_sqlite
from tests.bot.conftest import OLGA, PIETER, STAFF_CHAT, FrozenClock
from tests.bot.scenario import answers_of, pitch_script, pitches_of
from tests.bot.staff_scenario import FULL, events_of
from tests.bot.workers import Worker, worker
from tests.support.telegram import message_update, press_update

pytestmark = pytest.mark.usefixtures("database")  # the schema, migrated and empty

FLOW = load_flow()


@pytest.fixture
async def workers(database_url: str, clock: FrozenClock) -> AsyncIterator[tuple[Worker, Worker]]:
    """Two worker processes: each its own engine and connection pool on the database."""
    if is_sqlite(database_url):
        pytest.skip("several workers need PostgreSQL (SQLite is one process)")
    async with AsyncExitStack() as stack:
        pair = []
        for _ in range(2):
            database = create_database(database_url)
            stack.push_async_callback(database.dispose)
            pair.append(await stack.enter_async_context(worker(database, clock)))
        yield pair[0], pair[1]


def said_to(pair: tuple[Worker, Worker], chat_id: int) -> list[str]:
    return [p["text"] for w in pair for p in w.request.sent() if p.get("chat_id") == chat_id]


async def one_by_one(w: Worker, updates: list[dict[str, Any]]) -> None:
    """Deliver each update once the one before was handled: one person, one worker."""
    for update in updates:
        assert await w.post(update) == 200
        await w.idle()


async def idle(pair: tuple[Worker, Worker]) -> None:
    for _ in range(2):  # one's turn may run the other's updates: settle both twice
        for w in pair:
            await w.idle()


async def test_pitchers_spread_over_two_workers_lose_double_and_swap_nothing(
    workers: tuple[Worker, Worker], database: Database
) -> None:
    first, second = workers
    # the reference: the same pitch, in turn
    await one_by_one(first, pitch_script(2001, FULL["nl"]))
    expected = answers_of((await pitches_of(database, 2001))[0])
    expected_replies = len(said_to(workers, 2001))

    people = (1001, 1002, 1003)
    scripts = {person: pitch_script(person, FULL["nl"]) for person in people}
    delivered = 0
    for step in range(max(len(script) for script in scripts.values())):
        for person in people:  # the people's updates interleave, as they type at once
            if step >= len(scripts[person]):
                continue
            update = scripts[person][step]
            delivered += 1
            to, other = (first, second) if delivered % 2 else (second, first)
            assert await to.post(update) == 200
            if delivered % 5 == 0:
                assert await other.post(update) == 200  # delivered to both workers
    await idle(workers)

    for person in people:
        sent = [p for p in await pitches_of(database, person) if p.status != "draft"]
        assert len(sent) == 1, f"{person}: {len(sent)} pitches sent"
        assert answers_of(sent[0]) == expected, person
        assert len(said_to(workers, person)) == expected_replies, person
        card_lines = [t for t in said_to(workers, STAFF_CHAT) if sent[0].reference in t]
        assert len(card_lines) == 1, f"{sent[0].reference}: {len(card_lines)} cards"


async def test_a_worker_handles_the_earlier_updates_another_worker_received_first(
    workers: tuple[Worker, Worker], database: Database
) -> None:
    first, second = workers
    await one_by_one(first, [message_update("/start"), press_update("consent:yes:nl")])
    idea, dream = (message_update(FULL["nl"][q.key]) for q in FLOW.questions[:2])
    # the first worker keeps the idea but is slow to handle it; the dream reaches the
    # second worker, whose turn handles the idea first
    kept = await first.inbox.take(idea)
    assert kept is not None
    assert await second.post(dream) == 200
    await second.idle()
    await first.app.update_queue.put(kept)  # the slow worker comes to it at last
    await idle(workers)

    (draft,) = await pitches_of(database, 1001)
    assert answers_of(draft) == {
        FLOW.questions[0].key: FULL["nl"][FLOW.questions[0].key],
        FLOW.questions[1].key: FULL["nl"][FLOW.questions[1].key],
    }
    assert len(said_to(workers, 1001)) == 4  # welcome, question 1, question 2, question 3


async def test_staff_changes_to_one_pitch_from_both_workers_all_count_once(
    workers: tuple[Worker, Worker], database: Database
) -> None:
    first, second = workers
    await one_by_one(first, pitch_script(1001, FULL["nl"]))
    (pitch,) = [p for p in await pitches_of(database, 1001) if p.status != "draft"]
    notes = {
        staff: [message_update(f"/note {pitch.reference} {who} {n}", staff) for n in range(5)]
        for staff, who in ((OLGA, "olga"), (PIETER, "pieter"))
    }
    for n in range(5):
        for staff in (OLGA, PIETER):
            update = notes[staff][n]
            to, other = (first, second) if (n + staff) % 2 else (second, first)
            await to.post(update)
            if n == 2:
                await other.post(update)  # delivered twice
    await idle(workers)

    history = await events_of(database, pitch.reference)
    written = [payload["text"] for kind, _, payload in history if kind == "note"]
    for who in ("olga", "pieter"):
        mine = [text for text in written if text.startswith(who)]
        assert mine == [f"{who} {n}" for n in range(5)]
