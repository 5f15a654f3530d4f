"""Pitches remember their card's message in the staff chat, so every change redraws it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN: a batch copy would lose the table's AUTOINCREMENT on SQLite
    op.add_column("pitches", sa.Column("staff_card_message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pitches", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("staff_card_message_id")
