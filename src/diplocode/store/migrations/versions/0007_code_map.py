"""codebook evolution: each code of a version -> the code(s) of the next version

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

``code_map`` links every code of a codebook version to the code(s) of the version made
from it: the same key, or a rename, merge or split declared in the new version's
``changes:`` section (``rank`` 0 is the code a split code's codings count for). Analyses
of a version count the human codings and decisions made under its earlier versions
through these links; a coder run never re-suggests a span and code already there.

Existing versions are linked here by key (codes that kept their key; before this
revision no version could declare a rename or merge).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "code_map",
        sa.Column("from_code_id", sa.Integer(), nullable=False),
        sa.Column("to_code_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "relation IN ('same', 'renamed', 'merged', 'split')",
            name=op.f("ck_code_map_relation"),
        ),
        sa.ForeignKeyConstraint(
            ["from_code_id"],
            ["codes.id"],
            name=op.f("fk_code_map_from_code_id_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_code_id"],
            ["codes.id"],
            name=op.f("fk_code_map_to_code_id_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("from_code_id", "to_code_id", name=op.f("pk_code_map")),
    )
    op.create_index("ix_code_map_to_code_id", "code_map", ["to_code_id"], unique=False)
    # existing versions: a code that kept its key in the child version is the same code
    op.execute(
        "INSERT INTO code_map (from_code_id, to_code_id, relation, rank) "
        "SELECT old.id, new.id, 'same', 0 FROM codebook_versions child "
        "JOIN codes new ON new.codebook_version_id = child.id "
        "JOIN codes old ON old.codebook_version_id = child.parent_id AND old.key = new.key "
        "WHERE child.parent_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_code_map_to_code_id", table_name="code_map")
    op.drop_table("code_map")
