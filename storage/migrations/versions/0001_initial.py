"""Initial schema: pitchers, pitches, answers, events, reference counters, group notices.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_notices",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_group_notices")),
    )
    op.create_table(
        "pitchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("first_name", sa.String(length=128), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_version", sa.String(length=32), nullable=False),
        sa.Column("last_update_id", sa.BigInteger(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pitchers")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_pitchers_telegram_user_id")),
    )
    op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "pitches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=True),
        sa.Column("pitcher_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column("phase", sa.String(length=16), server_default="asking", nullable=False),
        sa.Column("nudged", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("editing", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("flow_version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["pitcher_id"],
            ["pitchers.id"],
            name=op.f("fk_pitches_pitcher_id_pitchers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pitches")),
        sa.UniqueConstraint("reference", name=op.f("uq_pitches_reference")),
    )
    op.create_index(
        "ix_pitches_pitcher_id_status", "pitches", ["pitcher_id", "status"], unique=False
    )
    op.create_index(
        "ix_pitches_status_submitted_at", "pitches", ["status", "submitted_at"], unique=False
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pitch_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pitch_id"],
            ["pitches.id"],
            name=op.f("fk_answers_pitch_id_pitches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.UniqueConstraint(
            "pitch_id", "question_key", name=op.f("uq_answers_pitch_id_question_key")
        ),
    )
    op.create_index(
        "ix_answers_pitch_id_message_id", "answers", ["pitch_id", "message_id"], unique=False
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pitch_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pitch_id"],
            ["pitches.id"],
            name=op.f("fk_events_pitch_id_pitches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_pitch_id"), "events", ["pitch_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_events_pitch_id"), table_name="events")
    op.drop_table("events")
    op.drop_index("ix_answers_pitch_id_message_id", table_name="answers")
    op.drop_table("answers")
    op.drop_index("ix_pitches_status_submitted_at", table_name="pitches")
    op.drop_index("ix_pitches_pitcher_id_status", table_name="pitches")
    op.drop_table("pitches")
    op.drop_table("reference_counters")
    op.drop_table("pitchers")
    op.drop_table("group_notices")
