"""web workbench: server-side sessions; who last changed a coding

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

``web_sessions`` holds one row per logged-in browser: the SHA-256 of the session token
(the token itself lives only in the cookie), the CSRF token and the expiry.
``codings.updated_by`` records who reviewed or last changed a coding, so blind coding
can show a coder only the codings they made or reviewed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_by", sa.String(length=128), nullable=True))
        batch_op.create_index("ix_codings_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.drop_index("ix_codings_status")
        batch_op.drop_column("updated_by")
    op.drop_table("web_sessions")
