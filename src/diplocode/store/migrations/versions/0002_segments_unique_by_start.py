"""segments unique by span start

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Segments are looked up by offset (which sentence holds this coding? which page is this
quote on?), a range query on (source_id, kind, start). Segments of one kind never share a
start, so one unique index on (source_id, kind, start) both guards against duplicate
segments and serves those look-ups, replacing the unique index on ordinals: one index
to maintain per inserted segment instead of two.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_segments_source_kind_ordinal", type_="unique")
        batch_op.create_unique_constraint(
            "uq_segments_source_kind_start", ["source_id", "kind", "start"]
        )


def downgrade() -> None:
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_segments_source_kind_start", type_="unique")
        batch_op.create_unique_constraint(
            "uq_segments_source_kind_ordinal", ["source_id", "kind", "ordinal"]
        )
