"""Each sent pitch may have its own topic in a forum staff group, found by its thread id.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN: a batch copy would lose the table's AUTOINCREMENT on SQLite
    op.add_column("pitches", sa.Column("staff_topic_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "pitches",
        sa.Column("staff_topic_closed", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index("ix_pitches_staff_topic_id", "pitches", ["staff_topic_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_pitches_staff_topic_id", table_name="pitches")
    with op.batch_alter_table("pitches", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("staff_topic_closed")
        batch.drop_column("staff_topic_id")
