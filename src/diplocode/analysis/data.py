"""The codings frame the statistics work on, read from a project's store.

Which codings count is explicit: ``final`` and ``accepted`` by default; with
``include_suggested`` machine suggestions count too (every table made from such a frame
must say so). Rejected codings never count.

Which actor a coding counts for is explicit too (``actor_role``): ``about`` — the
actor(s) its passage is about (:mod:`diplocode.attribution`, the default); ``author`` —
its source's authors and co-signatories; ``subject`` — its source's subject actors.

The frame is built for a million codings: the codings table is read through the driver's
own cursor as plain rows (no joins, no per-row result objects); codes, actors and source
metadata are small tables joined in numpy; text columns are pandas categoricals with
sorted categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from ..errors import DiplocodeError
from ..store import Store
from ..store.codebooks import counted_codes
from ..store.schema import (
    CODING_STATUSES,
    actors,
    codes,
    coding_actors,
    codings,
    source_actors,
    sources,
)

__all__ = ["ACTOR_ROLES", "COLUMNS", "COUNTED_BY_DEFAULT", "codings_frame", "documents_frame"]

COUNTED_BY_DEFAULT = ("final", "accepted")
#: Whom a coding counts for: the actor its passage is about, or its source's authors
#: (authors and co-signatories), or its source's subject actors.
ACTOR_ROLES = ("about", "author", "subject")
_SOURCE_ROLES = {"author": ("author", "co-signatory"), "subject": ("subject",)}

#: The columns of a codings frame, in order.
COLUMNS = [
    "coding_id",
    "source_id",
    "unit",
    "code",
    "dimension",
    "status",
    "actor",
    "year",
    "group",
    "language",
    "score",
    "coder_id",
]


def codings_frame(
    store: Store,
    *,
    include_suggested: bool = False,
    codebook_version_id: int | None = None,
    actor_role: str = "about",
) -> pd.DataFrame:
    """One row per (coding, actor it counts for), ordered by coding and actor.

    Columns (:data:`COLUMNS`): ``coding_id``, ``source_id``, ``unit`` (an integer per
    distinct (source, start, end) span), ``code``, ``dimension``, ``status``, ``actor``,
    ``group``, ``language`` (categoricals), ``year`` (nullable integer), ``score``
    (float, NaN for human codings) and ``coder_id``. ``attrs`` records which statuses
    were counted and the actor role.
    """
    if actor_role not in ACTOR_ROLES:
        raise DiplocodeError(
            "E060",
            param="actor_role",
            owner="codings_frame",
            constraint=f"one of {', '.join(ACTOR_ROLES)}",
            value=actor_role,
        )
    statuses = (*COUNTED_BY_DEFAULT, "suggested") if include_suggested else COUNTED_BY_DEFAULT
    if not set(statuses) <= set(CODING_STATUSES):  # pragma: no cover - a programming error
        raise ValueError(f"unknown statuses {statuses}")
    # literals only from the fixed status list and an int: safe to inline, and the raw
    # cursor then needs no dialect's paramstyle
    status_case = (
        "CASE c.status "
        + " ".join(f"WHEN '{st}' THEN {i}" for i, st in enumerate(CODING_STATUSES))
        + " END"
    )
    where = f" WHERE c.status IN ({', '.join(repr(s) for s in statuses)})"
    mapping: dict[int, int] | None = None
    if codebook_version_id is not None:
        # the version's own codes and, through code_map, those of its earlier versions
        with store.read() as conn:
            mapping = counted_codes(conn, int(codebook_version_id))
        where += f" AND c.code_id IN ({', '.join(str(int(i)) for i in sorted(mapping)) or 'NULL'})"
    if actor_role == "about":
        # one row per (coding, actor its passage is about): the join does the expansion
        sql = (
            f'SELECT c.id, c.source_id, c.start, c."end", c.code_id, {status_case}, '
            "c.coder_id, ca.actor_id, COALESCE(c.score, -1.0) FROM codings c"
            " JOIN coding_actors ca ON ca.coding_id = c.id" + where + " ORDER BY c.id, ca.actor_id"
        )
    else:
        sql = (
            f'SELECT c.id, c.source_id, c.start, c."end", c.code_id, {status_case}, '
            "c.coder_id, -1, COALESCE(c.score, -1.0) FROM codings c" + where + " ORDER BY c.id"
        )
    with store.read() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        code_rows = conn.execute(select(codes.c.id, codes.c.key, codes.c.dimension)).all()
        actor_names = dict(conn.execute(select(actors.c.id, actors.c.name)).all())
        if actor_role == "about":
            links = None
        else:
            links = conn.execute(
                select(source_actors.c.source_id, source_actors.c.actor_id).where(
                    source_actors.c.role.in_(list(_SOURCE_ROLES[actor_role]))
                )
            ).all()
        source_rows = conn.execute(
            select(sources.c.id, sources.c.date_year, sources.c.source_group, sources.c.language)
        ).all()
    frame = _assemble(rows, code_rows, actor_names, links, source_rows, mapping)
    frame.attrs["statuses"] = list(statuses)
    frame.attrs["include_suggested"] = include_suggested
    frame.attrs["actor_role"] = actor_role
    return frame


def documents_frame(
    store: Store, *, actor_role: str = "about", frame: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per (source, actor) of the corpus, with ``year`` and ``n_words``: the
    denominators of normalised trends. For ``author``/``subject`` the source's actors in
    that role; for ``about`` the actors any coding of the source is about (a source
    counts for an actor it discusses) — taken from ``frame`` (the counted codings) when
    given, which saves a scan of the codings."""
    if actor_role == "about" and frame is not None:
        return _documents_from(store, frame)
    with store.read() as conn:
        if actor_role == "about":
            query = (
                select(codings.c.source_id, coding_actors.c.actor_id)
                .join(coding_actors, coding_actors.c.coding_id == codings.c.id)
                .where(codings.c.status != "rejected")
                .distinct()
            )
        else:
            query = (
                select(source_actors.c.source_id, source_actors.c.actor_id)
                .where(source_actors.c.role.in_(list(_SOURCE_ROLES[actor_role])))
                .distinct()
            )
        links = conn.execute(query).all()
        names = dict(conn.execute(select(actors.c.id, actors.c.name)).all())
        meta = _source_meta(conn)
    rows = [(sid, names[aid], *meta[sid]) for sid, aid in links if sid in meta]
    frame = pd.DataFrame(
        rows, columns=["source_id", "actor", "year", "n_words", "group", "language"]
    )
    frame["year"] = frame["year"].astype("Int64")
    frame["n_words"] = frame["n_words"].fillna(0).astype(np.int64)
    return frame


