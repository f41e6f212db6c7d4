"""The article's tables, generated from codings: Table 2 (models of influence, one row per
actor, with evidence) and Table 1 (the operationalisation, from the codebook).

Ranking comes from the coded text only: the leading codes of an actor in a column are the
codes with the most coded units among that actor's codings in the column's dimension.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from ..codebook.model import Codebook
from ..store import Store
from ..store.schema import codings, segments, sources
from .stats import crosstab

__all__ = ["COLUMNS", "Cell", "Quote", "models_table", "operationalisation_table"]

#: Table 2's columns: (column title, dimension, code-key prefix or None)
COLUMNS: list[tuple[str, str, str | None]] = [
    ("Dominant narrative", "legitimacy", None),
    ("Main instruments", "channel", None),
    ("Target audiences", "audience", None),
    ("Effects", "effect", None),
    ("Strengths", "assessment", "strength."),
    ("Constraints", "assessment", "constraint."),
]


@dataclass
class Quote:
    """An evidence quote with its citation and where it is in the source."""

    text: str
    source_id: int
    title: str
    date: str
    page: int | None
    start: int
    end: int
    coding_id: int

    def citation(self) -> str:
        page = f", p. {self.page}" if self.page else ""
        return f"{self.title} ({self.date}{page})"


@dataclass
class Cell:
    """One cell of Table 2: leading codes (key, label, count, share) and quotes."""

    codes: list[tuple[str, str, int, float]] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    def text(self) -> str:
        return (
            "; ".join(f"{label} ({count}, {share:.0%})" for _, label, count, share in self.codes)
            or "-"
        )


def models_table(
    frame: pd.DataFrame,
    codebook: Codebook,
    store: Store | None = None,
    *,
    top: int = 3,
    quotes: int = 2,
    lang: str = "en",
    actors: list[str] | None = None,
) -> tuple[pd.DataFrame, dict[tuple[str, str], Cell]]:
    """Table 2: one row per actor, one column per :data:`COLUMNS` entry.

    Returns the table of cell texts and the cells themselves (codes with counts and shares,
    and up to ``quotes`` evidence quotes per cell when a ``store`` is given).
    """
    labels = {c.key: c.label.get(lang) or c.label["en"] for c in codebook.codes()}
    table = (
        crosstab(frame).reset_index()
        if not frame.empty
        else pd.DataFrame(columns=["actor", "code", "dimension", "count", "share"])
    )
    wanted = actors or sorted(table["actor"].unique())
    by_cell: dict[tuple[str, str], list[tuple[str, float, float]]] = {}
    for actor, dimension, code, count, share in zip(
        table["actor"],
        table["dimension"],
        table["code"],
        table["count"],
        table["share"],
        strict=True,
    ):
        by_cell.setdefault((actor, dimension), []).append((code, float(count), float(share)))
    cells: dict[tuple[str, str], Cell] = {}
    for actor in wanted:
        for title, dimension, prefix in COLUMNS:
            part = by_cell.get((actor, dimension), [])
            if prefix:
                part = [row for row in part if row[0].startswith(prefix)]
                total = sum(count for _, count, _ in part)
                part = [(code, count, count / total if total else 0.0) for code, count, _ in part]
            part = sorted(part, key=lambda row: (-row[1], row[0]))[:top]
            cells[(actor, title)] = Cell(
                [(code, labels.get(code, code), int(count), share) for code, count, share in part]
            )
    if store is not None and quotes > 0:
        _attach_quotes(cells, frame, store, quotes)
    rows = [
        {"actor": actor, **{title: cells[(actor, title)].text() for title, _, _ in COLUMNS}}
        for actor in wanted
    ]
    return pd.DataFrame(rows, columns=["actor", *[t for t, _, _ in COLUMNS]]).set_index(
        "actor"
    ), cells


def _attach_quotes(
    cells: dict[tuple[str, str], Cell], frame: pd.DataFrame, store: Store, per_cell: int
) -> None:
    """For each cell's leading code, pick quotes from different sources (highest-status and
    highest-score codings first) and cite them."""
    wanted: dict[tuple[str, str], list[int]] = {}
    used: set[tuple[str, object]] = set()  # (actor, unit): one passage quoted once per actor
    status_rank = {"final": 0, "accepted": 1, "suggested": 2}
    leads = {(actor, cell.codes[0][0]) for (actor, _), cell in cells.items() if cell.codes}
    # one pass over integer codes: the candidate codings of every (actor, leading code),
    # ranked by status then id, instead of a scan of the whole frame per cell
    actor_codes, actor_values = pd.factorize(frame["actor"], sort=True)
    code_codes, code_values = pd.factorize(frame["code"], sort=True)
    actor_at = {a: i for i, a in enumerate(actor_values)}
    code_at = {c: i for i, c in enumerate(code_values)}
    n_codes = max(len(code_values), 1)
    wanted_keys = [
        actor_at[a] * n_codes + code_at[c] for a, c in leads if a in actor_at and c in code_at
    ]
    pair = actor_codes * n_codes + code_codes
    rows = np.flatnonzero(np.isin(pair, wanted_keys))
    rank = frame["status"].iloc[rows].astype(object).map(status_rank).to_numpy(dtype=int)
    coding_ids = frame["coding_id"].to_numpy()[rows]
    rows = rows[np.lexsort((coding_ids, rank, pair[rows]))]  # by cell, then status and id
    pairs_sorted = pair[rows]
    units = frame["unit"].to_numpy()[rows]
    source_ids = frame["source_id"].to_numpy()[rows]
    coding_ids = frame["coding_id"].to_numpy()[rows]

    def candidates(lo: int, hi: int) -> Iterator[tuple[object, int, int]]:
        for c in range(lo, hi, 64):  # converted a little at a time: most cells need 2 rows
            yield from zip(
                units[c : min(hi, c + 64)].tolist(),
                source_ids[c : min(hi, c + 64)].tolist(),
                coding_ids[c : min(hi, c + 64)].tolist(),
                strict=True,
            )

    for (actor, title), cell in cells.items():
        if not cell.codes or actor not in actor_at or cell.codes[0][0] not in code_at:
            continue
        target = actor_at[actor] * n_codes + code_at[cell.codes[0][0]]
        lo, hi = np.searchsorted(pairs_sorted, [target, target + 1])
        chosen: list[int] = []
        sources_seen: set[int] = set()
        for unit, source_id, coding_id in candidates(int(lo), int(hi)):
            if (actor, unit) in used or source_id in sources_seen:
                continue
            chosen.append(coding_id)
            used.add((actor, unit))
            sources_seen.add(source_id)
            if len(chosen) == per_cell:
                break
        wanted[(actor, title)] = chosen
    ids = sorted({i for v in wanted.values() for i in v})
    if not ids:
        return
    with store.read() as conn:
        found = {
            r.id: r
            for r in conn.execute(
                select(
                    codings.c.id,
                    codings.c.source_id,
                    codings.c.start,
                    codings.c.end,
                    sources.c.title,
                    sources.c.date_year,
                    sources.c.date_month,
                    sources.c.date_day,
                )
                .join(sources, sources.c.id == codings.c.source_id)
                .where(codings.c.id.in_(ids))
            )
        }
        texts: dict[int, str] = {}
        pages: dict[int, int | None] = {}
        for r in found.values():
            row = conn.execute(
                select(sources.c.text).where(sources.c.id == r.source_id)
            ).scalar_one()
            texts[r.id] = row[r.start : r.end]
            pages[r.id] = conn.execute(
                select(segments.c.page)
                .where(
                    segments.c.source_id == r.source_id,
                    segments.c.kind == "paragraph",
                    segments.c.start <= r.start,
                )
                .order_by(segments.c.start.desc())
                .limit(1)
            ).scalar()
    for key, chosen in wanted.items():
        for coding_id in chosen:
            hit = found.get(coding_id)
            if hit is None:
                continue
            r = hit
            text = " ".join(texts[coding_id].split())
            date = (
                "-".join(
                    str(p) if i == 0 else f"{p:02d}"
                    for i, p in enumerate((r.date_year, r.date_month, r.date_day))
                    if p is not None
                )
                or "n.d."
            )
            cells[key].quotes.append(
                Quote(
                    text if len(text) <= 300 else text[:297] + "…",
                    r.source_id,
                    r.title,
                    date,
                    pages[coding_id],
                    r.start,
                    r.end,
                    coding_id,
                )
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
