"""What the web workbench shows and does, as library functions over a project.

The web layer parses requests, calls these and renders the result; nothing here knows
about HTTP. Each function takes the viewing :class:`~diplocode.users.User` (or None in
single-user mode) so blind coding is applied in one place.

Blind coding (project setting ``blind_coding``): while on, coders and viewers see only
their own human codings and the machine suggestions nobody has reviewed or that they
reviewed themselves; owners see everything. Turning it off ("reveal") is an audit event.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from sqlalchemy import and_, func, not_, or_, select

from . import audit
from .codebook.model import Codebook
from .errors import DiplocodeError
from .project import Project
from .store.schema import (
    coders,
    codes,
    codings,
    memos,
    segments,
    sources,
)
from .store.sources import (
    SourceFilter,
    actors_of,
    count_sources,
    find_actor_id,
    get_source,
    has_actor,
    list_sources,
)
from .users import User

__all__ = [
    "Piece",
    "ReviewFilter",
    "blind_coding",
    "corpus_page",
    "review_progress",
    "review_queue",
    "set_blind_coding",
    "source_page",
    "split_pieces",
]


# -- settings ---------------------------------------------------------------------------------
def blind_coding(project: Project) -> bool:
    return bool(project.store.get_meta("blind_coding", False))


def set_blind_coding(project: Project, on: bool, by: str) -> None:
    """Turn blind coding on, or off (which reveals everyone's codings); audited."""
    with project.store.begin() as conn:
        project.store.set_meta(conn, "blind_coding", bool(on))
        audit.append(conn, "project.setting_changed", by, {"blind_coding": bool(on)})


def _blind_for(project: Project, viewer: User | None) -> bool:
    return viewer is not None and viewer.role != "owner" and blind_coding(project)


def _visible(viewer: User) -> Any:
    """The SQL condition for codings a viewer may see under blind coding (for a query
    that joins ``coders``)."""
    human = coders.c.kind == "human"  # the query joins coders
    return or_(
        and_(human, codings.c.created_by == viewer.username),
        and_(
            not_(human),
            or_(codings.c.status == "suggested", codings.c.updated_by == viewer.username),
        ),
    )


# -- corpus -----------------------------------------------------------------------------------
def corpus_page(
    project: Project,
    flt: SourceFilter,
    *,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """One page of sources (without text) and the total matching, each with its number
    of counted codings (final + accepted) and open suggestions."""
    with project.store.read() as conn:
        total = count_sources(conn, flt)
        rows = list_sources(conn, flt, limit=per_page, offset=(max(page, 1) - 1) * per_page)
        ids = [r["id"] for r in rows]
        counts: dict[tuple[int, str], int] = {}
        if ids:
            for sid, status, n in conn.execute(
                select(codings.c.source_id, codings.c.status, func.count())
                .where(codings.c.source_id.in_(ids))
                .group_by(codings.c.source_id, codings.c.status)
            ):
                counts[(sid, status)] = n
    for row in rows:
        row["n_coded"] = counts.get((row["id"], "final"), 0) + counts.get(
            (row["id"], "accepted"), 0
        )
        row["n_suggested"] = counts.get((row["id"], "suggested"), 0)
    return rows, total


# -- one source ----------------------------------------------------------------------------------
@dataclass
class Piece:
    """A run of text covered by the same set of codings."""

    start: int
    end: int
    text: str
    coding_ids: list[int] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    #: the statuses of its codings (set by :func:`source_page`), so the page can tell a
    #: machine suggestion from human work
    statuses: list[str] = field(default_factory=list)
    #: whether a machine suggestion not reviewed yet begins here (the page marks it)
    opens_suggestion: bool = False


def split_pieces(
    text: str, start: int, end: int, spans: list[tuple[int, int, int, str]]
) -> list[Piece]:
    """Split ``text[start:end]`` at every coding boundary; ``spans`` are
    (coding id, start, end, dimension). Overlapping codings give pieces with several ids.

    >>> [(p.text, p.coding_ids) for p in split_pieces("abcdef", 0, 6, [(1, 1, 4, "d"), (2, 3, 5, "e")])]
    [('a', []), ('bc', [1]), ('d', [1, 2]), ('e', [2]), ('f', [])]
    """
    cuts = {start, end}
    for _, s, e, _ in spans:
        if e > start and s < end:
            cuts.add(max(s, start))
            cuts.add(min(e, end))
    bounds = sorted(cuts)
    pieces = []
    for a, b in pairwise(bounds):
        if a == b:
            continue
        covering = [(cid, dim) for cid, s, e, dim in spans if s <= a and e >= b]
        pieces.append(
            Piece(a, b, text[a:b], [c for c, _ in covering], sorted({d for _, d in covering}))
        )
    return pieces


def source_page(
    project: Project, source_id: int, viewer: User | None, *, include_rejected: bool = False
) -> dict[str, Any]:
    """A source with its paragraphs split into highlighted pieces (each with the statuses
    of its codings), the codings a viewer may see (coder, status, score, evidence, memo)
    and the source's memos. Rejected suggestions are left out unless ``include_rejected``."""
    source = _source_or_404(project, source_id)
    blind = _blind_for(project, viewer)
    query = (
        select(
            codings.c.id,
            codings.c.start,
            codings.c.end,
            codings.c.status,
            codings.c.score,
            codings.c.evidence,
            codings.c.memo,
            codings.c.created_by,
            codings.c.created_at,
            codings.c.updated_by,
            codes.c.key.label("code"),
            codes.c.dimension,
            codes.c.labels,
            coders.c.kind.label("coder_kind"),
            coders.c.name.label("coder_name"),
            coders.c.version.label("coder_version"),
        )
        .join(codes, codes.c.id == codings.c.code_id)
        .join(coders, coders.c.id == codings.c.coder_id)
        .where(codings.c.source_id == source_id)
        .order_by(codings.c.start, codings.c.id)
    )
    if not include_rejected:
        query = query.where(codings.c.status != "rejected")
    if blind and viewer is not None:
        query = query.where(_visible(viewer))
    with project.store.read() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        paragraphs = [
            dict(r)
            for r in conn.execute(
                select(segments.c.start, segments.c.end, segments.c.page, segments.c.language)
                .where(segments.c.source_id == source_id, segments.c.kind == "paragraph")
                .order_by(segments.c.ordinal)
            ).mappings()
        ]
        notes = [
            dict(r)
            for r in conn.execute(
                select(memos)
                .where(memos.c.source_id == source_id, memos.c.coding_id.is_(None))
                .order_by(memos.c.id)
            ).mappings()
        ]
    text = source["text"]
    spans = [(r["id"], r["start"], r["end"], r["dimension"]) for r in rows]
    if not paragraphs:  # a source always has paragraphs; be safe for empty texts
        paragraphs = [{"start": 0, "end": len(text), "page": None, "language": source["language"]}]
    # each coding goes to the paragraphs it overlaps (bisect), so a long source with
    # thousands of codings splits in O(codings log paragraphs + pieces)
    starts = [p["start"] for p in paragraphs]
    buckets: list[list[tuple[int, int, int, str]]] = [[] for _ in paragraphs]
    for span in spans:
        first = max(bisect_right(starts, span[1]) - 1, 0)
        last = max(bisect_left(starts, span[2]) - 1, first)
        for i in range(first, last + 1):
            buckets[i].append(span)
    status_of = {r["id"]: r["status"] for r in rows}
    start_of = {r["id"]: r["start"] for r in rows}
    for para, bucket in zip(paragraphs, buckets, strict=True):
        para["pieces"] = split_pieces(text, para["start"], para["end"], bucket)
        for piece in para["pieces"]:
            piece.statuses = sorted({status_of[c] for c in piece.coding_ids})
            piece.opens_suggestion = any(
                status_of[c] == "suggested" and start_of[c] == piece.start for c in piece.coding_ids
            )
    for row in rows:
        row["text"] = text[row["start"] : row["end"]]
        row["page"] = _page_of(paragraphs, row["start"])
    source["paragraphs"] = paragraphs
    source["codings"] = rows
    source["memos"] = notes
    source["blind"] = blind
    return source


def codebook_view(
    project: Project, version: str | int | None, viewer: User | None
) -> dict[str, Any]:
    """What the codebook page shows: a version (default: the newest), whether it is the
    newest (only that one is edited), the codebook's versions, and for the newest each
    code's usage and memos (own memos only under blind coding)."""
    from .codebook import edit as cbedit
    from .store.codebooks import list_versions

    version_id, codebook = project.codebook(version)
    latest_id, _ = project.codebook(codebook.name)
    latest = version_id == latest_id
    with project.store.read() as conn:
        versions = list_versions(conn, codebook.name)
    return {
        "codebook": codebook,
        "version_id": version_id,
        "latest": latest,
        "versions": versions,
        "usage": cbedit.code_usages(project, codebook.name) if latest else {},
        "code_memos": cbedit.code_memos(
            project,
            viewer.username if viewer else None,
            viewer is not None and _blind_for(project, viewer),
            codebook.name,
        )
        if latest
        else {},
    }


def project_memos(project: Project, viewer: User | None) -> list[dict[str, Any]]:
    """Memos on the project itself (on no source, coding or code), oldest first; under
    blind coding a coder sees only their own."""
    query = (
        select(memos)
        .where(memos.c.source_id.is_(None), memos.c.coding_id.is_(None), memos.c.code_key.is_(None))
        .order_by(memos.c.id)
    )
    if viewer is not None and _blind_for(project, viewer):
        query = query.where(memos.c.author == viewer.username)
    with project.store.read() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def _page_of(paragraphs: list[dict[str, Any]], offset: int) -> int | None:
    page = None
    for para in paragraphs:
        if para["start"] > offset:
            break
        page = para["page"]
    return page


def _source_or_404(project: Project, source_id: int) -> dict[str, Any]:
    with project.store.read() as conn:
        try:
            return get_source(conn, source_id)
        except DiplocodeError:
            raise DiplocodeError("E089", what="source", ref=source_id) from None


# -- review queue ---------------------------------------------------------------------------
#: The review filter's statuses -> the coding statuses they show (a machine suggestion
#: given another code by a person is ``final``).
REVIEW_STATUSES: dict[str, tuple[str, ...]] = {
    "suggested": ("suggested",),
    "accepted": ("accepted",),
    "rejected": ("rejected",),
    "changed": ("final",),
    "decided": ("accepted", "rejected", "final"),
}


@dataclass(frozen=True)
class ReviewFilter:
    """Which suggestions the queue shows; ``None`` means any."""

    code: str | None = None
    coder: str | None = None  # coder name, e.g. diplocode.lexicon.v1
    min_score: float | None = None
    max_score: float | None = None
    actor: str | None = None
    language: str | None = None
    source_id: int | None = None
    actor_id: int | None = None  # the actor ``actor`` names, found by :meth:`validate`
    #: which suggestions: ``suggested`` (not reviewed yet, the default), ``accepted``,
    #: ``rejected``, ``changed`` (given another code) or ``decided`` (any of the three):
    #: a decision is undone from there (:func:`diplocode.coding.reopen`)
    status: str = "suggested"

    def validate(self, project: Project) -> ReviewFilter:
        """This filter with its actor found, if every field holds a valid value for
        ``project``; else a coded error naming the field and listing the valid values:
        a code key of the project's codebooks, a coder that has made suggestions, one of
        the project's languages (E024), scores in [0, 1] with the lowest first (E121), an
        actor by any of its names (E103 with close matches)."""
        from .corpus.metadata import check_language

        for name, score in (("min_score", self.min_score), ("max_score", self.max_score)):
            if score is not None and not (isinstance(score, int | float) and 0 <= score <= 1):
                raise DiplocodeError(
                    "E060",
                    param=name,
                    owner="the review filter",
                    constraint="a number in [0, 1]",
                    value=score,
                )
        low, high = self.min_score, self.max_score
        if low is not None and high is not None and low > high:
            raise DiplocodeError("E121", where="min_score/max_score", low=low, high=high)
        language = check_language(self.language, "language", project.languages)
        _review_one_of("status", self.status, list(REVIEW_STATUSES))
        with project.store.read() as conn:
            if self.code:
                keys = sorted(set(conn.execute(select(codes.c.key).distinct()).scalars()))
                _review_one_of("code", self.code, keys)
            if self.coder:
                names = conn.execute(
                    select(coders.c.name).where(coders.c.kind != "human").distinct()
                ).scalars()
                _review_one_of("coder", self.coder, sorted(set(names)))
            actor = (self.actor or "").strip() or None
            actor_id = find_actor_id(conn, actor) if actor else None
        return replace(self, actor=actor, language=language, actor_id=actor_id)

    def where(self, all_statuses: bool = False) -> list[Any]:
        clauses: list[Any] = (
            [] if all_statuses else [codings.c.status.in_(REVIEW_STATUSES[self.status])]
        )
        if self.code:
            clauses.append(codes.c.key == self.code)
        if self.coder:
            clauses.append(coders.c.name == self.coder)
        if self.min_score is not None:
            clauses.append(codings.c.score >= self.min_score)
        if self.max_score is not None:
            clauses.append(codings.c.score <= self.max_score)
        if self.language:
            clauses.append(sources.c.language == self.language)
        if self.source_id is not None:
            clauses.append(codings.c.source_id == self.source_id)
        if self.actor:
            clauses.append(has_actor(codings.c.source_id, self.actor, self.actor_id))
        return clauses


def _review_one_of(name: str, value: str, allowed: list[str]) -> None:
    if value not in allowed:
        raise DiplocodeError(
            "E060",
            param=name,
            owner="the review filter",
            constraint=f"one of {', '.join(allowed)}"
            if allowed
            else f"a {name} of this project (there is none yet)",
            value=value,
        )


def _queue_base(columns: list[Any], flt: ReviewFilter, all_statuses: bool = False) -> Any:
    return (
        select(*columns)
        .select_from(codings)
        .join(codes, codes.c.id == codings.c.code_id)
        .join(coders, coders.c.id == codings.c.coder_id)
        .join(sources, sources.c.id == codings.c.source_id)
        .where(coders.c.kind != "human", *flt.where(all_statuses))
    )


def review_queue(
    project: Project, flt: ReviewFilter, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Machine suggestions nobody has reviewed yet, in source and text order, each with
    its passage, the paragraph holding it (``context``: see :func:`_paragraphs_of`), the
    source's citation data and the evidence that produced it."""
    query = (
        _queue_base(
            [
                codings.c.id,
                codings.c.source_id,
                codings.c.start,
                codings.c.end,
                codings.c.score,
                codings.c.evidence,
                codes.c.key.label("code"),
                codes.c.dimension,
                codes.c.labels,
                codings.c.status,
                codings.c.updated_by,
                coders.c.name.label("coder_name"),
                coders.c.version.label("coder_version"),
                sources.c.title,
                sources.c.language,
                sources.c.date_year,
                func.substr(
                    sources.c.text, codings.c.start + 1, codings.c.end - codings.c.start
                ).label("text"),
            ],
            flt,
        )
        .order_by(codings.c.source_id, codings.c.start, codings.c.id)
        .limit(limit)
        .offset(offset)
    )
    with project.store.read() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        actor_map = actors_of(conn, sorted({r["source_id"] for r in rows}))
        contexts = _paragraphs_of(conn, [r["id"] for r in rows])
    for row in rows:
        row["actors"] = [name for name, role in actor_map.get(row["source_id"], [])]
        row["context"] = contexts.get(row["id"])
    return rows


def _paragraphs_of(conn: Any, coding_ids: list[int]) -> dict[int, dict[str, Any]]:
    """coding id -> the paragraph holding the coding's start (``text``, its ``start`` and
    ``end`` in the source) with the coded span's offsets inside it (``span_start``,
    ``span_end``; a span running past the paragraph is cut at its end), for a page of
    the queue in one query. A coding that starts outside every paragraph has none."""
    if not coding_ids:
        return {}
    para = segments.alias("para")
    query = (
        select(
            codings.c.id,
            codings.c.start.label("coding_start"),
            codings.c.end.label("coding_end"),
            para.c.start,
            para.c.end,
            func.substr(sources.c.text, para.c.start + 1, para.c.end - para.c.start).label("text"),
        )
        .select_from(codings)
        .join(
            para,
            and_(
                para.c.source_id == codings.c.source_id,
                para.c.kind == "paragraph",
                para.c.start <= codings.c.start,
                para.c.end > codings.c.start,
            ),
        )
        .join(sources, sources.c.id == codings.c.source_id)
        .where(codings.c.id.in_(coding_ids))
    )
    out: dict[int, dict[str, Any]] = {}
    for row in conn.execute(query).mappings():
        start, end = row["start"], row["end"]
        out[row["id"]] = {
            "text": row["text"],
            "start": start,
            "end": end,
            "span_start": row["coding_start"] - start,
            "span_end": min(row["coding_end"], end) - start,
        }
    return out


def review_progress(project: Project, flt: ReviewFilter) -> dict[str, int]:
    """Counts of machine codings under the filter: ``open`` (still suggested),
    ``accepted``, ``rejected``, ``changed`` (final after a human changed the code) and
    ``total``."""
    query = _queue_base([codings.c.status, func.count()], flt, all_statuses=True).group_by(
        codings.c.status
    )
    with project.store.read() as conn:
        counts = {status: int(n) for status, n in conn.execute(query)}
    out = {
        "open": counts.get("suggested", 0),
        "accepted": counts.get("accepted", 0),
        "rejected": counts.get("rejected", 0),
        "changed": counts.get("final", 0),
    }
    out["total"] = sum(out.values())
    out["reviewed"] = out["total"] - out["open"]
    return out


def code_choices(codebook: Codebook, lang: str = "en") -> list[dict[str, Any]]:
    """Every code with its key, dimension and labels in all languages (for the code
    picker, which searches by key or any label)."""
    out = []
    for dim in codebook.dimensions:
        for code in dim.codes:
            out.append(
                {
                    "key": code.key,
                    "dimension": dim.key,
                    "label": code.label.get(lang) or code.label["en"],
                    "labels": dict(code.label),
                }
            )
    return out
