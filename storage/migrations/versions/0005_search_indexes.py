"""Indexes for staff lookups with a million pitches: newest first, and word search.

``pitches (submitted_at, id)`` serves /pitches without a status (and searches) newest
first. On PostgreSQL, a pg_trgm GIN index on ``lower(answers.value)`` lets "contains
this word" use an index instead of reading every answer; pg_trgm ships with PostgreSQL
and is a trusted extension (the database owner may create it). SQLite keeps scanning.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_pitches_submitted_at_id", "pitches", ["submitted_at", "id"])
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_answers_value_trgm ON answers USING gin (lower(value) gin_trgm_ops)"
        )


def downgrade() -> None:
    # The extension stays: other database objects may use it by now.
    if op.get_context().dialect.name == "postgresql":
        op.drop_index("ix_answers_value_trgm", table_name="answers")
    op.drop_index("ix_pitches_submitted_at_id", table_name="pitches")