def _source_meta(conn: Any) -> dict[int, tuple[Any, ...]]:
    """Per source: (year, words, group, language)."""
    query = select(
        sources.c.id,
        sources.c.date_year,
        sources.c.n_words,
        sources.c.source_group,
        sources.c.language,
    )
    return {r[0]: tuple(r[1:]) for r in conn.execute(query)}


def _documents_from(store: Store, frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["source_id", "actor", "year", "n_words", "group", "language"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    pairs = frame[["source_id", "actor"]].drop_duplicates()
    with store.read() as conn:
        meta = _source_meta(conn)
    ids = pairs["source_id"].to_numpy()
    rows = [meta[int(i)] for i in ids]
    out = pd.DataFrame(
        {
            "source_id": ids,
            "actor": pairs["actor"].astype(str).to_numpy(),
            "year": pd.array([r[0] for r in rows], dtype="Int64"),
            "n_words": np.array([r[1] or 0 for r in rows], dtype=np.int64),
            "group": [r[2] for r in rows],
            "language": [r[3] for r in rows],
        }
    )
    return out.reset_index(drop=True)


def _categorical(inverse: np.ndarray, labels: Sequence) -> pd.Categorical:
    """A categorical from each row's index into ``labels`` (None is missing); the
    categories are the distinct labels, sorted."""
    categories = sorted({label for label in labels if label is not None})
    index = {c: i for i, c in enumerate(categories)}
    codes_ = np.array([-1 if label is None else index[label] for label in labels], dtype=np.int64)
    return pd.Categorical.from_codes(codes_[inverse], categories=categories)


def _assemble(
    rows: Sequence[Any],
    code_rows: Sequence[Any],
    actor_names: dict[int, str],
    links: Sequence[Any] | None,
    source_rows: Sequence[Any],
    mapping: dict[int, int] | None = None,
) -> pd.DataFrame:
    if not rows:
        return _empty()
    # one conversion of all rows (ids are exact in float64); a NULL score (a human
    # coding) arrives as -1 and becomes NaN
    table = np.array(rows, dtype=np.float64)
    scores = table[:, 8]
    scores[scores < 0] = np.nan
    ints = table[:, :8].astype(np.int64)
    cid, sid, start, end, code_id, status, coder, actor_id = (ints[:, i] for i in range(8))
    earlier = 0
    if mapping:
        # codes of earlier codebook versions count as the code they became
        lut = np.arange(max(max(mapping), int(code_id.max())) + 1, dtype=np.int64)
        lut[np.fromiter(mapping, dtype=np.int64)] = np.fromiter(mapping.values(), dtype=np.int64)
        moved = lut[code_id] != code_id
        earlier = len(np.unique(cid[moved]))
        code_id = lut[code_id]
    take = np.arange(len(cid))
    if links is not None:
        # each coding once per actor of its source in the role: links sorted by source
        if not links:
            return _empty()
        links = sorted(links, key=lambda r: (r[0], actor_names[r[1]]))
        sa_src = np.fromiter((r[0] for r in links), dtype=np.int64, count=len(links))
        sa_actor = np.fromiter((r[1] for r in links), dtype=np.int64, count=len(links))
        src_inv, uniq_src = pd.factorize(sid)
        first = np.searchsorted(sa_src, uniq_src, side="left")[src_inv]
        n = np.searchsorted(sa_src, uniq_src, side="right")[src_inv] - first
        take = np.repeat(np.arange(len(sid)), n)
        offsets = np.arange(len(take)) - np.repeat(np.cumsum(n) - n, n)
        actor_id = sa_actor[first[take] + offsets]
        cid, sid, start, end, code_id, status, coder = (
            a[take] for a in (cid, sid, start, end, code_id, status, coder)
        )
        scores = scores[take]
    if len(cid) == 0:
        return _empty()
    used = np.unique(actor_id)
    names = sorted({actor_names[int(a)] for a in used})
    name_at = {n: i for i, n in enumerate(names)}
    actor_code = np.full(int(used.max()) + 1, -1, dtype=np.int64)
    for a in used:
        actor_code[int(a)] = name_at[actor_names[int(a)]]

    # a unit is a distinct (source, start, end) span
    order = np.lexsort((end, start, sid))
    s_sid, s_start, s_end = sid[order], start[order], end[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (s_sid[1:] != s_sid[:-1]) | (s_start[1:] != s_start[:-1]) | (s_end[1:] != s_end[:-1])
    unit = np.empty(len(order), dtype=np.int64)
    unit[order] = np.cumsum(new) - 1

    code_keys = {r[0]: r[1] for r in code_rows}
    code_dims = {r[0]: r[2] for r in code_rows}
    code_inv, uniq_codes = pd.factorize(code_id)
    meta = {r[0]: r[1:] for r in source_rows}
    src_inv, uniq_src = pd.factorize(sid)
    per_source = [meta[int(s)] for s in uniq_src]
    status_inv, uniq_status = pd.factorize(status)
    frame = pd.DataFrame(
        {
            "coding_id": cid,
            "source_id": sid,
            "unit": unit,
            "code": _categorical(code_inv, [code_keys[int(c)] for c in uniq_codes]),
            "dimension": _categorical(code_inv, [code_dims[int(c)] for c in uniq_codes]),
            "status": _categorical(status_inv, [CODING_STATUSES[i] for i in uniq_status]),
            "actor": pd.Categorical.from_codes(actor_code[actor_id], categories=names),
            "year": pd.array([m[0] for m in per_source], dtype="Int64")[src_inv],
            "group": _categorical(src_inv, [m[1] for m in per_source]),
            "language": _categorical(src_inv, [m[2] for m in per_source]),
            "score": scores,
            "coder_id": coder,
        }
    )
    frame.attrs["from_earlier_versions"] = earlier
    return frame


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
