"""The codings frame the statistics work on, read from a project's store.

Which codings count is explicit: ``final`` and ``accepted`` by default; with
``include_suggested`` machine suggestions count too (every table made from such a frame
must say so). Rejected codings never count.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import and_, select

from ..store import Store
from ..store.schema import actors, codes, codings, source_actors, sources

__all__ = ["COUNTED_BY_DEFAULT", "codings_frame"]

COUNTED_BY_DEFAULT = ("final", "accepted")


def codings_frame(
    store: Store,
    *,
    include_suggested: bool = False,
    codebook_version_id: int | None = None,
    roles: Sequence[str] = ("author", "co-signatory"),
) -> pd.DataFrame:
    """One row per (coding, actor of its source in ``roles``).

    Columns: ``coding_id``, ``source_id``, ``unit`` (an integer per distinct span), ``code``,
    ``dimension``, ``status``, ``actor``, ``year``, ``group``, ``language``. ``attrs``
    records which statuses were counted.
    """
    statuses = (*COUNTED_BY_DEFAULT, "suggested") if include_suggested else COUNTED_BY_DEFAULT
    query = (
        select(
            codings.c.id.label("coding_id"),
            codings.c.source_id,
            codings.c.start,
            codings.c.end,
            codes.c.key.label("code"),
            codes.c.dimension,
            codings.c.status,
            actors.c.name.label("actor"),
            sources.c.date_year.label("year"),
            sources.c.source_group.label("group"),
            sources.c.language,
        )
        .join(codes, codes.c.id == codings.c.code_id)
        .join(sources, sources.c.id == codings.c.source_id)
        .join(
            source_actors,
            and_(
                source_actors.c.source_id == codings.c.source_id,
                source_actors.c.role.in_(list(roles)),
            ),
        )
        .join(actors, actors.c.id == source_actors.c.actor_id)
        .where(codings.c.status.in_(statuses))
    )
    if codebook_version_id is not None:
        query = query.where(codings.c.codebook_version_id == codebook_version_id)
    with store.read() as conn:
        result = conn.execute(query)
        # plain tuples into a DataFrame: building a mapping per row cost more than the query
        frame = pd.DataFrame.from_records(result.fetchall(), columns=list(result.keys()))
    columns = [
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
    if frame.empty:
        frame = pd.DataFrame(columns=columns)
    else:
        # a unit is a distinct (source, start, end) span, numbered
        spans = pd.MultiIndex.from_arrays([frame["source_id"], frame["start"], frame["end"]])
        frame["unit"] = spans.factorize()[0]
        frame = frame[columns].sort_values(["coding_id", "actor"], ignore_index=True)
    frame.attrs["statuses"] = list(statuses)
    frame.attrs["include_suggested"] = include_suggested
    return frame
