"""Queries about sources, their actors and segments: one function per query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, Text, and_, bindparam, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..errors import DiplocodeError
from . import inserted_id, now
from .schema import actors, codings, segments, source_actors, sources

# columns that listing needs (never the text)
_LIST_COLUMNS = [
    sources.c.id,
    sources.c.extra,
    sources.c.title,
    sources.c.source_group,
    sources.c.date_year,
    sources.c.date_month,
    sources.c.date_day,
    sources.c.language,
    sources.c.media_type,
    sources.c.original_filename,
    sources.c.n_chars,
    sources.c.sha256_bytes,
    sources.c.created_at,
]


# Statements on the ingest hot path are built once: building a Core statement per call
# (coercing every value) cost more than executing it.
_SOURCE_BY_SHA = select(sources.c.id).where(sources.c.sha256_bytes == bindparam("sha"))
_INSERT_SOURCE = sources.insert()


def source_id_by_sha(conn: Connection, sha256_bytes: str) -> int | None:
    return conn.execute(_SOURCE_BY_SHA, {"sha": sha256_bytes}).scalar()


def get_or_create_actor(
    conn: Connection, key: str, name: str, cache: dict[str, int] | None = None
) -> int:
    """The id of the actor with ``key``, creating it (named ``name``) if new."""
    if cache is not None and key in cache:
        return cache[key]
    actor_id = conn.execute(select(actors.c.id).where(actors.c.key == key)).scalar()
    if actor_id is None:
        actor_id = inserted_id(
            conn.execute(actors.insert().values(key=key, name=name, created_at=now()))
        )
    if cache is not None:
        cache[key] = int(actor_id)
    return int(actor_id)


def insert_source(conn: Connection, row: dict[str, Any]) -> int:
    return inserted_id(conn.execute(_INSERT_SOURCE, row))


#: Column order of the tuples :func:`insert_segments` takes.
SEGMENT_COLUMNS = (
    "source_id",
    "kind",
    "ordinal",
    "paragraph",
    "start",
    "end",
    "language",
    "language_method",
    "page",
)


def insert_segments(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Bulk-insert segment tuples (in :data:`SEGMENT_COLUMNS` order).

    A source has hundreds of segments; a driver-level ``executemany`` of plain tuples
    avoids building a parameter dict per row, which dominated ingest time.
    """
    if not rows:
        return
    columns = ", ".join(f'"{c}"' for c in SEGMENT_COLUMNS)
    if conn.dialect.name == "postgresql":
        # COPY streams all rows in one round trip, inside the caller's transaction
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY segments ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    placeholders = ", ".join([mark] * len(SEGMENT_COLUMNS))
    conn.exec_driver_sql(f"INSERT INTO segments ({columns}) VALUES ({placeholders})", list(rows))


def link_actors(conn: Connection, source_id: int, links: Sequence[tuple[int, str]]) -> None:
    if links:
        conn.execute(
            source_actors.insert(),
            [{"source_id": source_id, "actor_id": a, "role": r} for a, r in links],
        )


