"""Code and retrieve: every passage coded with a code, with its citation and context.

The view every QDA tool has (issue #9): pick one or more codes, optionally narrow the
sources (actor, group, language, years) and the coder, and get the passages in corpus
order (by source date, then position), each with the text, a short context either side,
where it is (source, date, page) and who coded and reviewed it.

Which codings count is explicit, as in :mod:`diplocode.analysis.data`: ``final`` and
``accepted`` by default; ``include_suggested`` adds the machine suggestions nobody has
reviewed yet (and the note says so); rejected codings never appear. Codings of the chosen
codebook version count (the latest by default), as in the comparison tables.

Blind coding holds: for a coder or viewer under blind coding the workbench's own
visibility rule (:func:`diplocode.workbench._visible`) filters the query.

>>> expand_codes(["dim:audience", "strength.*"], _doc_book())
['students', 'youth', 'strength.prestige']
>>> source_date(2023, 9, None), source_date(2023, None, None), source_date(None, None, None)
('2023-09', '2023', 'n.d.')
"""

from __future__ import annotations

import difflib
import fnmatch
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from .codebook.model import Codebook
from .errors import DiplocodeError
from .project import Project
from .store.codebooks import code_ids, counted_codes
from .store.schema import coders, codes, codings, segments, sources
from .store.sources import SourceFilter, actors_of
from .users import User
from .workbench import _blind_for, _visible

__all__ = [
    "COUNTED_BY_DEFAULT",
    "Passage",
    "Retrieval",
    "expand_codes",
    "retrieve",
    "source_date",
]

COUNTED_BY_DEFAULT = ("final", "accepted")
#: statuses a retrieval may count (rejected codings never appear)
RETRIEVABLE = ("final", "accepted", "suggested")
#: characters of context either side of a passage (cut back to a word boundary)
CONTEXT_CHARS = 120


@dataclass
class Passage:
    """One coded passage with its citation data, coder and context."""

    coding_id: int
    code: str
    label: str  # in the requested language, English fallback
    dimension: str
    source_id: int
    title: str
    date: str  # YYYY, YYYY-MM, YYYY-MM-DD or n.d.
    page: int | None
    group: str
    language: str | None
    actors: list[tuple[str, str]]  # (name, role)
    status: str
    coder: str  # the coders row's name: human:USER or e.g. diplocode.lexicon.v1
    created_by: str
    reviewed_by: str | None
    score: float | None
    memo: str | None
    start: int
    end: int
    text: str  # whitespace normalised
    before: str
    after: str
    citation: str  # "Title (2023-09, p. 4)"
    about: list[str] = field(default_factory=list)  # who the passage is about (coding_actors)

    def link(self) -> str:
        """The passage in its source page of the workbench."""
        return f"/sources/{self.source_id}#coding-{self.coding_id}"


@dataclass
class Retrieval:
    """The passages of one page of a retrieval and what was counted."""

    codes: list[str]  # the code keys retrieved, in codebook order
    selected: list[str]  # what was asked for: keys, globs, dim:KEY
    labels: dict[str, str]  # code key -> label (requested language) of the codes retrieved
    passages: list[Passage]
    total: int  # passages matching, over all pages
    statuses: list[str]
    include_suggested: bool
    codebook: str  # "name version"
    codebook_version_id: int
    note: str
    offset: int = 0
    blind: bool = False


def source_date(year: int | None, month: int | None, day: int | None) -> str:
    """A source's date as precise as it is known: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or
    ``n.d.``."""
    if year is None:
        return "n.d."
    out = str(year)
    if month is not None:
        out += f"-{month:02d}"
        if day is not None:
            out += f"-{day:02d}"
    return out


def citation(title: str, date: str, page: int | None) -> str:
    """``Title (2023-09, p. 4)`` (as :meth:`diplocode.analysis.models.Quote.citation`)."""
    return f"{title} ({date}{f', p. {page}' if page else ''})"


# -- which codes ------------------------------------------------------------------------------
def expand_codes(wanted: Sequence[str], codebook: Codebook) -> list[str]:
    """The code keys ``wanted`` names, in codebook order: keys, globs (``strength.*``) and
    dimensions (``dim:channel``). An unknown key is E210 (with a close match) or E211
    (listing the keys); a glob or dimension selecting nothing is E212."""
    keys = [code.key for code in codebook.codes()]
    dims = {dim.key: [c.key for c in dim.codes] for dim in codebook.dimensions}
    name = f"{codebook.name} {codebook.version}"
    chosen: set[str] = set()
    for raw in wanted:
        item = raw.strip()
        if not item:
            continue
        if item.startswith("dim:"):
            found = dims.get(item[4:].strip(), [])
        elif any(ch in item for ch in "*?["):
            found = [k for k in keys if fnmatch.fnmatchcase(k, item)]
        elif item in keys:
            found = [item]
        else:
            raise _unknown_code(item, keys, list(dims), name)
        if not found:
            raise DiplocodeError("E212", codebook=name, pattern=item, dimensions=", ".join(dims))
        chosen.update(found)
    if not chosen:
        raise DiplocodeError("E213")
    return [k for k in keys if k in chosen]


