"""Privacy over a pitch's life: every consent with its version, one reminder per
abandoned draft (and "stop"), and what stays of an erased pitch.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pitcher_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pitcher_id"],
            ["pitchers.id"],
            name=op.f("fk_consents_pitcher_id_pitchers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_consents_pitcher_id"), "consents", ["pitcher_id"])
    # the consent each pitcher gave so far is the first of their history
    op.execute(
        "INSERT INTO consents (pitcher_id, version, given_at)"
        " SELECT id, consent_version, consent_at FROM pitchers ORDER BY id"
    )
    op.create_table(
        "erased_pitches",
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_erased_pitches")),
    )
    # plain ADD COLUMN: a batch copy would lose the table's AUTOINCREMENT on SQLite
    op.add_column("pitches", sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "pitches",
        sa.Column("reminders_off", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("pitches", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("reminders_off")
        batch.drop_column("reminded_at")
    op.drop_table("erased_pitches")
    op.drop_index(op.f("ix_consents_pitcher_id"), table_name="consents")
    op.drop_table("consents")
