"""The HTML report: one self-contained file (inline CSS and SVG, no scripts, no requests).

Document text is always escaped (Jinja2 autoescape; pandas ``to_html(escape=True)``).
The template's words are gettext messages (``jinja2.ext.i18n``, new-style: a literal
``%`` is written ``%%``), rendered with the catalogue of the comparison's language.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd
from markupsafe import escape
from sqlalchemy import select

from .. import __version__
from ..i18n import translations
from ..store.schema import sources

if TYPE_CHECKING:
    from ..analysis.compare import Comparison
    from ..project import Project

CONTEXT_CHARS = 200


def _table(comparison: Comparison, df: pd.DataFrame | None, name: str = "") -> str:
    """A table as HTML, as the comparison's reader sees it (:func:`.display.display_frame`)."""
    if df is None or df.empty:
        nothing = escape(comparison.gettext("No data."))
        return f'<p class="meta">{nothing}</p>'
    from .display import display_frame

    shown = display_frame(comparison, df, name=name, text=True)
    return shown.to_html(index=False, escape=True, border=0, na_rep="–")


def _passages(project: Project, comparison: Comparison) -> list[dict[str, Any]]:
    cells = comparison.table("models").cells or {}
    quotes = [q for cell in cells.values() for q in cell.quotes]
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
                "citation": q.citation(comparison.spec.lang),
                "label": q.label,
            }
        )
    return out


def render_html(project: Project, comparison: Comparison, svgs: dict[str, str]) -> str:
    """The report as one HTML string; ``svgs`` are the figures as SVG text, by name."""
    from . import models_wide

    spec, meta, lang = comparison.spec, comparison.meta, comparison.spec.lang
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("diplocode.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    template = env.get_template("report.html.j2")
    wide, cells = models_wide(comparison) if not comparison.empty else (pd.DataFrame(), {})
    titles = [c.title_in(lang) for c in comparison.layout.columns]
    tables = {
        name: comparison.table(name)
        for name in (
            "crosstab",
            "distinctive",
            "overlap",
            "triangulation",
            "cooccurrence",
            "trends",
        )
    }
    return template.render(
        lang=lang,
        title=comparison.codebook.title.get(lang)
        or comparison.codebook.title.get("en")
        or comparison.codebook.name,
        project_name=project.name,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        note=comparison.note(),
        codebook_name=comparison.codebook.name,
        codebook_version=comparison.codebook.version,
        codebook_hash=meta["codebook_hash"],
        period=comparison.period_label(),
        statuses=[comparison.status_label(s) for s in meta["statuses"]],
        include_suggested=spec.include_suggested,
        n_codings=meta["n_codings"],
        n_sources=meta["n_sources"],
        coders=meta["coders"],
        models_title=comparison.layout.title_in(lang),
        model_columns=titles,
        model_actors=list(wide.index),
        actor_names=comparison.actor_labels,
        models_legend=comparison.table("models").legend,
        cells=cells,
        table1_html=_table(comparison, comparison.table("operationalisation").frame),
        heatmaps=[svg for name, svg in svgs.items() if name.startswith("heatmap")],
        crosstab_html=_table(comparison, tables["crosstab"].frame, "crosstab"),
        legends={name: t.legend for name, t in tables.items()},
        distinctive_html=_table(comparison, tables["distinctive"].frame, "distinctive"),
        overlap_svg=svgs.get("overlap"),
        overlap_html=_table(comparison, tables["overlap"].frame, "overlap"),
        trend_svgs=[svg for name, svg in svgs.items() if name.startswith("trends")],
        triangulation_html=_table(comparison, tables["triangulation"].frame, "triangulation"),
        cooc_svg=svgs.get("cooccurrence"),
        cooccurrence_html=_table(comparison, tables["cooccurrence"].frame, "cooccurrence"),
        passages=_passages(project, comparison),
    )
