"""One outbox for the staff group: cards, pitchers' messages and notices, in order.

Replaces the two queues before it (pitches whose card was not sent yet, and
pending_relays): what was waiting in them is moved into the outbox, oldest first.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVE_WAITING = """
    INSERT INTO outbox (kind, pitch_id, event_id, payload, queued_at)
    SELECT kind, pitch_id, event_id, {empty}, at FROM (
        SELECT 'card' AS kind, id AS pitch_id, NULL AS event_id, submitted_at AS at
          FROM pitches
         WHERE staff_card_sent_at IS NULL AND submitted_at IS NOT NULL AND status <> 'draft'
        UNION ALL
        SELECT 'relay', events.pitch_id, events.id, pending_relays.queued_at
          FROM pending_relays JOIN events ON events.id = pending_relays.event_id
    ) AS waiting
    ORDER BY at, kind, pitch_id
"""
"""Both old queues into the outbox, oldest first (so ids keep that order)."""


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pitch_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_outbox_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pitch_id"],
            ["pitches.id"],
            name=op.f("fk_outbox_pitch_id_pitches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_outbox_event_id"), "outbox", ["event_id"], unique=False)
    op.create_index(op.f("ix_outbox_pitch_id"), "outbox", ["pitch_id"], unique=False)
    empty = "'{}'::json" if op.get_bind().dialect.name == "postgresql" else "'{}'"
    op.execute(MOVE_WAITING.format(empty=empty))
    op.drop_table("pending_relays")


def downgrade() -> None:
    op.create_table(
        "pending_relays",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_pending_relays_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_pending_relays")),
    )
    op.execute(
        "INSERT INTO pending_relays (event_id, queued_at) "
        "SELECT event_id, queued_at FROM outbox WHERE kind = 'relay'"
    )
    op.drop_index(op.f("ix_outbox_pitch_id"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_event_id"), table_name="outbox")
    op.drop_table("outbox")
