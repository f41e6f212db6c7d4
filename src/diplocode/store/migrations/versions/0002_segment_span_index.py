"""segment span index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Finding the sentence or paragraph that holds a given offset (anchoring a human coding
made in the browser, citing a page) is a range lookup on (source_id, kind, start).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_segments_source_kind_start", ["source_id", "kind", "start"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_index("ix_segments_source_kind_start")