def _unknown_code(code: str, keys: list[str], dims: list[str], name: str) -> DiplocodeError:
    # a close key, or a key whose last part is close (channel.x typed for x)
    close = difflib.get_close_matches(code, keys, n=1, cutoff=0.6) or difflib.get_close_matches(
        code.rsplit(".", 1)[-1], keys, n=1, cutoff=0.75
    )
    if close:
        return DiplocodeError("E210", codebook=name, key=code, match=close[0])
    return DiplocodeError(
        "E211", codebook=name, key=code, allowed=", ".join(keys), dimensions=", ".join(dims)
    )


def _check_statuses(statuses: Sequence[str], include_suggested: bool) -> list[str]:
    out = [s for s in RETRIEVABLE if s in set(statuses) or (include_suggested and s == "suggested")]
    unknown = [s for s in statuses if s not in RETRIEVABLE]
    if unknown or not out:
        raise DiplocodeError(
            "E060",
            param="statuses",
            owner="retrieve",
            constraint=f"a non-empty list drawn from {', '.join(RETRIEVABLE)}",
            value=list(statuses),
        )
    return out


def _check_window(limit: int | None, offset: int) -> None:
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise DiplocodeError(
            "E060",
            param="limit",
            owner="retrieve",
            constraint="None or an integer >= 0",
            value=limit,
        )
    if not isinstance(offset, int) or offset < 0:
        raise DiplocodeError(
            "E060", param="offset", owner="retrieve", constraint="an integer >= 0", value=offset
        )


