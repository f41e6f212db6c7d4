"""The article's tables, generated from codings: Table 2 (models of influence, one row per
actor, with evidence) and Table 1 (the operationalisation, from the codebook).

Table 2's columns come from the codebook's ``tables:`` section (:class:`~diplocode.codebook
.model.Layout`): each column ranks the codes of one dimension, or of a selection of its
codes (``strength.*``). Ranking comes from the coded text only: the leading codes of an
actor in a column are the codes with the most coded units among that actor's codings of
the column's codes; a share is of the actor's coded units in that column.

Each cell quotes the passages that show its finding (:func:`_choose_quotes`): for each of
its leading codes in turn, the most typical passage — reviewed before unreviewed, agreed by
more coders, higher machine score, longer than a heading — never a heading or title line,
never the same passage twice in a row of the table, from distinct sources where possible,
each labelled with the code it supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from ..codebook.model import Codebook, Layout
from ..i18n import translations
from ..store import Store
from ..store.schema import segments, sources
from .stats import bootstrap_shares, crosstab

__all__ = [
    "Cell",
    "CellCode",
    "Quote",
    "column_frame",
    "column_mapping",
    "is_heading",
    "models_table",
    "operationalisation_table",
]


@dataclass
class Quote:
    """An evidence quote with its citation, where it is, and which code it supports."""

    text: str
    source_id: int
    title: str
    date: str
    page: int | None
    start: int
    end: int
    coding_id: int
    code: str = ""
    label: str = ""

    def citation(self, lang: str = "en") -> str:
        """ "Title (date, p. N)", in ``lang`` (the date and page, not the title)."""
        _ = translations(lang).gettext
        date = _("n.d.") if self.date == NO_DATE else self.date
        if self.page:
            return _("{title} ({date}, p. {page})").format(
                title=self.title, date=date, page=self.page
            )
        return f"{self.title} ({date})"


@dataclass
class CellCode:
    """One leading code of a cell: coded units, share of the column, its 95% interval."""

    key: str
    label: str
    count: int
    share: float
    ci_low: float | None = None
    ci_high: float | None = None
    documents: int = 0

    def __iter__(self) -> Any:  # (key, label, count, share), as cells were before
        return iter((self.key, self.label, self.count, self.share))


@dataclass
class Cell:
    """One cell of Table 2: leading codes and quotes."""

    codes: list[CellCode] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    def text(self) -> str:
        return "; ".join(f"{c.label} ({c.count}, {c.share:.0%})" for c in self.codes) or "-"


def column_mapping(layout: Layout) -> dict[str, list[str]]:
    """Each code's models-table columns (the denominators of its shares there)."""
    out: dict[str, list[str]] = {}
    for column in layout.columns:
        for key in column.codes:
            out.setdefault(key, []).append(column.key)
    return out


