"""Is the database there, and is its schema this version's? Asked by `pitchbot check`,
`pitchbot db current` and anything else that watches a running bot.

Failures come back as :class:`DatabaseProblem` with a one-line reason (the driver's own
words, never the URL), so callers need not know SQLAlchemy's or a driver's exceptions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from storage.database import Database
from storage.migrate import SchemaState, schema_state

T = TypeVar("T")


class DatabaseProblem(Exception):
    """The database could not be reached or asked; the message says why in one line."""


async def ping(database: Database, timeout: float) -> None:
    """Connect and run ``SELECT 1``, within ``timeout`` seconds."""
    await _within(_select_one(database), timeout)


async def schema(database: Database, timeout: float) -> SchemaState:
    """Where the database's schema stands, within ``timeout`` seconds."""
    return await _within(schema_state(database), timeout)


async def _select_one(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _within(work: Awaitable[T], timeout: float) -> T:
    try:
        return await asyncio.wait_for(work, timeout)
    except TimeoutError:
        raise DatabaseProblem(f"no answer within {timeout:g} s") from None
    except DBAPIError as error:
        raise DatabaseProblem(_one_line(str(error.orig))) from None
    except (SQLAlchemyError, OSError) as error:
        raise DatabaseProblem(_one_line(str(error) or type(error).__name__)) from None


def _one_line(said: str) -> str:
    return " ".join(said.split("\n", 1)[0].split())
