"""Queries about coders and codings: one function per query."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from . import inserted_id, now
from .schema import CODING_FIELDS, coder_sources, coders, codes, codings, segments, sources


def params_hash(params: dict[str, Any]) -> str:
    blob = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def find_coder(
    conn: Connection, kind: str, name: str, version: str, params: dict[str, Any]
) -> int | None:
    """The id of the coder row for exactly these parameters, or None."""
    found = conn.execute(
        select(coders.c.id).where(
            coders.c.kind == kind,
            coders.c.name == name,
            coders.c.version == version,
            coders.c.params_hash == params_hash(params),
        )
    ).scalar()
    return None if found is None else int(found)


def get_or_create_coder(
    conn: Connection,
    kind: str,
    name: str,
    version: str,
    params: dict[str, Any],
    user_id: int | None = None,
) -> int:
    """The coder row for exactly these parameters (a new row when any parameter differs)."""
    found = find_coder(conn, kind, name, version, params)
    if found is not None:
        return found
    digest = params_hash(params)
    return inserted_id(
        conn.execute(
            coders.insert().values(
                kind=kind,
                name=name,
                version=version,
                params=params,
                params_hash=digest,
                user_id=user_id,
                created_at=now(),
            )
        )
    )


def finished_sources(conn: Connection, coder_id: int) -> set[int]:
    return set(
        conn.execute(
            select(coder_sources.c.source_id).where(coder_sources.c.coder_id == coder_id)
        ).scalars()
    )


def mark_finished(conn: Connection, coder_id: int, source_id: int, n_codings: int) -> None:
    conn.execute(
        coder_sources.insert().values(
            coder_id=coder_id, source_id=source_id, n_codings=n_codings, finished_at=now()
        )
    )


def unit_segments(conn: Connection, source_id: int, kind: str) -> tuple[str, list[Any]]:
    """A source's text and its segments of one kind (id, start, end, language) in order."""
    text = conn.execute(select(sources.c.text).where(sources.c.id == source_id)).scalar_one()
    rows = conn.execute(
        select(segments.c.id, segments.c.start, segments.c.end, segments.c.language)
        .where(segments.c.source_id == source_id, segments.c.kind == kind)
        .order_by(segments.c.start)
    ).all()
    return text, list(rows)


def source_units(
    conn: Connection, source_id: int, kind: str
) -> tuple[str, list[Any], list[tuple[int, int, str | None]]]:
    """A source's text, its segments of one kind (id, start, end, language) in order, and
    its paragraphs (start, end, language) in order: what a coder and the resolver need,
    in two queries."""
    text = conn.execute(select(sources.c.text).where(sources.c.id == source_id)).scalar_one()
    rows: list[Any] = []
    paragraphs: list[tuple[int, int, str | None]] = []
    for row in conn.execute(
        select(
            segments.c.kind, segments.c.id, segments.c.start, segments.c.end, segments.c.language
        )
        .where(segments.c.source_id == source_id, segments.c.kind.in_(sorted({kind, "paragraph"})))
        .order_by(segments.c.kind, segments.c.start)
    ):
        if row[0] == kind:
            rows.append(row)
        if row[0] == "paragraph":
            paragraphs.append((row[2], row[3], row[4]))
    return text, rows, paragraphs


_INSERT_RETURNING_ID = codings.insert().returning(codings.c.id, sort_by_parameter_order=True)


def insert_codings(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert codings; returns their ids in the order of ``rows``."""
    if not rows:
        return []
    return [int(i) for i in conn.execute(_INSERT_RETURNING_ID, list(rows)).scalars()]


_CODING_COLUMNS = [codings.c[name] for name in CODING_FIELDS]


def codings_of(
    conn: Connection, source_id: int, coder_id: int | None = None
) -> list[dict[str, Any]]:
    """A source's codings with the fields their audit digests cover, plus the code key."""
    query = (
        select(*_CODING_COLUMNS, codes.c.key.label("code_key"))
        .join(codes, codes.c.id == codings.c.code_id)
        .where(codings.c.source_id == source_id)
    )
    if coder_id is not None:
        query = query.where(codings.c.coder_id == coder_id)
    return [dict(r) for r in conn.execute(query.order_by(codings.c.id)).mappings()]


def get_coding(conn: Connection, coding_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(*_CODING_COLUMNS, codes.c.key.label("code_key"))
            .join(codes, codes.c.id == codings.c.code_id)
            .where(codings.c.id == coding_id)
        )
        .mappings()
        .one_or_none()
    )
    return dict(row) if row else None
