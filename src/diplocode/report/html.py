"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no requests).

Document text is always escaped (Jinja2 autoescape; pandas ``to_html(escape=True)``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd
from sqlalchemy import select

from .. import __version__
from ..store.schema import sources

if TYPE_CHECKING:
    from ..project import Project
    from . import ReportData

CONTEXT_CHARS = 200


def _table(df: pd.DataFrame, *, index: bool = False, floatfmt: str = "{:.3f}") -> str:
    if df is None or df.empty:
        return '<p class="meta">No data.</p>'
    shown = df.reset_index() if index else df
    shown = shown.map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return shown.to_html(
        index=False, escape=True, float_format=floatfmt.format, border=0, na_rep="–"
    )


def _passages(project: Project, data: ReportData) -> list[dict[str, Any]]:
    quotes = [q for cell in data.cells.values() for q in cell.quotes]
    texts: dict[int, str] = {}
    with project.store.read() as conn:
        for source_id in sorted({q.source_id for q in quotes}):
            texts[source_id] = conn.execute(
                select(sources.c.text).where(sources.c.id == source_id)
            ).scalar_one()
    seen: set[int] = set()
    out = []
    for q in quotes:
        if q.coding_id in seen:
            continue
        seen.add(q.coding_id)
        text = texts[q.source_id]
        before = text[max(0, q.start - CONTEXT_CHARS) : q.start]
        after = text[q.end : q.end + CONTEXT_CHARS]
        out.append(
            {
                "coding_id": q.coding_id,
                "source_id": q.source_id,
                "start": q.start,
                "end": q.end,
                "before": ("…" if q.start > CONTEXT_CHARS else "") + before,
                "text": text[q.start : q.end],
                "after": after + ("…" if q.end + CONTEXT_CHARS < len(text) else ""),
                "citation": q.citation(),
            }
        )
    return out


def render_html(project: Project, data: ReportData, svgs: dict[str, str], lang: str = "en") -> str:
    """The report as one HTML string; ``svgs`` are the figures as SVG text, by name."""
    from . import MODEL_COLUMNS

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("diplocode.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("report.html.j2")
    return template.render(
        lang=lang,
        title=data.title,
        project_name=data.project_name,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        codebook_name=data.codebook.name,
        codebook_version=data.codebook.version,
        codebook_hash=data.codebook.content_hash(),
        start=data.start,
        end=data.end,
        statuses=data.statuses,
        include_suggested=data.include_suggested,
        n_codings=int(data.frame["coding_id"].nunique()) if not data.frame.empty else 0,
        n_sources=data.n_sources,
        coders=data.coders,
        model_columns=MODEL_COLUMNS,
        model_actors=list(data.models.index),
        cells=data.cells,
        table1_html=_table(data.table1),
        heatmaps=[svg for name, svg in svgs.items() if name.startswith("heatmap")],
        crosstab_html=_table(data.crosstab, index=True),
        distinctive_html=_table(data.distinctive, index=True),
        overlap_svg=svgs.get("overlap"),
        overlap_html=_table(data.overlap),
        trend_svgs=[svg for name, svg in svgs.items() if name.startswith("trends")],
        triangulation_html=_table(data.triangulation),
        cooc_svg=svgs.get("cooccurrence"),
        cooccurrence_html=_table(data.cooccurrence),
        passages=_passages(project, data),
    )