@dataclass(frozen=True)
class SourceFilter:
    """Filters for listing sources; ``None`` means no filter."""

    actor: str | None = None  # actor key or name (case-insensitive)
    group: str | None = None
    language: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    text: str | None = None  # substring of the title or original file name
    fulltext: str | None = None  # substring of the document text, case-insensitive
    has_codings: bool | None = None  # any coding that is not rejected
    actor_id: int | None = None  # the actor ``actor`` names, found by :meth:`validate`
    #: custom attributes (manifest columns, reader metadata): (key, value) pairs, all must hold
    attributes: tuple[tuple[str, str], ...] = ()

    def validate(
        self,
        languages: Sequence[str] | None = None,
        conn: Connection | None = None,
        *,
        names: Mapping[str, str] | None = None,
    ) -> SourceFilter:
        """This filter, normalised and with its actor found, if every field holds a valid
        value; else a coded error naming the field and listing the valid values.

        The one check every interface shares (``diplocode sources``, ``code``,
        ``retrieve``, the web corpus and its API). ``languages`` are the project's (E024
        for another); with ``conn`` the actor is found through the gazetteer, so any of
        its names works (E103 with close matches for an unknown one). ``names`` spells
        the fields as the interface does (``{"year_from": "--from"}``) for the messages.

        >>> SourceFilter(group=" Official ", year_from=2013).validate().group
        'official'
        >>> SourceFilter(year_from=2030, year_to=2020).validate()
        Traceback (most recent call last):
        ...
        diplocode.errors.DiplocodeError: [E120] year_from/year_to: the period 2030-2020 is empty: the first year comes after the last. Give a first year before or equal to the last one, or leave one of them out.
        """
        from ..corpus.metadata import check_group, check_language  # the vocabularies above

        name = {**FILTER_NAMES, **(names or {})}
        check_period(self.year_from, self.year_to, name["year_from"], name["year_to"])
        language = (self.language or "").strip().lower() or None
        if languages is not None:
            language = check_language(self.language, name["language"], languages)
        actor = (self.actor or "").strip() or None
        if self.attributes and conn is not None:
            check_attributes(conn, [k for k, _ in self.attributes], "attribute")
        return replace(
            self,
            actor=actor,
            group=check_group(self.group, name["group"]),
            language=language,
            actor_id=find_actor_id(conn, actor) if actor and conn is not None else None,
        )

    def where(self) -> list[Any]:
        clauses: list[Any] = []
        if self.actor:
            clauses.append(has_actor(sources.c.id, self.actor, self.actor_id))
        if self.has_codings is not None:
            any_coding = exists(
                select(codings.c.id).where(
                    codings.c.source_id == sources.c.id, codings.c.status != "rejected"
                )
            )
            clauses.append(any_coding if self.has_codings else ~any_coding)
        if self.group:
            clauses.append(sources.c.source_group == self.group)
        for key, value in self.attributes:
            clauses.append(sources.c.extra[key].as_string() == value)
        if self.language:
            clauses.append(sources.c.language == self.language)
        if self.year_from is not None:
            clauses.append(sources.c.date_year >= self.year_from)
        if self.year_to is not None:
            clauses.append(sources.c.date_year <= self.year_to)
        if self.text:
            like = f"%{self.text.lower()}%"
            clauses.append(
                or_(
                    func.lower(sources.c.title).like(like),
                    func.lower(sources.c.original_filename).like(like),
                )
            )
        if self.fulltext:
            needle = self.fulltext.casefold()
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(casefold(sources.c.text).like(f"%{escaped}%", escape="\\"))
        return clauses


#: How a filter's fields are named in its errors unless the interface says otherwise
#: (the web's query parameters; the command line passes its flags).
FILTER_NAMES = {
    "actor": "actor",
    "group": "group",
    "language": "language",
    "year_from": "year_from",
    "year_to": "year_to",
}


def attribute_values(conn: Connection) -> dict[str, dict[str, int]]:
    """The sources' custom attributes (text-valued keys of ``extra``: manifest columns and
    reader metadata): key -> value -> number of sources."""
    out: dict[str, dict[str, int]] = {}
    for (extra,) in conn.execute(select(sources.c.extra)):
        for key, value in (extra or {}).items():
            if isinstance(value, str) and value.strip():
                counts = out.setdefault(str(key), {})
                counts[value] = counts.get(value, 0) + 1
    return dict(sorted(out.items()))


def check_attributes(conn: Connection, keys: Sequence[str], where: str) -> None:
    """E060 for an attribute no source has, listing those that exist."""
    known = attribute_values(conn)
    for key in keys:
        if key not in known:
            raise DiplocodeError(
                "E060",
                param=where,
                owner="the source filter",
                constraint="an attribute some source has: " + (", ".join(known) or "(none yet)"),
                value=key,
            )


def parse_attributes(items: Sequence[str], where: str) -> tuple[tuple[str, str], ...]:
    """``KEY=VALUE`` items (the command line's ``--where``, the web's ``attr``)."""
    out = []
    for item in items:
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip():
            raise DiplocodeError(
                "E060", param=where, owner="the source filter", constraint="KEY=VALUE", value=item
            )
        out.append((key.strip(), value.strip()))
    return tuple(out)


