"""Staff redeliveries are caught per update (handled_updates), not per person.

One member's updates from the staff group and from a private chat run concurrently, so
"ids only grow" did not hold per person: a press in the group followed by a private
command had the command dropped as a redelivery.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_handled_updates")),
    )
    op.create_index(
        op.f("ix_handled_updates_handled_at"), "handled_updates", ["handled_at"], unique=False
    )
    with op.batch_alter_table("staff_members") as batch:
        batch.drop_column("last_update_id")


def downgrade() -> None:
    op.add_column("staff_members", sa.Column("last_update_id", sa.BigInteger(), nullable=True))
    op.drop_index(op.f("ix_handled_updates_handled_at"), table_name="handled_updates")
    op.drop_table("handled_updates")
