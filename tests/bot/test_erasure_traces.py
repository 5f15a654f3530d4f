"""Erasure leaves no trace: a marker planted in everything a pitcher said, in their name
and in what the team said to or about them, is found nowhere after they are erased —
not in any text column of any table, and on SQLite not in the bytes of the database file,
its WAL or its shared memory."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import JSON, String, func, select
from sqlalchemy.types import TypeDecorator, TypeEngine

from storage import updates
from storage.database import Database, sqlite_file
from storage.models import Base, OutboxMessage
from tests.bot.conftest import OLGA, PIETER, TeamHarness
from tests.bot.staff_scenario import FULL, confirm, only, send_pitch
from tests.support.telegram import PrivateChat, new_update_id

ANNA = 1001
TYPED_ELSEWHERE = {"contact": "anna.{marker}@voorbeeld.be"}
"""Answers whose kind checks what is typed: the marker fits in as the kind allows."""


def marked_answers(marker: str) -> dict[str, str]:
    """Every typed answer of a whole pitch, each carrying ``marker``."""
    return {
        key: TYPED_ELSEWHERE[key].format(marker=marker)
        if key in TYPED_ELSEWHERE
        else f"{value} {marker}"
        for key, value in FULL["nl"].items()
    }


async def plant_everywhere(team: TeamHarness, marker: str) -> tuple[PrivateChat, str]:
    """Anna (named with the marker) sends two marked pitches, writes to the team and
    sends a file; the team notes and replies; then Telegram cannot reach her, so a reply
    and the news of a referral with a personal word wait in the outbox for her chat;
    another referral is proposed, not yet sent; two of her updates wait in the inbox.
    The reference to erase by."""
    anna = PrivateChat(
        team.app,
        team.request,
        ANNA,
        f"Anna {marker}",
        "nl",
        username=f"anna_{marker}",
        settle=team.settle,
    )
    first, _ = await send_pitch(anna, answers=marked_answers(marker))
    second, _ = await send_pitch(anna, answers=marked_answers(marker), first=False)
    await anna.send(f"Nog een vraag voor jullie: {marker}")
    await anna.send_raw(
        document={"file_id": "plan", "file_unique_id": "plan-1", "file_size": 4_000},
        caption=f"Ons plan {marker}",
    )
    olga, pieter = team.olga(), team.pieter()
    await olga.send(f"/note {first} Belt terug na 18 uur {marker}")
    await olga.send(f"/reply {first} Dag Anna, mogen we je bellen? {marker}")
    # from now on Telegram cannot reach Anna: what the team says to her waits in the outbox
    team.request.fail_chat(ANNA, 502, "Bad Gateway", times=1_000)
    await olga.send(f"/reply {second} Wanneer past het? {marker}")
    referred = await olga.send(f"/status {first} referred")
    shown = await confirm(olga, referred, "persoonlijk", referral=f"Buurtwerk Noord {marker}")
    word = only(shown, OLGA)[-1]
    assert "schrijf je persoonlijk woord" in word.text
    await olga.reply(word, f"Veel succes, Anna! {marker}")  # goes with the news
    proposal = await pieter.send(f"/status {second} referred")
    await pieter.reply(only(proposal, PIETER)[-1], f"Lies Peeters {marker}")  # not sent yet
    await keep_in_inbox(team.database, anna, marker, team.clock())
    return anna, second


async def keep_in_inbox(database: Database, anna: PrivateChat, marker: str, now: datetime) -> None:
    """Two of Anna's updates as fetched, still in the inbox (handled, not yet flushed)."""
    batch = [
        {"update_id": update_id, "message": anna.message(text=f"Hallo {marker}")}
        for update_id in (new_update_id(), new_update_id())
    ]
    async with database.transaction() as session:
        keys = {u["update_id"]: ANNA for u in batch}
        await updates.receive(session, batch, [], now, keys)


async def waiting_for(database: Database, chat_id: int) -> int:
    """How many of the team's messages wait in the outbox for ``chat_id``."""
    async with database.sessions() as session:
        query = select(func.count()).where(OutboxMessage.chat_id == chat_id)
        return (await session.execute(query)).scalar_one()


async def found_in_tables(database: Database, marker: str) -> list[str]:
    """Every text-like column of every table where ``marker`` occurs (any case)."""
    hits: list[str] = []
    async with database.sessions() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if _text_like(c.type)]
            if not columns:
                continue
            for row in await session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if marker.lower() in _as_text(value).lower():
                        hits.append(f"{table.name}.{column.name}")
    return hits


def _text_like(kind: TypeEngine[Any]) -> bool:
    """Text, strings (names cut to fit too) and JSON: whatever can hold words."""
    stored = kind.impl_instance if isinstance(kind, TypeDecorator) else kind
    return isinstance(stored, String | JSON)  # Text is a String


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def found_in_files(database_url: str, marker: str) -> list[str]:
    """The SQLite files (database, -wal, -shm) whose bytes hold ``marker`` (any case)."""
    path = sqlite_file(database_url)
    assert path is not None
    files = [path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))]
    needle = marker.lower().encode()
    return [f.name for f in files if f.exists() and needle in f.read_bytes().lower()]


def holds(database_url: str, marker: str) -> list[str]:
    return found_in_files(database_url, marker) if sqlite_file(database_url) else []


@pytest.mark.parametrize("who", ["pitcher", "team"])
async def test_after_an_erasure_the_marker_is_nowhere(
    team: TeamHarness, database_url: str, who: str
) -> None:
    marker = f"ZQX{uuid4().hex}"
    anna, reference = await plant_everywhere(team, marker)
    planted = set(await found_in_tables(team.database, marker))
    assert planted >= {
        "pitchers.first_name",
        "pitchers.username",
        "answers.value",
        "events.payload",
        "outbox.payload",
        "status_proposals.referral",
        "inbox.payload",
    }, "the marker is everywhere before"
    assert await waiting_for(team.database, ANNA) >= 2, "the team's words to her wait"
    if sqlite_file(database_url):
        assert found_in_files(database_url, marker), "and in the files"

    if who == "pitcher":
        await anna.send("/forgetme")  # the question does not reach her: she presses yes
        await anna.press("forget:yes")
    else:
        olga = team.olga()
        await olga.tap_on(only(await olga.send(f"/erase {reference}"), OLGA)[0], "Ja")
    await team.settle()

    assert await found_in_tables(team.database, marker) == []
    assert holds(database_url, marker) == []
