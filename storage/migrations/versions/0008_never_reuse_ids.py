"""SQLite: ids are never handed out twice (AUTOINCREMENT), like PostgreSQL's sequences.

Without AUTOINCREMENT, SQLite gives a new row the highest id plus one, so erasing the
newest pitch made the next pitch take its id, and a staff button drawn for the erased
pitch acted on the new one. The tables are copied (batch mode, foreign keys off, see
:func:`storage.migrate.migration_transaction`) with every row and id kept; SQLite then
counts on from the highest id present. PostgreSQL already never reuses a serial id.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("pitchers", "pitches", "answers", "events")
"""Every table whose integer id the database hands out."""


def _copy(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _copy(autoincrement=True)


def downgrade() -> None:
    _copy(autoincrement=False)
