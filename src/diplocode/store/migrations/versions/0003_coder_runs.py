"""coder runs: finished sources per coder, one coding per coder, span and code

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Machine coders run source by source; ``coder_sources`` records each finished source in
the same transaction as its suggestions, so an interrupted run resumes and a repeated
run adds nothing. The unique index guards the same promise at the row level.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coder_sources",
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("n_codings", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coders.id"],
            name=op.f("fk_coder_sources_coder_id_coders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_coder_sources_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("coder_id", "source_id", name=op.f("pk_coder_sources")),
    )
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.create_index(
            "uq_codings_coder_span_code",
            ["coder_id", "source_id", "start", "end", "code_id"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.drop_index("uq_codings_coder_span_code")
    op.drop_table("coder_sources")
