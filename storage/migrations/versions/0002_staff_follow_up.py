"""Staff follow-up: staff card delivery, known staff members, keyset paging indexes.

Existing submitted pitches keep ``staff_card_sent_at`` NULL: no card was ever sent for
them, so the retry job sends theirs too (oldest first, a batch at a time).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("telegram_user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("username_key", sa.String(length=64), nullable=True),
        sa.Column("first_name", sa.String(length=128), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_user_id", name=op.f("pk_staff_members")),
    )
    op.create_index(
        op.f("ix_staff_members_username_key"), "staff_members", ["username_key"], unique=False
    )

    # A nullable column without default: SQLite adds it in place, no table copy.
    op.add_column(
        "pitches", sa.Column("staff_card_sent_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_pitches_staff_card_sent_at_submitted_at",
        "pitches",
        ["staff_card_sent_at", "submitted_at"],
        unique=False,
    )
    # (status, submitted_at, id) covers every query the old (status, submitted_at) served.
    op.create_index(
        "ix_pitches_status_submitted_at_id",
        "pitches",
        ["status", "submitted_at", "id"],
        unique=False,
    )
    op.drop_index("ix_pitches_status_submitted_at", table_name="pitches")

    op.create_index("ix_events_pitch_id_at", "events", ["pitch_id", "at"], unique=False)
    op.drop_index("ix_events_pitch_id", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_pitch_id", "events", ["pitch_id"], unique=False)
    op.drop_index("ix_events_pitch_id_at", table_name="events")

    op.create_index(
        "ix_pitches_status_submitted_at", "pitches", ["status", "submitted_at"], unique=False
    )
    op.drop_index("ix_pitches_status_submitted_at_id", table_name="pitches")
    op.drop_index("ix_pitches_staff_card_sent_at_submitted_at", table_name="pitches")
    # SQLite drops a column by copying the table: batch mode does that (a plain ALTER elsewhere).
    with op.batch_alter_table("pitches") as batch_op:
        batch_op.drop_column("staff_card_sent_at")

    op.drop_index(op.f("ix_staff_members_username_key"), table_name="staff_members")
    op.drop_table("staff_members")
