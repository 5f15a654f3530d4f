"""A draft claims the update that changed it, in the same UPDATE that moves it on.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN: a batch copy would lose the table's AUTOINCREMENT on SQLite
    op.add_column("pitches", sa.Column("last_update_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # the person's own claim must cover what their drafts claimed, or a redelivery of an
    # update handled under this revision would act again after the downgrade
    op.execute(
        "UPDATE pitchers SET last_update_id = (SELECT max(p.last_update_id) FROM pitches p"
        " WHERE p.pitcher_id = pitchers.id) WHERE EXISTS (SELECT 1 FROM pitches p"
        " WHERE p.pitcher_id = pitchers.id AND p.last_update_id >"
        " coalesce(pitchers.last_update_id, -1))"
    )
    with op.batch_alter_table("pitches", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("last_update_id")
