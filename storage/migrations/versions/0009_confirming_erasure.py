"""A pitcher's open /forgetme question: a "yes" erases only while it is open.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy would lose the table's AUTOINCREMENT on SQLite
    op.add_column(
        "pitchers",
        sa.Column("confirming_erasure", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("pitchers", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("confirming_erasure")
