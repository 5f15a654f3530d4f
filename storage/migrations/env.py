"""Alembic environment: migrations on a caller's connection, or on a URL of their own.

With ``config.attributes["connection"]`` set (see :func:`storage.migrate.upgrade`), the
migrations join the caller's connection and transaction. Otherwise the URL comes from
``sqlalchemy.url`` or ``PITCHBOT_DATABASE_URL`` and an async engine runs them under
``asyncio.run``. Logging is never configured here: the application owns it.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from storage.database import DEFAULT_URL, create_database, is_sqlite
from storage.migrate import migration_transaction
from storage.models import Base, FittedString, UTCDateTime, in_schema

config = context.config
target_metadata = Base.metadata


def _render_item(kind: str, obj: Any, _context: AutogenContext) -> str | bool:
    """Render our column types as plain ones, so revisions never import models."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(obj, FittedString):
        return f"sa.String(length={obj.length})"
    return False


def _options(sqlite: bool) -> dict[str, Any]:
    # SQLite cannot ALTER most things in place: batch mode copies the table instead.
    return {
        "target_metadata": target_metadata,
        "render_as_batch": sqlite,
        "render_item": _render_item,
        "include_object": in_schema,
    }


def _url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("PITCHBOT_DATABASE_URL")
        or DEFAULT_URL
    )


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **_options(connection.dialect.name == "sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def _run_own_transaction(connection: Connection) -> None:
    with migration_transaction(connection):
        _run(connection)


async def _run_async(url: str) -> None:
    database = create_database(url)
    try:
        async with database.engine.connect() as connection:
            await connection.run_sync(_run_own_transaction)
    finally:
        await database.dispose()


def _run_offline(url: str) -> None:
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **_options(is_sqlite(url)),
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = config.attributes.get("connection")
if context.is_offline_mode():
    _run_offline(_url())
elif _connection is not None:
    _run(_connection)
else:
    asyncio.run(_run_async(_url()))
