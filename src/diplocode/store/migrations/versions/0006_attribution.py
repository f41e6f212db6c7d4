"""who a passage is about: the actor gazetteer, each coding's actors, words per source

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

``actor_names`` is the project's gazetteer: the names, short names, adjectives,
capitals, leaders and institutions that stand for an actor, per language (a name that
stands for several actors, such as "C5+1", has one row per actor). ``coding_actors``
holds the actor(s) each coding's passage is about and the rule that decided it
(a mention in the clause holding the evidence, in the sentence, else in the paragraph,
else the source's subject actors, else its author), with the mention as evidence. ``sources.n_words`` is the number of
words of the source's text, the denominator of trends per 10,000 words; existing
sources are counted here.

The built-in gazetteer is seeded, and existing codings attributed, by the library on
first use (``diplocode.attribution.ensure_attributed``), not by this migration: the
names are matched through the language layer, which a migration should not import.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WORD = re.compile(r"\w+")


def upgrade() -> None:
    op.create_table(
        "actor_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "kind IN ('name', 'short', 'adjective', 'capital', 'leader', 'institution')",
            name=op.f("ck_actor_names_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_names_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_names")),
        sa.UniqueConstraint("actor_id", "lang", "name", name="uq_actor_names_actor_lang_name"),
    )
    op.create_table(
        "coding_actors",
        sa.Column("coding_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "rule IN ('clause', 'sentence', 'paragraph', 'subject', 'author')",
            name=op.f("ck_coding_actors_rule"),
        ),
        sa.ForeignKeyConstraint(
            ["coding_id"],
            ["codings.id"],
            name=op.f("fk_coding_actors_coding_id_codings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_coding_actors_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("coding_id", "actor_id", name=op.f("pk_coding_actors")),
    )
    op.create_index("ix_coding_actors_actor_id", "coding_actors", ["actor_id"], unique=False)
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("n_words", sa.Integer(), nullable=True))
    conn = op.get_bind()
    sources = sa.table("sources", sa.column("id"), sa.column("text"), sa.column("n_words"))
    rows = conn.execute(sa.select(sources.c.id, sources.c.text)).all()
    for source_id, text in rows:
        conn.execute(
            sources.update()
            .where(sources.c.id == source_id)
            .values(n_words=sum(1 for _ in _WORD.finditer(text or "")))
        )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("n_words")
    op.drop_index("ix_coding_actors_actor_id", table_name="coding_actors")
    op.drop_table("coding_actors")
    op.drop_table("actor_names")
