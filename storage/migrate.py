"""Bring a database to the newest schema with Alembic, from async code or a CLI.

The migration scripts ship inside the package, so this works from any working directory
and from an installed wheel; ``alembic.ini`` at the repository root is only for
developers writing new revisions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.script.revision import RevisionError
from sqlalchemy import Connection

from storage.database import Database

SCRIPT_LOCATION = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config without an ini file (so nothing reconfigures logging)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if url is not None:
        # ConfigParser interpolates "%": a percent-encoded password must survive it.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(database: Database) -> None:
    """Migrate to head on one of the database's own connections."""
    async with database.engine.connect() as connection:
        await connection.run_sync(_upgrade, alembic_config())


def _upgrade(connection: Connection, config: Config) -> None:
    with migration_transaction(connection):
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def upgrade_url(url: str) -> None:
    """Migrate ``url`` to head; for command lines, where no event loop runs yet."""
    command.upgrade(alembic_config(url), "head")


async def pending(database: Database) -> bool:
    """Whether the database is behind (or not at) the newest revision."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    async with database.engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: set(MigrationContext.configure(sync).get_current_heads())
        )
    return current != heads


@dataclass(frozen=True)
class Migration:
    """One migration script: its revision and the first line of its description."""

    revision: str
    message: str


@dataclass(frozen=True)
class SchemaState:
    """Where a database's schema stands against the migrations this version ships."""

    current: tuple[str, ...]
    """The database's revisions (empty: no schema yet)."""
    heads: tuple[str, ...]
    pending: tuple[Migration, ...]
    """What `db upgrade` would apply, newest first."""
    unknown: tuple[str, ...] = ()
    """Revisions in the database that this version does not know (a newer version
    migrated it)."""

    @property
    def at_head(self) -> bool:
        return not self.unknown and set(self.current) == set(self.heads)


def migrations() -> list[Migration]:
    """Every migration this version ships, newest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [_migration(revision) for revision in script.walk_revisions()]


def state_of(current: tuple[str, ...]) -> SchemaState:
    """Where a schema at the ``current`` revisions stands (nothing is connected)."""
    script = ScriptDirectory.from_config(alembic_config())
    heads = tuple(script.get_heads())
    try:
        pending = script.iterate_revisions("heads", current or "base")
        return SchemaState(current, heads, tuple(_migration(r) for r in pending))
    except RevisionError:
        known = {revision.revision for revision in script.walk_revisions()}
        return SchemaState(current, heads, (), tuple(r for r in current if r not in known))


async def schema_state(database: Database) -> SchemaState:
    """Where the database's schema stands; reads only the alembic_version table."""
    async with database.engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: tuple(MigrationContext.configure(sync).get_current_heads())
        )
    return state_of(current)


def _migration(revision: Script) -> Migration:
    return Migration(revision.revision, " ".join(revision.doc.split()))


@contextmanager
def migration_transaction(connection: Connection) -> Iterator[None]:
    """Run migrations in one transaction; on SQLite with foreign keys switched off.

    SQLite "batch" migrations copy a table, drop the original and rename the copy. With
    foreign keys on, that DROP deletes every row first and cascades into child tables,
    so answers and events would vanish. The pragma only works outside a transaction,
    and the keys are checked before commit and switched back on afterwards.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            yield
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration left dangling foreign keys: {broken}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
