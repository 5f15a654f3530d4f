"""`pitchbot db current` and `pitchbot db history`: where the schema stands, read through
Alembic (`db upgrade` is :func:`cli.main.prepare_database`)."""

from __future__ import annotations

import asyncio

from bot.settings import Settings
from storage.database import create_database, shown_url, sqlite_file
from storage.health import DatabaseProblem, schema
from storage.migrate import SchemaState, migrations, state_of

TIMEOUT = 5.0
"""Seconds to reach the database."""
MESSAGE_WIDTH = 64
SHOWN_PENDING = 5


class DatabaseUnreachable(Exception):
    """The schema could not be read; the message says why."""


def current(settings: Settings) -> int:
    """The database's revision and whether it is at head: 0 at head, 1 otherwise."""
    state, note = _state(settings)
    print(f"database {shown_url(settings.database_url)}")
    if state.unknown:
        print(f"revision {', '.join(state.unknown)}: unknown to this version")
        print("a newer pitchbot migrated this database: run that version")
        return 1
    head = " (head)" if state.at_head else ""
    print(f"revision {', '.join(state.current) or f'none ({note})'}{head}")
    if state.at_head:
        print("at head")
        return 0
    print(f"behind: {len(state.pending)} migration(s) pending, run `pitchbot db upgrade`")
    for migration in state.pending[:SHOWN_PENDING]:
        print(f"  {migration.revision}  {_short(migration.message)}")
    if len(state.pending) > SHOWN_PENDING:
        print(f"  … and {len(state.pending) - SHOWN_PENDING} more (`pitchbot db history`)")
    return 1


def history(settings: Settings) -> int:
    """Every migration, newest first, the database's own marked ``[current]``."""
    state, note = _state(settings)
    print(f"database {shown_url(settings.database_url)}")
    heads, here = set(state.heads), set(state.current)
    for migration in migrations():
        tags = []
        if migration.revision in here:
            tags.append("current")
        if migration.revision in heads:
            tags.append("head")
        marks = f"  [{', '.join(tags)}]" if tags else ""
        print(f"{migration.revision}  {_short(migration.message)}{marks}")
    if state.unknown:
        print(f"the database is at {', '.join(state.unknown)}, unknown to this version")
    elif not state.current:
        print(f"the database has no schema yet ({note})")
    return 0


def _state(settings: Settings) -> tuple[SchemaState, str]:
    """The schema's state, and what to say when it has none."""
    file = sqlite_file(settings.database_url)
    if file is not None and not file.exists():
        return state_of(()), "no file yet"  # not created by looking

    async def read() -> SchemaState:
        database = create_database(settings.database_url)
        try:
            return await schema(database, TIMEOUT)
        finally:
            await database.dispose()

    try:
        return asyncio.run(read()), "empty database"
    except DatabaseProblem as problem:
        raise DatabaseUnreachable(
            f"cannot read the schema of {shown_url(settings.database_url)}: {problem}"
        ) from None


def _short(message: str) -> str:
    """The message, cut after its last whole word that fits."""
    if len(message) <= MESSAGE_WIDTH:
        return message
    return message[: MESSAGE_WIDTH - 1].rsplit(" ", 1)[0].rstrip(",:;") + "…"