# -- the query --------------------------------------------------------------------------------
def retrieve(
    project: Project,
    codes_: Sequence[str],
    *,
    flt: SourceFilter | None = None,
    statuses: Sequence[str] = COUNTED_BY_DEFAULT,
    include_suggested: bool = False,
    coder: str | None = None,
    viewer: User | None = None,
    lang: str = "en",
    codebook: str | int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Retrieval:
    """The passages coded with ``codes_`` (keys, ``prefix.*`` globs or ``dim:KEY``).

    ``flt`` narrows the sources; ``coder`` keeps one coder's codings (a coder name such as
    ``diplocode.lexicon.v1``, or a user name for that person's own codings); ``viewer``
    applies blind coding; ``lang`` picks the labels; ``codebook`` a version (default: the
    latest). ``limit``/``offset`` page through the passages; ``total`` counts them all.
    """
    counted = _check_statuses(statuses, include_suggested)
    _check_window(limit, offset)
    from .attribution import ensure_attributed

    ensure_attributed(project.store)  # who each passage is about, up to date
    version_id, book = project.codebook(codebook)
    keys = expand_codes(codes_, book)
    blind = _blind_for(project, viewer)
    with project.store.read() as conn:
        # the chosen codes, and the codes of earlier versions that count as them
        own = code_ids(conn, version_id)
        wanted = {own[k]: k for k in keys}
        key_of = {
            old: wanted[new]
            for old, new in counted_codes(conn, version_id).items()
            if new in wanted
        }
    clauses = _where(sorted(key_of), counted, flt, coder, viewer if blind else None)
    with project.store.read() as conn:
        total = int(conn.execute(_base([func.count()], clauses)).scalar() or 0)
        rows = conn.execute(_page_query(clauses, limit, offset)).mappings().all()
        source_ids = sorted({r["source_id"] for r in rows})
        actor_map = actors_of(conn, source_ids)
        pages = _paragraph_pages(conn, source_ids)
        about = _about(conn, [r["id"] for r in rows])
    labels = {c.key: c.label.get(lang) or c.label["en"] for c in book.codes()}
    dimension_of = book.dimension_of()
    passages = [
        _passage(
            {**r, "code": key_of[r["code_id"]], "dimension": dimension_of[key_of[r["code_id"]]]},
            labels,
            actor_map.get(r["source_id"], []),
            pages.get(r["source_id"]),
            about,
        )
        for r in rows
    ]
    name = f"{book.name} {book.version}"
    retrieval = Retrieval(
        codes=keys,
        selected=[c.strip() for c in codes_ if c.strip()],
        labels={k: labels[k] for k in keys},
        passages=passages,
        total=total,
        statuses=counted,
        include_suggested="suggested" in counted,
        codebook=name,
        codebook_version_id=version_id,
        note="",
        offset=offset,
        blind=blind,
    )
    retrieval.note = _note(retrieval, flt, coder, viewer)
    return retrieval


def _where(
    code_ids_: list[int],
    statuses: list[str],
    flt: SourceFilter | None,
    coder: str | None,
    blind_viewer: User | None,
) -> list[Any]:
    clauses = [
        codings.c.code_id.in_(code_ids_),
        codings.c.status.in_(statuses),
        *(flt or SourceFilter()).where(),
    ]
    if coder:
        clauses.append(or_(coders.c.name == coder, coders.c.name == f"human:{coder}"))
    if blind_viewer is not None:
        clauses.append(_visible(blind_viewer))  # the workbench's rule (joins coders)
    return clauses


def _base(columns: list[Any], clauses: list[Any]) -> Any:
    return (
        select(*columns)
        .select_from(codings)
        .join(codes, codes.c.id == codings.c.code_id)
        .join(coders, coders.c.id == codings.c.coder_id)
        .join(sources, sources.c.id == codings.c.source_id)
        .where(and_(*clauses))
    )


def _page_query(clauses: list[Any], limit: int | None, offset: int) -> Any:
    # the passage and its context come as one slice of the text, in the same query
    # (code points on both SQLite and PostgreSQL): no source text is read whole
    from_ = case((codings.c.start > CONTEXT_CHARS, codings.c.start - CONTEXT_CHARS), else_=0)
    length = codings.c.end + CONTEXT_CHARS - from_
    query = _base(
        [
            codings.c.id,
            codings.c.source_id,
            codings.c.start,
            codings.c.end,
            codings.c.status,
            codings.c.score,
            codings.c.memo,
            codings.c.created_by,
            codings.c.updated_by,
            codings.c.code_id,
            codes.c.key.label("code"),
            codes.c.dimension,
            coders.c.name.label("coder"),
            sources.c.title,
            sources.c.date_year,
            sources.c.date_month,
            sources.c.date_day,
            sources.c.source_group,
            sources.c.language,
            sources.c.n_chars,
            from_.label("slice_start"),
            func.substr(sources.c.text, from_ + 1, length).label("slice"),
        ],
        clauses,
    ).order_by(
        case((sources.c.date_year.is_(None), 1), else_=0),
        sources.c.date_year,
        sources.c.date_month,
        sources.c.date_day,
        codings.c.source_id,
        codings.c.start,
        codings.c.id,
    )
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return query


def _paragraph_pages(conn: Connection, source_ids: list[int]) -> dict[int, tuple[list, list]]:
    """Per source with page numbers: its paragraphs' starts and pages, for bisecting (the
    page of a passage is the page of the paragraph holding its start)."""
    out: dict[int, tuple[list[int], list[int]]] = {}
    for i in range(0, len(source_ids), 500):  # keep IN lists short
        chunk = source_ids[i : i + 500]
        query = (
            select(segments.c.source_id, segments.c.start, segments.c.page)
            .where(
                segments.c.source_id.in_(chunk),
                segments.c.kind == "paragraph",
                segments.c.page.is_not(None),
            )
            .order_by(segments.c.source_id, segments.c.start)
        )
        for sid, start, page in conn.execute(query):
            starts, numbers = out.setdefault(sid, ([], []))
            starts.append(start)
            numbers.append(page)
    return out


def _about(conn: Connection, coding_ids: list[int]) -> dict[int, list[str]]:
    """Who each passage is about (coding id -> actor names with the rule that decided,
    e.g. ``China (sentence)``; see :mod:`diplocode.attribution`)."""
    from .store.schema import actors, coding_actors

    out: dict[int, list[str]] = {}
    for i in range(0, len(coding_ids), 500):  # keep IN lists short
        chunk = coding_ids[i : i + 500]
        query = (
            select(coding_actors.c.coding_id, actors.c.name, coding_actors.c.rule)
            .join(actors, actors.c.id == coding_actors.c.actor_id)
            .where(coding_actors.c.coding_id.in_(chunk))
            .order_by(coding_actors.c.coding_id, actors.c.name)
        )
        for coding_id, name, rule in conn.execute(query):
            out.setdefault(int(coding_id), []).append(f"{name} ({rule})")
    return out


def _passage(
    row: Any,
    labels: dict[str, str],
    actors: list[tuple[str, str]],
    pages: tuple[list[int], list[int]] | None,
    about: dict[int, list[str]],
) -> Passage:
    page = None
    if pages:
        at = bisect_right(pages[0], row["start"]) - 1
        page = pages[1][at] if at >= 0 else None
    date = source_date(row["date_year"], row["date_month"], row["date_day"])
    before, text, after = _context(row)
    return Passage(
        coding_id=int(row["id"]),
        code=row["code"],
        label=labels.get(row["code"], row["code"]),
        dimension=row["dimension"],
        source_id=int(row["source_id"]),
        title=row["title"],
        date=date,
        page=page,
        group=row["source_group"],
        language=row["language"],
        actors=list(actors),
        status=row["status"],
        coder=row["coder"],
        created_by=row["created_by"],
        reviewed_by=row["updated_by"],
        score=row["score"],
        memo=row["memo"],
        start=int(row["start"]),
        end=int(row["end"]),
        text=text,
        before=before,
        after=after,
        citation=citation(row["title"], date, page),
        about=list(about.get(int(row["id"]), [])),
    )


def _context(row: Any) -> tuple[str, str, str]:
    """(before, passage, after) from the row's text slice, whitespace normalised; a context
    cut inside the text starts or ends at a word boundary, marked with an ellipsis.

    >>> _context({"slice": "one two three [four] five six", "slice_start": 10,
    ...           "start": 24, "end": 30, "n_chars": 100})
    ('… two three', '[four]', 'five six')
    """
    chunk, first = row["slice"] or "", int(row["slice_start"])
    start, end = int(row["start"]) - first, int(row["end"]) - first
    before, text, after = chunk[:start], chunk[start:end], chunk[end:]
    if first > 0:
        before = "… " + _after_first_space(before)
    if int(row["end"]) + CONTEXT_CHARS < int(row["n_chars"]):
        after = _before_last_space(after) + " …"
    return " ".join(before.split()), " ".join(text.split()), " ".join(after.split())


def _after_first_space(text: str) -> str:
    # scripts without spaces (Chinese) keep the whole slice
    cut = next((i for i, ch in enumerate(text[:40]) if ch.isspace()), None)
    return text if cut is None else text[cut + 1 :]


def _before_last_space(text: str) -> str:
    tail = text[-40:]
    cut = next((i for i in range(len(tail) - 1, -1, -1) if tail[i].isspace()), None)
    return text if cut is None else text[: len(text) - len(tail) + cut]


def _note(
    retrieval: Retrieval, flt: SourceFilter | None, coder: str | None, viewer: User | None
) -> str:
    """What was counted, in words (every output shows it)."""
    flt = flt or SourceFilter()
    parts = [
        "Passages coded "
        + (
            ", ".join(retrieval.codes)
            if len(retrieval.codes) <= 5
            else f"with {len(retrieval.codes)} codes ({', '.join(retrieval.selected)})"
        ),
        f"codebook {retrieval.codebook} (#{retrieval.codebook_version_id})",
        f"counted statuses: {', '.join(retrieval.statuses)}",
    ]
    filters = [
        f"{name} {value}"
        for name, value in (
            ("actor", flt.actor),
            ("group", flt.group),
            ("language", flt.language),
            ("from", flt.year_from),
            ("to", flt.year_to),
            ("text containing", flt.fulltext),
            ("coder", coder),
        )
        if value not in (None, "")
    ]
    if filters:
        parts.append("filters: " + ", ".join(filters))
    if retrieval.blind and viewer is not None:
        parts.append(f"blind coding: only the codings {viewer.username} may see")
    shown = len(retrieval.passages)
    if shown < retrieval.total:
        first = retrieval.offset + 1 if shown else retrieval.offset
        parts.append(f"showing {first}-{retrieval.offset + shown} of {retrieval.total}")
    else:
        parts.append(f"{retrieval.total} passages")
    note = "; ".join(parts) + "."
    if retrieval.include_suggested:
        note += " Includes unreviewed machine suggestions."
    return note


def _doc_book() -> Codebook:  # a tiny codebook for the module's doctest
    return Codebook.model_validate(
        {
            "name": "doc",
            "version": "1",
            "dimensions": [
                {
                    "key": "audience",
                    "label": {"en": "Audience"},
                    "codes": [
                        {"key": "students", "label": {"en": "Students"}},
                        {"key": "youth", "label": {"en": "Youth"}},
                    ],
                },
                {
                    "key": "assessment",
                    "label": {"en": "Assessment"},
                    "codes": [{"key": "strength.prestige", "label": {"en": "Prestige"}}],
                },
            ],
        }
    )
