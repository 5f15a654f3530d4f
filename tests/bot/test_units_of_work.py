"""Every update is one unit of work: one database transaction, whatever it asks.

Counted with SQLAlchemy's ``begin`` event on the engine: each transaction a session or
connection opens, reads included. A staff member's command or press claims its update,
remembers their name and does what was asked in that one transaction; a pitcher's
answer, press or "send" likewise (the card it queues is posted later, by the sender).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from storage.database import Database
from tests.bot.conftest import OLGA, TeamHarness
from tests.bot.scenario import answer_questions, consent
from tests.bot.staff_scenario import FULL, cards, send_pitch
from tests.support.telegram import Sent


@contextmanager
def transactions(database: Database) -> Iterator[list[int]]:
    """How many transactions the update's own handling began while inside (one item per
    begin); the staff group's sender, which runs beside the handlers in a task of its
    own, is not counted."""
    began: list[int] = []
    handling = asyncio.current_task()

    def count(_connection: Any) -> None:
        if asyncio.current_task() is handling:
            began.append(1)

    event.listen(database.engine.sync_engine, "begin", count)
    try:
        yield began
    finally:
        event.remove(database.engine.sync_engine, "begin", count)


Step = Callable[[TeamHarness, str, Sent], Awaitable[Any]]

STAFF_STEPS: dict[str, Step] = {
    "/new": lambda team, ref, card: team.olga().send("/new"),
    "/pitches": lambda team, ref, card: team.olga().send("/pitches new frigo"),
    "/pitch": lambda team, ref, card: team.olga().send(f"/pitch {ref}"),
    "/status": lambda team, ref, card: team.olga().send(f"/status {ref} in_conversation"),
    "/assign me": lambda team, ref, card: team.olga().send(f"/assign {ref} me"),
    "/note": lambda team, ref, card: team.olga().send(f"/note {ref} bellen"),
    "/stats": lambda team, ref, card: team.olga().send("/stats"),
    "/erase (the question)": lambda team, ref, card: team.olga().send(f"/erase {ref}"),
    "/staffhelp": lambda team, ref, card: team.olga().send("/staffhelp"),
    "/pitch of nothing": lambda team, ref, card: team.olga().send("/pitch P-2026-0999"),
    "take it": lambda team, ref, card: _group(team).tap_on(card, "Ik neem"),
    "in review": lambda team, ref, card: _group(team).tap_on(card, "behandeling"),
    "show all": lambda team, ref, card: _group(team).tap_on(card, "Alles tonen"),
    "reply (the prompt)": lambda team, ref, card: _group(team).tap_on(card, "Antwoorden"),
}


def _group(team: TeamHarness) -> Any:
    return team.in_group(OLGA, "Olga", "olga")


@pytest.mark.parametrize("step", list(STAFF_STEPS))
async def test_every_staff_command_and_button_is_one_transaction(
    team: TeamHarness, step: str
) -> None:
    reference, _ = await send_pitch(team.pitcher())
    [card] = cards(team, reference)
    await team.settle()

    with transactions(team.database) as began:
        await STAFF_STEPS[step](team, reference, card)

    assert len(began) == 1, f"{step}: {len(began)} transactions"


async def test_a_reply_to_the_pitcher_is_stored_first_then_its_receipt(team: TeamHarness) -> None:
    """The one staff action with a second write: the message is stored in its unit of
    work before it is sent; whether Telegram took it is known, and noted, only after."""
    reference, _ = await send_pitch(team.pitcher())
    await team.settle()

    with transactions(team.database) as began:
        await team.olga().send(f"/reply {reference} Zullen we bellen?")

    assert len(began) == 2


@pytest.mark.parametrize("what", ["/start", "consent (a button)", "an answer", "send"])
async def test_every_pitcher_update_is_one_transaction(team: TeamHarness, what: str) -> None:
    anna = team.pitcher()
    if what != "/start":
        await anna.send("/start")
    if what in ("an answer", "send"):
        await consent(anna)
    if what == "send":
        await answer_questions(anna, "nl", answers=FULL["nl"])
    steps: dict[str, Callable[[], Awaitable[list[Sent]]]] = {
        "/start": lambda: anna.send("/start"),
        "consent (a button)": lambda: anna.tap("✅"),
        "an answer": lambda: anna.send("Een buurtfrigo in Borgerhout voor iedereen"),
        "send": lambda: anna.tap("📨"),
    }

    with transactions(team.database) as began:
        await steps[what]()

    assert len(began) == 1, f"{what}: {len(began)} transactions"