def column_frame(frame: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """The rows of ``frame`` whose code belongs to a models-table column, with
    ``dimension`` replaced by the column's key (a code in two columns appears twice), so
    every statistic of a column is a statistic "within its dimension"."""
    columns = [c.key for c in layout.columns]
    if frame.empty:
        out = frame.copy()
        out["dimension"] = pd.Categorical([], categories=columns)
        return out
    owners: dict[str, list[int]] = {}
    for i, column in enumerate(layout.columns):
        for key in column.codes:
            owners.setdefault(key, []).append(i)
    code = frame["code"]
    categories = list(code.cat.categories) if isinstance(code.dtype, pd.CategoricalDtype) else None
    parts = []
    depth = max((len(v) for v in owners.values()), default=0)
    for level in range(depth):
        if categories is not None:
            lookup = np.array(
                [owners[c][level] if len(owners.get(c, [])) > level else -1 for c in categories]
                + [-1],
                dtype=np.int64,
            )
            col = lookup[code.cat.codes.to_numpy()]
        else:
            col = np.array(
                [owners[c][level] if len(owners.get(c, [])) > level else -1 for c in code],
                dtype=np.int64,
            )
        keep = col >= 0
        part = frame[keep].copy()
        part["dimension"] = pd.Categorical.from_codes(col[keep], categories=columns)
        parts.append(part)
    if not parts:
        out = frame.iloc[:0].copy()
        out["dimension"] = pd.Categorical([], categories=columns)
        return out
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def models_table(
    frame: pd.DataFrame,
    codebook: Codebook,
    store: Store | None = None,
    *,
    top: int = 3,
    quotes: int = 2,
    lang: str = "en",
    actors: list[str] | None = None,
    unit: str = "segment",
    intervals: bool = False,
    n_boot: int = 1000,
    interval_table: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict[tuple[str, str], Cell]]:
    """Table 2: one row per actor, one column per column of the codebook's layout.

    Returns the table of cell texts (columns titled in ``lang``) and the cells, keyed by
    (actor, column key): leading codes with counts, shares (and, with ``intervals``, 95%
    document-bootstrap intervals — ``interval_table``, from :func:`~diplocode.analysis.stats
    .bootstrap_shares` with :func:`column_mapping`, when computed already), and up to
    ``quotes`` quotes per cell when a ``store`` is given.
    """
    layout = codebook.layout()
    labels = {c.key: c.label.get(lang) or c.label["en"] for c in codebook.codes()}
    cols = column_frame(frame, layout)
    titles = [c.title_in(lang) for c in layout.columns]
    if cols.empty:
        wanted = list(actors or [])
        empty = pd.DataFrame(
            [{"actor": a, **dict.fromkeys(titles, "-")} for a in wanted],
            columns=["actor", *titles],
        ).set_index("actor")
        return empty, {(a, c.key): Cell() for a in wanted for c in layout.columns}
    table = crosstab(cols, unit=unit).reset_index()
    ci: dict[tuple[str, str, str], tuple[float, float]] = {}
    if intervals:
        if interval_table is None:
            interval_table = bootstrap_shares(
                frame, {"columns": column_mapping(layout)}, unit=unit, n_boot=n_boot
            )["columns"]
        # one document resampled is that document: no interval to speak of
        n_docs = cols.groupby("actor", observed=True)["source_id"].nunique()
        single = {str(a) for a, n in n_docs.items() if n < 2}
        for (actor, column, code), low, high in zip(
            interval_table.index, interval_table["ci_low"], interval_table["ci_high"], strict=True
        ):
            if str(actor) not in single:
                ci[(str(actor), str(column), str(code))] = (float(low), float(high))
    present = sorted({str(a) for a in table["actor"]})
    wanted = actors if actors is not None else present
    by_cell: dict[tuple[str, str], list[CellCode]] = {}
    for actor, dimension, code, count, share, documents in zip(
        table["actor"],
        table["dimension"],
        table["code"],
        table["count"],
        table["share"],
        table["documents"],
        strict=True,
    ):
        low, high = ci.get((str(actor), str(dimension), str(code)), (None, None))
        by_cell.setdefault((str(actor), str(dimension)), []).append(
            CellCode(
                str(code),
                labels.get(str(code), str(code)),
                int(count),
                float(share),
                low,
                high,
                int(documents),
            )
        )
    cells: dict[tuple[str, str], Cell] = {}
    for actor in wanted:
        for column in layout.columns:
            part = sorted(by_cell.get((actor, column.key), []), key=lambda c: (-c.count, c.key))
            cells[(actor, column.key)] = Cell(part[:top])
    if store is not None and quotes > 0:
        _attach_quotes(cells, cols, store, quotes, labels)
    rows = [
        {
            "actor": actor,
            **{c.title_in(lang): cells[(actor, c.key)].text() for c in layout.columns},
        }
        for actor in wanted
    ]
    return pd.DataFrame(rows, columns=["actor", *titles]).set_index("actor"), cells


# -- quotes -----------------------------------------------------------------------------------
_STATUS_RANK = {"final": 0, "accepted": 1, "suggested": 2}
#: the date of an undated quote (:meth:`Quote.citation` translates it)
NO_DATE = "n.d."
_END_PUNCT = tuple('.!?。！？…;:»"”)')
_MIN_QUOTE_CHARS = 25


def is_heading(text: str, title: str = "") -> bool:
    """A heading or title line rather than a passage: the source's title, a line in capitals,
    or a short line (under 12 words) that does not end like a sentence.

    >>> is_heading("Cultural diplomacy in Central Asia")
    True
    >>> is_heading("Scholarships bring students to Beijing every year.")
    False
    """
    line = " ".join(text.split())
    if len(line) < _MIN_QUOTE_CHARS:
        return True
    if title and line.casefold().rstrip(".") == " ".join(title.split()).casefold().rstrip("."):
        return True
    letters = [ch for ch in line if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters):
        return True
    return not line.endswith(_END_PUNCT) and len(re.findall(r"\w+", line)) < 12


def _codes_of(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes and the (string) values they stand for."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(dtype=np.int64), [str(c) for c in values.cat.categories]
    codes_, uniques = pd.factorize(values.astype(str), sort=True)
    return codes_.astype(np.int64), [str(u) for u in uniques]


def _ranked_candidates(
    cols: pd.DataFrame, wanted: set[tuple[str, str, str]]
) -> dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]:
    """For each wanted (actor, column, code): its passages (units) once each, best first —
    reviewed before unreviewed, more coders agreeing, higher score, then the earliest
    coding — as (source ids, coding ids). All in integer arrays: a cell of a million
    codings costs a sort, not a Python loop."""
    a_codes, a_names = _codes_of(cols["actor"])
    k_codes, k_names = _codes_of(cols["dimension"])
    c_codes, c_names = _codes_of(cols["code"])
    nk, nc = max(len(k_names), 1), max(len(c_names), 1)
    a_at = {n: i for i, n in enumerate(a_names)}
    k_at = {n: i for i, n in enumerate(k_names)}
    c_at = {n: i for i, n in enumerate(c_names)}
    targets = {
        (a_at[a] * nk + k_at[k]) * nc + c_at[c]: (a, k, c)
        for a, k, c in wanted
        if a in a_at and k in k_at and c in c_at
    }
    cell = (a_codes * nk + k_codes) * nc + c_codes
    rows = np.flatnonzero(np.isin(cell, np.fromiter(targets, dtype=np.int64, count=len(targets))))
    if not len(rows):
        return {}
    cell = cell[rows]
    unit = cols["unit"].to_numpy()[rows]
    if unit.dtype == object:
        unit = pd.factorize(unit)[0]
    unit = unit.astype(np.int64)
    status = cols["status"]
    if isinstance(status.dtype, pd.CategoricalDtype):
        ranks = np.array(
            [_STATUS_RANK.get(str(c), 3) for c in status.cat.categories] + [3], dtype=np.int64
        )
        status_rank = ranks[status.cat.codes.to_numpy()[rows]]
    else:
        status_rank = status.astype(str).map(_STATUS_RANK).fillna(3).to_numpy(np.int64)[rows]
    score = (
        cols["score"].to_numpy(dtype=float, na_value=np.nan)[rows]
        if "score" in cols
        else np.full(len(rows), np.nan)
    )
    score = np.where(np.isnan(score), 1.0, score)  # a human coding has no score: a sure one
    coder = (
        cols["coder_id"].to_numpy(dtype=np.int64)[rows]
        if "coder_id" in cols
        else np.zeros(len(rows), np.int64)
    )
    coding_id = cols["coding_id"].to_numpy(dtype=np.int64)[rows]
    source_id = cols["source_id"].to_numpy(dtype=np.int64)[rows]
    if coder.min() == coder.max():
        # one coder: every passage holds each code once (a coder never codes a span twice
        # with one code), and agreement is 1 everywhere: one sort ranks everything
        order = np.lexsort((coding_id, -score, status_rank, cell))
    else:
        passage = cell * (int(unit.max()) + 1) + unit
        # agreement: distinct coders per passage, by sorting (passage, coder)
        by_pc = np.lexsort((coder, passage))
        ps, cs = passage[by_pc], coder[by_pc]
        run = np.r_[True, ps[1:] != ps[:-1]]
        new_pair = run | np.r_[True, cs[1:] != cs[:-1]]
        starts_ = np.flatnonzero(run)
        per_run = np.add.reduceat(new_pair.astype(np.int64), starts_)
        agree = np.empty(len(rows), dtype=np.int64)
        agree[by_pc] = np.repeat(per_run, np.diff(np.r_[starts_, len(ps)]))
        # each passage once: its best coding (the first of its run, ranked within it) ...
        by_passage = np.lexsort((coding_id, -score, -agree, status_rank, passage))
        runs = np.r_[True, passage[by_passage][1:] != passage[by_passage][:-1]]
        best = by_passage[runs]
        # ... then the passages of each cell, best first
        order = best[
            np.lexsort((coding_id[best], -score[best], -agree[best], status_rank[best], cell[best]))
        ]
    cells_sorted = cell[order]
    starts = np.flatnonzero(np.r_[True, cells_sorted[1:] != cells_sorted[:-1]])
    ends = np.r_[starts[1:], len(order)]
    out = {}
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        idx = order[lo:hi]
        out[targets[int(cells_sorted[lo])]] = (source_id[idx], coding_id[idx])
    return out


def _attach_quotes(
    cells: dict[tuple[str, str], Cell],
    cols: pd.DataFrame,
    store: Store,
    per_cell: int,
    labels: dict[str, str],
) -> None:
    """Quote each cell's finding: for its leading codes in turn, the best candidate passage
    that is not a heading and not already quoted in the actor's row, preferring sources the
    cell does not quote yet."""
    wanted = {(a, col, c.key) for (a, col), cell in cells.items() for c in cell.codes}
    if not wanted:
        return
    # only the rows of the cells' leading codes are ranked
    groups = _ranked_candidates(cols, wanted)
    texts = _TextCache(store)
    # the first candidates of every cell code in a few queries: most cells need 1-2 quotes
    texts.prefetch([int(i) for _, ids in groups.values() for i in ids[: 4 * per_cell]])
    used: dict[str, set[tuple[int, int, int]]] = {}
    for (actor, column), cell in cells.items():
        if not cell.codes:
            continue
        seen_sources: set[int] = set()
        used_row = used.setdefault(actor, set())
        queues = {
            c.key: _Queue(*g) for c in cell.codes if (g := groups.get((actor, column, c.key)))
        }
        positions = dict.fromkeys(queues, 0)
        chosen: list[Quote] = []
        # round-robin over the leading codes: the first quote shows the first code
        for strict_sources in (True, False):
            progress = True
            while len(chosen) < per_cell and progress:
                progress = False
                for c in cell.codes:
                    if len(chosen) >= per_cell:
                        break
                    if any(q.code == c.key for q in chosen) and strict_sources:
                        continue
                    found = _next_quote(
                        queues.get(c.key, []),
                        positions,
                        c.key,
                        texts,
                        used_row,
                        seen_sources if strict_sources else set(),
                    )
                    if found is None:
                        continue
                    found.code, found.label = c.key, labels.get(c.key, c.key)
                    chosen.append(found)
                    used_row.add((found.source_id, found.start, found.end))
                    seen_sources.add(found.source_id)
                    progress = True
        cell.quotes = chosen


def _next_quote(
    queue: _Queue | list[tuple[int, int]],
    positions: dict[str, int],
    code: str,
    texts: _TextCache,
    used_row: set[tuple[int, int, int]],
    avoid_sources: set[int],
) -> Quote | None:
    i = positions.get(code, 0)
    skipped: list[int] = []
    found = None
    limit = min(len(queue), i + 200)  # never scan a huge cell to the end
    while i < limit:
        source_id, coding_id = queue[i]
        i += 1
        if source_id in avoid_sources:
            skipped.append(i - 1)
            continue
        quote = texts.quote(coding_id)
        if quote is None or (quote.source_id, quote.start, quote.end) in used_row:
            continue
        if is_heading(quote.text, quote.title):
            continue
        found = quote
        break
    # candidates passed over only for their source stay available for the second pass
    positions[code] = skipped[0] if skipped else i
    return found


class _Queue:
    """A cell code's ranked candidates as (source id, coding id), converted on access."""

    __slots__ = ("coding_ids", "source_ids")

    def __init__(self, source_ids: np.ndarray, coding_ids: np.ndarray) -> None:
        self.source_ids, self.coding_ids = source_ids, coding_ids

    def __len__(self) -> int:
        return len(self.coding_ids)

    def __getitem__(self, i: int) -> tuple[int, int]:
        return int(self.source_ids[i]), int(self.coding_ids[i])


class _TextCache:
    """Quote texts, titles, dates and pages, read once per source, and in bulk for the
    candidates a table will look at first (:meth:`prefetch`)."""

    _SOURCE = (
        sources.c.id,
        sources.c.text,
        sources.c.title,
        sources.c.date_year,
        sources.c.date_month,
        sources.c.date_day,
    )

    def __init__(self, store: Store) -> None:
        self.store = store
        self._sources: dict[int, Any] = {}
        self._pages: dict[int, list[tuple[int, int | None]]] = {}
        self._codings: dict[int, tuple[int, int, int]] = {}

    def prefetch(self, coding_ids: list[int]) -> None:
        """Read these codings' spans and their sources in a few queries, instead of
        several queries per candidate."""
        from ..store.schema import codings

        wanted = sorted({i for i in coding_ids if i not in self._codings})
        with self.store.read() as conn:
            for k in range(0, len(wanted), 500):  # keep IN lists short
                for cid, sid, start, end in conn.execute(
                    select(codings.c.id, codings.c.source_id, codings.c.start, codings.c.end).where(
                        codings.c.id.in_(wanted[k : k + 500])
                    )
                ):
                    self._codings[int(cid)] = (int(sid), int(start), int(end))
            needed = sorted({sp[0] for sp in self._codings.values()} - set(self._sources))
            for k in range(0, len(needed), 500):
                self._load_sources(conn, needed[k : k + 500])

    def _load_sources(self, conn: Any, source_ids: list[int]) -> None:
        for row in conn.execute(select(*self._SOURCE).where(sources.c.id.in_(source_ids))):
            self._sources[int(row.id)] = row
            self._pages[int(row.id)] = []
        for sid, start, page in conn.execute(
            select(segments.c.source_id, segments.c.start, segments.c.page)
            .where(segments.c.source_id.in_(source_ids), segments.c.kind == "paragraph")
            .order_by(segments.c.source_id, segments.c.start)
        ):
            self._pages.setdefault(int(sid), []).append((int(start), page))

    def quote(self, coding_id: int) -> Quote | None:
        from ..store.schema import codings

        span = self._codings.get(coding_id)
        if span is None or span[0] not in self._sources:
            with self.store.read() as conn:
                if span is None:
                    row = conn.execute(
                        select(codings.c.source_id, codings.c.start, codings.c.end).where(
                            codings.c.id == coding_id
                        )
                    ).one_or_none()
                    if row is None:
                        return None
                    span = self._codings[coding_id] = (int(row[0]), int(row[1]), int(row[2]))
                if span[0] not in self._sources:
                    self._load_sources(conn, [span[0]])
        source_id, start, end = span
        source = self._sources[source_id]
        text = " ".join(source.text[start:end].split())
        page = None
        for s, p in self._pages.get(source_id, []):
            if s > start:
                break
            page = p
        date = (
            "-".join(
                str(p) if i == 0 else f"{p:02d}"
                for i, p in enumerate((source.date_year, source.date_month, source.date_day))
                if p is not None
            )
            or NO_DATE
        )
        return Quote(
            text if len(text) <= 300 else text[:297] + "…",
            source_id,
            source.title,
            date,
            page,
            start,
            end,
            coding_id,
        )


def operationalisation_table(codebook: Codebook, lang: str = "en") -> pd.DataFrame:
    """Table 1: per dimension, the indicator, the question and its codes (labels)."""
    rows: list[dict[str, Any]] = []
    for dim in codebook.dimensions:
        rows.append(
            {
                "dimension": dim.label.get(lang) or dim.label["en"],
                "indicator": dim.indicator.get(lang) or dim.indicator.get("en", ""),
                "question": dim.question.get(lang) or dim.question.get("en", ""),
                "codes": "; ".join(c.label.get(lang) or c.label["en"] for c in dim.codes),
            }
        )
    return pd.DataFrame(rows)
