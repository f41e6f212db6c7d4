"""The project store's tables (SQLAlchemy Core).

The schema is owned by the Alembic migrations in ``store/migrations``; this module is the
query-side description of the same tables and a test checks the two agree.

Offsets (``start``/``end``) are code points into the source's normalised text
(``sources.text``), half-open ``[start, end)``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Source groups: the article's three groups of open sources plus those its
#: "future research" names.
SOURCE_GROUPS = ("official", "academic", "analytical", "media", "interview", "other")
#: How an actor relates to a source.
ACTOR_ROLES = ("author", "co-signatory", "subject")
#: Coding statuses (ARCHITECTURE.md: a suggestion never silently becomes final).
CODING_STATUSES = ("suggested", "accepted", "rejected", "final")
#: Coder kinds.
CODER_KINDS = ("human", "lexicon", "classifier", "embedding", "llm")
#: User roles.
USER_ROLES = ("owner", "coder", "viewer")
#: Segment kinds.
SEGMENT_KINDS = ("paragraph", "sentence")
#: What a gazetteer name is of its actor (migration 0006).
ACTOR_NAME_KINDS = ("name", "short", "adjective", "capital", "leader", "institution")
#: How a coding's actor was found: a mention in the clause holding the evidence (when
#: the sentence names several actors), else in the sentence, else in the paragraph, else
#: the source's subject actors, else its author(s) (migration 0006).
ATTRIBUTION_RULES = ("clause", "sentence", "paragraph", "subject", "author")
#: How a code of a codebook version follows from a code of its parent (migration 0007).
CODE_RELATIONS = ("same", "renamed", "merged", "split")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


project_meta = Table(
    "project_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(128), nullable=False, unique=True),
    Column("display_name", String(256)),
    Column("role", String(16), nullable=False, server_default="coder"),
    Column("password_hash", String(256)),
    Column("created_at", String(32), nullable=False),
    CheckConstraint(_in("role", USER_ROLES), name="role"),
)

actors = Table(
    "actors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(128), nullable=False, unique=True),
    Column("name", String(256), nullable=False),
    Column("kind", String(32), nullable=False, server_default="state"),
    Column("created_at", String(32), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("source_group", String(16), nullable=False, server_default="other"),
    Column("date_year", Integer),
    Column("date_month", Integer),
    Column("date_day", Integer),
    Column("language", String(8)),  # the language covering most characters
    Column("languages", JSON, nullable=False),  # {lang: share of characters}
    Column("url", Text),
    Column("publisher", Text),
    Column("original_filename", Text),
    Column("media_type", String(128), nullable=False),
    Column("encoding", String(32)),
    Column("sha256_bytes", String(64), nullable=False, unique=True),
    Column("sha256_text", String(64), nullable=False),
    Column("n_bytes", BigInteger, nullable=False),
    Column("n_chars", Integer, nullable=False),
    Column("n_words", Integer),  # words (\w+ runs) of the text (migration 0006)
    Column("text", Text, nullable=False),
    Column("page_map", JSON, nullable=False),  # [[page_no, start, end], ...]
    Column("extra", JSON, nullable=False),  # reader metadata, manifest extras
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(128), nullable=False),
    CheckConstraint(_in("source_group", SOURCE_GROUPS), name="source_group"),
    CheckConstraint("date_month IS NULL OR (date_month BETWEEN 1 AND 12)", name="date_month"),
    CheckConstraint("date_day IS NULL OR (date_day BETWEEN 1 AND 31)", name="date_day"),
)
Index("ix_sources_date_year", sources.c.date_year)
Index("ix_sources_language", sources.c.language)
Index("ix_sources_sha256_text", sources.c.sha256_text)

source_actors = Table(
    "source_actors",
    metadata,
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("actor_id", Integer, ForeignKey("actors.id", ondelete="RESTRICT"), primary_key=True),
    Column("role", String(16), primary_key=True),
    CheckConstraint(_in("role", ACTOR_ROLES), name="role"),
)
Index("ix_source_actors_actor_id", source_actors.c.actor_id)

#: The project's actor gazetteer (migration 0006): what names stand for which actor.
actor_names = Table(
    "actor_names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("actor_id", Integer, ForeignKey("actors.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("lang", String(8), nullable=False),
    Column("kind", String(16), nullable=False),
    CheckConstraint(_in("kind", ACTOR_NAME_KINDS), name="kind"),
    UniqueConstraint("actor_id", "lang", "name", name="uq_actor_names_actor_lang_name"),
)

segments = Table(
    "segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("ordinal", Integer, nullable=False),  # position among segments of its kind
    Column("paragraph", Integer, nullable=False),  # ordinal of the paragraph holding it
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("language", String(8)),
    Column("language_method", String(16)),  # detected | inherited | declared
    Column("page", Integer),
    CheckConstraint(_in("kind", SEGMENT_KINDS), name="kind"),
    CheckConstraint('"start" >= 0 AND "end" >= "start"', name="span"),
    # one index: uniqueness and the offset look-up (which segment holds position x?)
    UniqueConstraint("source_id", "kind", "start", name="uq_segments_source_kind_start"),
)

codebook_versions = Table(
    "codebook_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False),
    Column("version", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("content", JSON, nullable=False),
    Column("parent_id", Integer, ForeignKey("codebook_versions.id")),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(128), nullable=False),
)

codes = Table(
    "codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "codebook_version_id",
        Integer,
        ForeignKey("codebook_versions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("key", String(128), nullable=False),
    Column("dimension", String(64), nullable=False),
    Column("parent_key", String(128)),
    Column("labels", JSON, nullable=False),  # {lang: label}
    Column("definition", JSON, nullable=False),  # {lang: text}
    UniqueConstraint("codebook_version_id", "key", name="uq_codes_version_key"),
)

#: Each code of a codebook version -> the code(s) of the next version it became
#: (migration 0007): the same key, or a declared rename, merge or split (``rank`` 0 is the
#: code a split code's codings count for). A deleted code has no row.
code_map = Table(
    "code_map",
    metadata,
    Column("from_code_id", Integer, ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True),
    Column("to_code_id", Integer, ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True),
    Column("relation", String(16), nullable=False),
    Column("rank", Integer, nullable=False, default=0),
    CheckConstraint(_in("relation", CODE_RELATIONS), name="relation"),
)
Index("ix_code_map_to_code_id", code_map.c.to_code_id)

coders = Table(
    "coders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(128), nullable=False),
    Column("version", String(64), nullable=False),
    Column("params", JSON, nullable=False),
    Column("params_hash", String(64), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("created_at", String(32), nullable=False),
    CheckConstraint(_in("kind", CODER_KINDS), name="kind"),
    UniqueConstraint("kind", "name", "version", "params_hash", name="uq_coders_identity"),
)

codings = Table(
    "codings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("segment_id", Integer, ForeignKey("segments.id", ondelete="SET NULL")),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", Integer, ForeignKey("codes.id"), nullable=False),
    Column("codebook_version_id", Integer, ForeignKey("codebook_versions.id"), nullable=False),
    Column("coder_id", Integer, ForeignKey("coders.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("score", Float),
    Column("evidence", JSON, nullable=False),
    Column("memo", Text),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("updated_at", String(32)),
    Column("updated_by", String(128)),  # who reviewed or last changed it (migration 0004)
    CheckConstraint(_in("status", CODING_STATUSES), name="status"),
    CheckConstraint('"start" >= 0 AND "end" >= "start"', name="span"),
)
#: The fields of a coding that its audit digest covers (audit.coding_digest).
CODING_FIELDS = (
    "id",
    "source_id",
    "start",
    "end",
    "code_id",
    "codebook_version_id",
    "coder_id",
    "status",
    "score",
    "evidence",
    "memo",
)

Index("ix_codings_source_id", codings.c.source_id)
# one coder never codes the same span with the same code twice: re-runs add nothing
Index(
    "uq_codings_coder_span_code",
    codings.c.coder_id,
    codings.c.source_id,
    codings.c.start,
    codings.c.end,
    codings.c.code_id,
    unique=True,
)

#: Who each coding's passage is about (migration 0006), and by which rule.
coding_actors = Table(
    "coding_actors",
    metadata,
    Column("coding_id", Integer, ForeignKey("codings.id", ondelete="CASCADE"), primary_key=True),
    Column("actor_id", Integer, ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
    Column("rule", String(16), nullable=False),
    Column("evidence", JSON(none_as_null=True)),  # the mention: name, surface, start, end
    CheckConstraint(_in("rule", ATTRIBUTION_RULES), name="rule"),
)
Index("ix_coding_actors_actor_id", coding_actors.c.actor_id)

#: Which sources a machine coder has finished (one row per coder and source, written in
#: the same transaction as that source's suggestions): a killed run resumes where it
#: stopped, and a finished one is not redone.
coder_sources = Table(
    "coder_sources",
    metadata,
    Column("coder_id", Integer, ForeignKey("coders.id", ondelete="CASCADE"), primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("n_codings", Integer, nullable=False),
    Column("finished_at", String(32), nullable=False),
)
Index("ix_codings_code_id", codings.c.code_id)
Index("ix_codings_coder_id", codings.c.coder_id)
Index("ix_codings_status", codings.c.status)

#: Failed logins (migration 0005): shared by every server process, for throttling.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(128), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", Float, nullable=False),  # seconds since the epoch
)
Index(
    "ix_login_failures_who",
    login_failures.c.username,
    login_failures.c.address,
    login_failures.c.at,
)

#: One row per logged-in browser (migration 0004); the token itself is only in the cookie.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
)

memos = Table(
    "memos",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE")),
    Column("coding_id", Integer, ForeignKey("codings.id", ondelete="CASCADE")),
    Column("code_key", String(128)),
    Column("text", Text, nullable=False),
    Column("author", String(128), nullable=False),
    Column("created_at", String(32), nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ts", String(32), nullable=False),
    Column("actor", String(128), nullable=False),  # who: a user name or "system"
    Column("kind", String(64), nullable=False),
    Column("source_id", Integer),  # no FK: the log outlives deleted sources
    Column("code_key", String(128)),
    Column("payload", Text, nullable=False),  # canonical JSON, hashed as stored
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)
Index("ix_audit_events_kind", audit_events.c.kind)
Index("ix_audit_events_source_id", audit_events.c.source_id)

#: One row (id = 1): the head of the audit chain. Updating it inside every audited
#: transaction serialises appends on PostgreSQL (row lock) as SQLite's write lock does.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)
