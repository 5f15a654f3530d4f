"""Status changes a staff member is about to make, kept between preview and choice.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "status_proposals",
        sa.Column("staff_user_id", sa.BigInteger(), nullable=False),
        sa.Column("pitch_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("referral", sa.Text(), nullable=True),
        sa.Column("waiting", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pitch_id"],
            ["pitches.id"],
            name=op.f("fk_status_proposals_pitch_id_pitches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_user_id", "pitch_id", name=op.f("pk_status_proposals")),
    )


def downgrade() -> None:
    op.drop_table("status_proposals")
