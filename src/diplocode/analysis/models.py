"""The article's tables, generated from codings: Table 2 (models of influence, one row per
actor, with evidence) and Table 1 (the operationalisation, from the codebook).

Ranking comes from the coded text only: the leading codes of an actor in a column are the
codes with the most coded units among that actor's codings in the column's dimension.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    cells: dict[tuple[str, str], Cell] = {}
    for actor in wanted:
        mine = table[table["actor"] == actor]
        for title, dimension, prefix in COLUMNS:
            part = mine[mine["dimension"] == dimension]
            if prefix:
                part = part[part["code"].str.startswith(prefix)]
                total = part["count"].sum()
                part = part.assign(share=part["count"] / total if total else 0.0)
            part = part.sort_values(["count", "code"], ascending=[False, True]).head(top)
            cells[(actor, title)] = Cell(
                [
                    (r.code, labels.get(r.code, r.code), int(r.count), float(r.share))
                    for r in part.itertuples()
                ]
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
    used: set[tuple[str, str]] = set()  # (actor, unit): one passage quoted once per actor
    status_rank = {"final": 0, "accepted": 1, "suggested": 2}
    leads = {(actor, cell.codes[0][0]) for (actor, _), cell in cells.items() if cell.codes}
    # one pass: the candidate codings of every (actor, leading code), ranked, instead of a
    # scan of the whole frame per cell
    keyed = frame[pd.MultiIndex.from_arrays([frame["actor"], frame["code"]]).isin(list(leads))]
    keyed = keyed.assign(_rank=keyed["status"].map(status_rank)).sort_values(["_rank", "coding_id"])
    candidates = {key: part for key, part in keyed.groupby(["actor", "code"], sort=False)}
    for (actor, title), cell in cells.items():
        if not cell.codes:
            continue
        lead = cell.codes[0][0]
        rows = candidates.get((actor, lead), frame.iloc[0:0])
        chosen: list[int] = []
        sources_seen: set[int] = set()
        for row in rows.itertuples():
            if (actor, row.unit) in used or row.source_id in sources_seen:
                continue
            chosen.append(int(row.coding_id))
            used.add((actor, str(row.unit)))
            sources_seen.add(int(row.source_id))
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
