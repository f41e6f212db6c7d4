"""Batch work: running coders over a project, source by source.

Each source is one transaction: its suggestions, the ``coder_sources`` mark and the
``codings.suggested`` audit event commit together. Sources the coder has finished are
skipped, so a repeated run adds nothing and an interrupted one resumes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select

from .. import audit
from ..attribution import gazetteer as gz
from ..attribution.resolver import (
    AttributionSummary,
    SourceContext,
    attribute_codings,
    evidence_hits,
)
from ..coders.base import Segment
from ..store import Store, now
from ..store import codebooks as cbq
from ..store import codings as cq
from ..store.schema import coders, codings, source_actors, sources
from ..store.sources import SourceFilter

__all__ = ["RunSummary", "run_coder"]

#: Sources whose actor links are read in one query.
_BLOCK = 500


@dataclass
class RunSummary:
    coder_id: int
    coder: str
    codebook_version_id: int
    sources_coded: int
    sources_skipped: int
    suggestions: int
    seconds: float
    chars: int
    utf8_bytes: int
    attribution: dict[str, int] = field(default_factory=dict)  # rule -> codings
    #: suggestions not written: the span and code were there already (suggested by this
    #: coder under an earlier codebook version, or decided by a person)
    already_there: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def run_coder(
    store: Store,
    coder: Any,
    codebook_version_id: int,
    *,
    flt: SourceFilter | None = None,
    who: str = "system",
    on_source: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Run a fitted-or-not coder over the (filtered) sources; returns what it did."""
    started = time.perf_counter()
    params = coder.get_params()
    with store.begin() as conn:
        coder_id = cq.get_or_create_coder(conn, coder.kind, coder.name, coder.version, params)
    coder.fit()
    with store.read() as conn:
        _, matcher = gz.matcher_for(conn)
        code_ids = cbq.code_ids(conn, codebook_version_id)
        counted = cbq.counted_codes(conn, codebook_version_id)
        query = select(sources.c.id).order_by(sources.c.id)
        clauses = (flt or SourceFilter()).where()
        if clauses:
            query = query.where(and_(*clauses))
        wanted = list(conn.execute(query).scalars())
        done = cq.finished_sources(conn, coder_id)
    todo = [sid for sid in wanted if sid not in done]
    n_suggestions = 0
    n_chars = 0
    n_bytes = 0
    attributed = AttributionSummary()
    unit = params.get("unit", "sentence")
    actors_of: dict[int, list[tuple[int, str]]] = {}
    taken: dict[int, set[tuple[int, int, int]]] = {}
    n_skipped = 0
    for i, source_id in enumerate(todo):
        if i % _BLOCK == 0:  # the next block's source-actor links and codings, in two queries
            block = todo[i : i + _BLOCK]
            with store.read() as conn:
                actors_of = {sid: [] for sid in block}
                for sid, actor_id, role in conn.execute(
                    select(
                        source_actors.c.source_id, source_actors.c.actor_id, source_actors.c.role
                    ).where(source_actors.c.source_id.in_(block))
                ):
                    actors_of[int(sid)].append((int(actor_id), str(role)))
                taken = _taken(conn, block, counted, coder.name)
        with store.read() as conn:
            text, rows, paragraphs = cq.source_units(conn, source_id, unit)
            context = SourceContext(
                conn,
                source_id,
                matcher,
                text,
                [(r.start, r.end, r.language) for r in rows] if unit == "sentence" else None,
                paragraphs=paragraphs,
                actors=actors_of[source_id],
            )
        n_chars += len(text)
        n_bytes += len(text.encode("utf-8"))
        segs = [
            Segment(r.id, source_id, r.start, r.end, r.language, text[r.start : r.end])
            for r in rows
        ]
        suggestions = coder.predict(segs)
        # never twice: not a span and code this coder (any version) already suggested, nor
        # one a person decided, under this codebook version or an earlier one
        already = taken.get(source_id, set())
        if already:
            kept = [s for s in suggestions if (s.start, s.end, code_ids[s.code]) not in already]
            n_skipped += len(suggestions) - len(kept)
            suggestions = kept
        created = now()
        records = [
            {
                "source_id": s.source_id,
                "segment_id": s.segment_id,
                "start": s.start,
                "end": s.end,
                "code_id": code_ids[s.code],
                "codebook_version_id": codebook_version_id,
                "coder_id": coder_id,
                "status": "suggested",
                "score": s.score,
                "evidence": s.evidence,
                "memo": None,
                "created_at": created,
                "created_by": who,
            }
            for s in suggestions
        ]
        hits = [evidence_hits(r["evidence"]) for r in records]
        for r, h in zip(records, hits, strict=True):  # match before taking the write lock
            context.resolve(r["start"], r["end"], h)
        with store.begin() as conn:
            ids = cq.insert_codings(conn, records)
            # who each passage is about, in the same transaction (diplocode.attribution)
            attribute_codings(
                conn,
                context,
                [(i, r["start"], r["end"], h) for i, r, h in zip(ids, records, hits, strict=True)],
                attributed,
            )
            # digests from what was written (ids from RETURNING): no second read
            digests = [
                (i, audit.coding_digest({**r, "id": i})) for i, r in zip(ids, records, strict=True)
            ]
            audit.codings_suggested(conn, who, source_id, coder_id, coder.name, digests)
            cq.mark_finished(conn, coder_id, source_id, len(records))
        n_suggestions += len(records)
        if on_source is not None:
            on_source(i + 1, len(todo))
    summary = RunSummary(
        coder_id=coder_id,
        coder=coder.name,
        codebook_version_id=codebook_version_id,
        sources_coded=len(todo),
        sources_skipped=len(wanted) - len(todo),
        suggestions=n_suggestions,
        seconds=time.perf_counter() - started,
        chars=n_chars,
        utf8_bytes=n_bytes,
        attribution=dict(sorted(attributed.rules.items())),
        already_there=n_skipped,
    )
    if todo:
        with store.begin() as conn:
            audit.coder_run(
                conn,
                who,
                coder_id,
                coder.name,
                params,
                {k: v for k, v in summary.as_dict().items() if k not in ("seconds",)},
            )
    return summary


def _taken(
    conn: Any, block: list[int], counted: dict[int, int], coder_name: str
) -> dict[int, set[tuple[int, int, int]]]:
    """Per source of ``block``: the (start, end, code) spans a coder run must not suggest
    again — those the same coder (by name, any version or parameters) suggested, and those
    a person accepted, rejected or coded — with each code as the code of the run's
    codebook version it counts as (codes of earlier versions through ``code_map``)."""
    out: dict[int, set[tuple[int, int, int]]] = {}
    rows = conn.execute(
        select(codings.c.source_id, codings.c.start, codings.c.end, codings.c.code_id)
        .join(coders, coders.c.id == codings.c.coder_id)
        .where(
            codings.c.source_id.in_(block),
            codings.c.code_id.in_(list(counted)),
            or_(codings.c.status != "suggested", coders.c.name == coder_name),
        )
    )
    for sid, start, end, code_id in rows:
        out.setdefault(int(sid), set()).add((int(start), int(end), counted[int(code_id)]))
    return out
