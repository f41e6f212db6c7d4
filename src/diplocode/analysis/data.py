"""The codings frame the statistics work on, read from a project's store.

Which codings count is explicit: ``final`` and ``accepted`` by default; with
``include_suggested`` machine suggestions count too (every table made from such a frame
must say so). Rejected codings never count.

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

from ..store import Store
from ..store.schema import CODING_STATUSES, actors, codes, source_actors, sources

__all__ = ["COLUMNS", "COUNTED_BY_DEFAULT", "codings_frame"]

COUNTED_BY_DEFAULT = ("final", "accepted")

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
]


def codings_frame(
    store: Store,
    *,
    include_suggested: bool = False,
    codebook_version_id: int | None = None,
    roles: Sequence[str] = ("author", "co-signatory"),
) -> pd.DataFrame:
    """One row per (coding, actor of its source in ``roles``), ordered by coding and actor.

    Columns (:data:`COLUMNS`): ``coding_id``, ``source_id``, ``unit`` (an integer per
    distinct (source, start, end) span), ``code``, ``dimension``, ``status``, ``actor``,
    ``group``, ``language`` (categoricals) and ``year`` (nullable integer). ``attrs``
    records which statuses were counted.
    """
    statuses = (*COUNTED_BY_DEFAULT, "suggested") if include_suggested else COUNTED_BY_DEFAULT
    if not set(statuses) <= set(CODING_STATUSES):  # pragma: no cover - a programming error
        raise ValueError(f"unknown statuses {statuses}")
    # literals only from the fixed status list and an int: safe to inline, and the raw
    # cursor then needs no dialect's paramstyle
    sql = (
        'SELECT id, source_id, start, "end", code_id, CASE status '
        + " ".join(f"WHEN '{st}' THEN {i}" for i, st in enumerate(CODING_STATUSES))
        + " END FROM codings"
        f" WHERE status IN ({', '.join(repr(s) for s in statuses)})"
    )
    if codebook_version_id is not None:
        sql += f" AND codebook_version_id = {int(codebook_version_id)}"
    sql += " ORDER BY id"
    with store.read() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        code_rows = conn.execute(select(codes.c.id, codes.c.key, codes.c.dimension)).all()
        actor_rows = conn.execute(
            select(source_actors.c.source_id, actors.c.name)
            .join(actors, actors.c.id == source_actors.c.actor_id)
            .where(source_actors.c.role.in_(list(roles)))
        ).all()
        source_rows = conn.execute(
            select(sources.c.id, sources.c.date_year, sources.c.source_group, sources.c.language)
        ).all()
    frame = _assemble(rows, code_rows, actor_rows, source_rows)
    frame.attrs["statuses"] = list(statuses)
    frame.attrs["include_suggested"] = include_suggested
    return frame


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
    actor_rows: Sequence[Any],
    source_rows: Sequence[Any],
) -> pd.DataFrame:
    if not rows or not actor_rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    table = np.array(rows, dtype=np.int64)
    cid, sid, start, end, code_id, status = (table[:, i] for i in range(6))

    # each coding once per actor of its source: actors sorted by (source, name)
    actor_rows = sorted(actor_rows, key=lambda r: (r[0], r[1]))
    sa_src = np.fromiter((r[0] for r in actor_rows), dtype=np.int64, count=len(actor_rows))
    actor_names = sorted({r[1] for r in actor_rows})
    actor_index = {a: i for i, a in enumerate(actor_names)}
    sa_actor = np.fromiter(
        (actor_index[r[1]] for r in actor_rows), dtype=np.int64, count=len(actor_rows)
    )
    src_inv, uniq_src = pd.factorize(sid)
    first = np.searchsorted(sa_src, uniq_src, side="left")[src_inv]
    n = np.searchsorted(sa_src, uniq_src, side="right")[src_inv] - first
    take = np.repeat(np.arange(len(sid)), n)
    offsets = np.arange(len(take)) - np.repeat(np.cumsum(n) - n, n)
    actor = sa_actor[first[take] + offsets]
    cid, sid, start, end, code_id, status = (
        a[take] for a in (cid, sid, start, end, code_id, status)
    )
    if len(cid) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})

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
    return pd.DataFrame(
        {
            "coding_id": cid,
            "source_id": sid,
            "unit": unit,
            "code": _categorical(code_inv, [code_keys[int(c)] for c in uniq_codes]),
            "dimension": _categorical(code_inv, [code_dims[int(c)] for c in uniq_codes]),
            "status": _categorical(status_inv, [CODING_STATUSES[i] for i in uniq_status]),
            "actor": pd.Categorical.from_codes(actor, categories=actor_names),
            "year": pd.array([m[0] for m in per_source], dtype="Int64")[src_inv],
            "group": _categorical(src_inv, [m[1] for m in per_source]),
            "language": _categorical(src_inv, [m[2] for m in per_source]),
        }
    )
