"""Erasing a pitcher deletes the row (and, by cascade, all theirs): no erased_at marker.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pitchers") as batch:
        batch.drop_column("erased_at")


def downgrade() -> None:
    op.add_column("pitchers", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
