"""login failures in the store, so throttling holds across server processes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

With ``diplocode serve --workers N`` every worker process must see the same failed
logins; an in-memory count would give an attacker N times the attempts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_who", "login_failures", ["username", "address", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_login_failures_who", table_name="login_failures")
    op.drop_table("login_failures")
