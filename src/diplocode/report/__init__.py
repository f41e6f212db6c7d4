"""Reports: one self-contained HTML file, DOCX, XLSX, LaTeX, and PNG/SVG figures.

:func:`build_report` renders a :class:`~diplocode.analysis.compare.Comparison` (the one
comparison engine, also behind ``diplocode compare`` and the web's Compare page): it
computes nothing of its own, so a report shows the numbers ``compare`` shows for the same
specification. Every output states the codebook version, the coders, which coding statuses
were counted, the actor role, the unit and the period, and how many codings were left out.
Table 2's columns, the charts' dimensions, colours and milestones come from the codebook's
``tables:`` section. Everything a reader sees is in the comparison's language
(``Spec.lang``: en, ru or kk): headings, captions, banners, table headers, legends, chart
labels, source groups, dimension and code labels, and actors by their gazetteer name in
that language (:mod:`.display`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..analysis.compare import Comparison
from ..analysis.models import Cell
from ..i18n import N_
from ..project import Project
from .display import display_frame, heading

__all__ = ["FORMATS", "build_report", "models_wide", "sheets"]

FORMATS = ("html", "docx", "xlsx", "tex", "png", "svg")


def models_wide(comparison: Comparison) -> tuple[pd.DataFrame, dict[tuple[str, str], Cell]]:
    """Table 2 as one row per actor and one column per layout column (titled in the
    comparison's language), and its cells keyed by (actor, column title)."""
    result = comparison.table("models")
    titles = {c.key: c.title_in(comparison.spec.lang) for c in comparison.layout.columns}
    cells = {(a, titles[k]): cell for (a, k), cell in (result.cells or {}).items()}
    actors = list(dict.fromkeys(a for a, _ in (result.cells or {})))
    rows = [{"actor": a, **{t: cells[(a, t)].text() for t in titles.values()}} for a in actors]
    wide = pd.DataFrame(rows, columns=["actor", *titles.values()]).set_index("actor")
    return wide, cells


def build_report(
    project: Project,
    out_dir: str | Path,
    comparison: Comparison,
    *,
    formats: tuple[str, ...] = FORMATS,
) -> dict[str, list[Path]]:
    """Write the report of ``comparison`` in the requested formats; returns the files per
    format."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {}
    figures = _figures(comparison)
    svgs: dict[str, str] = {}
    if "png" in formats or "svg" in formats:
        from .charts import save

        paths: list[Path] = []
        for name, fig in figures.items():
            saved = save(fig, out / "figures" / name)
            svgs[name] = saved[0].read_text(encoding="utf-8")  # rendered once, reused inline
            paths += saved
        written["figures"] = paths
    _ = comparison.gettext
    note = comparison.note()
    wide, cells = models_wide(comparison) if not comparison.empty else (pd.DataFrame(), {})
    models = wide if not wide.empty else _empty_models(comparison).set_index("actor")
    table1 = display_frame(comparison, comparison.table("operationalisation").frame)
    title2 = comparison.layout.title_in(comparison.spec.lang)
    if "html" in formats:
        from .charts import to_svg
        from .html import render_html

        for name, fig in figures.items():
            svgs.setdefault(name, to_svg(fig))
        path = out / "report.html"
        path.write_text(render_html(project, comparison, svgs), encoding="utf-8")
        written["html"] = [path]
    if "docx" in formats:
        from .tables import write_docx

        written["docx"] = [
            write_docx(
                out / "tables.docx",
                table1,
                models,
                cells,
                caption_note=note,
                title=comparison.codebook.title.get(comparison.spec.lang)
                or comparison.codebook.title.get("en")
                or comparison.codebook.name,
                models_caption=title2,
                lang=comparison.spec.lang,
                actor_labels=comparison.actor_labels,
            )
        ]
    if "xlsx" in formats:
        from .tables import write_xlsx

        written["xlsx"] = [write_xlsx(out / "tables.xlsx", sheets(comparison))]
    if "tex" in formats:
        from .tables import write_latex

        written["tex"] = [
            write_latex(
                out / "tables.tex",
                [
                    (
                        table1,
                        _("Operationalisation of the indicators") + f". {note}",
                        "tab:operationalisation",
                    ),
                    (
                        display_frame(comparison, models),
                        f"{title2}. {note}",
                        "tab:models",
                    ),
                ],
            )
        ]
    return written


def _empty_models(comparison: Comparison) -> pd.DataFrame:
    titles = [c.title_in(comparison.spec.lang) for c in comparison.layout.columns]
    nothing = comparison.gettext("(no codings counted)")
    return pd.DataFrame(
        [{"actor": nothing, **dict.fromkeys(titles, "-")}],
        columns=["actor", *titles],
    )


#: The workbook's sheets (names of at most 31 characters in every language).
SHEETS = {
    "operationalisation": N_("Table 1 operationalisation"),
    "models": N_("Table 2 models"),
    "crosstab": N_("Crosstab"),
    "distinctive": N_("Distinctive codes"),
    "overlap": N_("Overlap zones"),
    "trends": N_("Trends"),
    "triangulation": N_("Triangulation"),
    "cooccurrence": N_("Co-occurrence"),
}


def sheets(comparison: Comparison) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: About (note, legends), then every table in long form, in the
    comparison's language (sheet names, headings, actors, source groups; in English the
    headings are the tables' column keys)."""
    _ = comparison.gettext
    lang = comparison.spec.lang
    about = [
        (_("generated"), dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ("diplocode", __version__),
        (_("note"), comparison.note()),
        (_("counted"), comparison.counted_label()),
    ]
    out: dict[str, pd.DataFrame] = {}
    for name, sheet in SHEETS.items():
        table = comparison.table(name)
        title = _(sheet)
        about += [(_("{sheet}: legend").format(sheet=title), item) for item in table.legend]
        out[title] = display_frame(comparison, table.frame, name=name)
    columns = [heading("item", lang), heading("value", lang)]
    return {_("About"): pd.DataFrame(about, columns=columns), **out}


def _milestones(comparison: Comparison) -> list[tuple[str, str]]:
    lang = comparison.spec.lang
    out = []
    for m in comparison.layout.milestones:
        parts = m.date.split("-")
        when = f"{parts[0]}-{parts[1] if len(parts) > 1 else '07'}"
        out.append((when, m.label.get(lang) or m.label["en"]))
    return out


def _figures(comparison: Comparison) -> dict[str, Any]:
    from . import charts

    _ = comparison.gettext
    lang = comparison.spec.lang
    labels = comparison.labels
    figs: dict[str, Any] = {}
    if comparison.empty:
        table = pd.DataFrame(columns=["dimension", "share", "count"])
    else:
        from ..analysis import stats

        table = stats.crosstab(comparison.frame, unit=comparison.spec.unit)
    for dim in comparison.layout.heatmaps:
        name = comparison.dimension_labels.get(dim, dim)
        figs[f"heatmap-{dim}"] = charts.heatmap(
            table,
            labels=labels,
            dimension=dim,
            title=_("Share of coded passages: {name}").format(name=name),
            rows=comparison.actor_labels,
            lang=lang,
        )
    trends = comparison.table("trends").frame
    start, end = comparison.meta["period"]
    for dim in comparison.layout.trends:
        name = comparison.dimension_labels.get(dim, dim)
        leading: list[str] = []
        part = pd.DataFrame(columns=["year", "code", "count", "actor"])
        if not trends.empty:
            # the trends table carries dimension labels; its codes identify the dimension
            keys = {c.key for d in comparison.codebook.dimensions if d.key == dim for c in d.codes}
            part = trends[trends["code"].astype(str).isin(keys)]
            leading = list(
                part.groupby("code")["count"].sum().sort_values(ascending=False).index[:5]
            )
        figs[f"trends-{dim}"] = charts.trend_lines(
            part,
            codes=leading,
            milestones=_milestones(comparison),
            labels=labels,
            title=_("{name} {start}-{end} (all actors)").format(name=name, start=start, end=end)
            if start is not None
            else name,
            lang=lang,
        )
    if not comparison.empty:
        overlap = display_frame(
            comparison, comparison.table("overlap").frame, name="overlap", rename=False
        )
        figs["overlap"] = charts.overlap_chart(
            overlap, labels=labels, title=_("Zones of overlap"), lang=lang
        )
        figs["cooccurrence"] = charts.cooccurrence_chart(
            comparison.table("cooccurrence").frame,
            labels=labels,
            title=_("Codes on the same passage"),
            lang=lang,
        )
    return figs