def check_period(start: Any, end: Any, where_start: str, where_end: str) -> None:
    """E060 for a year that is not an integer; E120 when ``start`` comes after ``end``."""
    for value, where in ((start, where_start), (end, where_end)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise DiplocodeError(
                "E060", param=where, owner="the filter", constraint="a year", value=value
            )
    if start is not None and end is not None and start > end:
        raise DiplocodeError("E120", where=f"{where_start}/{where_end}", start=start, end=end)


def find_actor_id(conn: Connection, ref: str) -> int:
    """The id of the actor ``ref`` names (its key, its name or any gazetteer name), or
    E103 with the close matches."""
    from ..attribution.gazetteer import find_actor  # the gazetteer is built on the store

    return find_actor(conn, ref)


def has_actor(source_id: Any, actor: str, actor_id: int | None = None) -> Any:
    """SQL: the source ``source_id`` (a column) has the actor: ``actor_id`` when known
    (a validated filter's), else ``actor`` by key or name, case-insensitive."""
    if actor_id is not None:
        match = source_actors.c.actor_id == actor_id
    else:
        needle = actor.casefold()
        match = or_(actors.c.key == needle, func.lower(actors.c.name) == needle)
    return exists(
        select(source_actors.c.source_id)
        .join(actors, actors.c.id == source_actors.c.actor_id)
        .where(source_actors.c.source_id == source_id, match)
    )


class casefold(FunctionElement[str]):
    """Unicode case folding in SQL: SQLite's own ``lower`` only folds ASCII, so the store
    registers Python's ``str.casefold`` as ``casefold``; PostgreSQL's ``lower`` folds by
    the database locale."""

    type = Text()
    inherit_cache = True


@compiles(casefold)
def _casefold_default(element: casefold, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _casefold_sqlite(element: casefold, compiler: Any, **kw: Any) -> str:
    return f"casefold({compiler.process(element.clauses, **kw)})"


def list_sources(
    conn: Connection, flt: SourceFilter | None = None, *, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """Sources (without their text) in id order, each with ``actors`` as (name, role) pairs."""
    query = select(*_LIST_COLUMNS).order_by(sources.c.id)
    clauses = (flt or SourceFilter()).where()
    if clauses:
        query = query.where(and_(*clauses))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    actor_map = actors_of(conn, [r["id"] for r in rows])
    for row in rows:
        row["actors"] = actor_map.get(row["id"], [])
        extra = row.pop("extra", None) or {}
        # custom attributes: the text-valued extras (manifest columns, reader metadata)
        row["attributes"] = {
            str(k): v for k, v in sorted(extra.items()) if isinstance(v, str) and v.strip()
        }
    return rows


def count_sources(conn: Connection, flt: SourceFilter | None = None) -> int:
    query = select(func.count()).select_from(sources)
    clauses = (flt or SourceFilter()).where()
    if clauses:
        query = query.where(and_(*clauses))
    return int(conn.execute(query).scalar() or 0)


def actors_of(conn: Connection, source_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    ids = list(source_ids)
    for start in range(0, len(ids), 500):  # keep IN lists short
        chunk = ids[start : start + 500]
        query = (
            select(source_actors.c.source_id, actors.c.name, source_actors.c.role)
            .join(actors, actors.c.id == source_actors.c.actor_id)
            .where(source_actors.c.source_id.in_(chunk))
            .order_by(source_actors.c.source_id, actors.c.name)
        )
        for sid, name, role in conn.execute(query):
            out.setdefault(sid, []).append((name, role))
    return out


def resolve_source(conn: Connection, ref: str | int) -> int:
    """A source id from its number or a prefix (>= 6 chars) of its SHA-256."""
    text = str(ref).strip().lstrip("#")
    if text.isdigit() and len(text) < 6:
        found = conn.execute(select(sources.c.id).where(sources.c.id == int(text))).scalar()
        if found is None:
            raise DiplocodeError("E050", ref=ref)
        return int(found)
    matches = (
        conn.execute(
            select(sources.c.id).where(sources.c.sha256_bytes.like(f"{text.lower()}%")).limit(3)
        )
        .scalars()
        .all()
    )
    if not matches and text.isdigit():
        found = conn.execute(select(sources.c.id).where(sources.c.id == int(text))).scalar()
        matches = [found] if found is not None else []
    if not matches:
        raise DiplocodeError("E050", ref=ref)
    if len(matches) > 1:
        raise DiplocodeError("E051", ref=ref, n=len(matches))
    return int(matches[0])


def get_source(conn: Connection, source_id: int) -> dict[str, Any]:
    """One source with its text, actors and segment counts per kind and language."""
    row = conn.execute(select(sources).where(sources.c.id == source_id)).mappings().one_or_none()
    if row is None:
        raise DiplocodeError("E050", ref=source_id)
    source = dict(row)
    source["actors"] = actors_of(conn, [source_id]).get(source_id, [])
    counts = conn.execute(
        select(segments.c.kind, segments.c.language, func.count())
        .where(segments.c.source_id == source_id)
        .group_by(segments.c.kind, segments.c.language)
    ).all()
    source["segment_counts"] = {(k, lang): n for k, lang, n in counts}
    return source


def segments_of(conn: Connection, source_id: int, kind: str = "paragraph") -> list[dict[str, Any]]:
    query = (
        select(segments)
        .where(segments.c.source_id == source_id, segments.c.kind == kind)
        .order_by(segments.c.ordinal)
    )
    return [dict(r) for r in conn.execute(query).mappings()]
