"""Reports: one self-contained HTML file, DOCX, XLSX, LaTeX, and PNG/SVG figures.

:func:`build_report` renders a :class:`~diplocode.analysis.compare.Comparison` (the one
comparison engine, also behind ``diplocode compare`` and the web's Compare page): it
computes nothing of its own, so a report shows the numbers ``compare`` shows for the same
specification. Every output states the codebook version, the coders, which coding statuses
were counted, the actor role, the unit and the period, and how many codings were left out.
Table 2's columns, the charts' dimensions, colours and milestones come from the codebook's
``tables:`` section.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..analysis.compare import Comparison
from ..analysis.models import Cell
from ..project import Project

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
    note = comparison.note()
    wide, cells = models_wide(comparison) if not comparison.empty else (pd.DataFrame(), {})
    table1 = comparison.table("operationalisation").frame
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
                wide.reset_index() if not wide.empty else _empty_models(comparison),
                cells,
                caption_note=note,
                title=comparison.codebook.title.get(comparison.spec.lang)
                or comparison.codebook.title.get("en")
                or comparison.codebook.name,
                models_caption=title2,
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
                        f"Operationalisation of the indicators. {note}",
                        "tab:operationalisation",
                    ),
                    (
                        wide.reset_index() if not wide.empty else _empty_models(comparison),
                        f"{title2}. {note}",
                        "tab:models",
                    ),
                ],
            )
        ]
    return written


def _empty_models(comparison: Comparison) -> pd.DataFrame:
    titles = [c.title_in(comparison.spec.lang) for c in comparison.layout.columns]
    return pd.DataFrame(
        [{"actor": "(no codings counted)", **dict.fromkeys(titles, "-")}],
        columns=["actor", *titles],
    )


def sheets(comparison: Comparison) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: About (note, legends), then every table in long form."""
    about = [
        ("generated", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ("diplocode", __version__),
        ("note", comparison.note()),
        ("counted", comparison.counted_label()),
    ]
    out: dict[str, pd.DataFrame] = {}
    names = {
        "operationalisation": "Table 1 operationalisation",
        "models": "Table 2 models",
        "crosstab": "Crosstab",
        "distinctive": "Distinctive codes",
        "overlap": "Overlap zones",
        "trends": "Trends",
        "triangulation": "Triangulation",
        "cooccurrence": "Co-occurrence",
    }
    for name, sheet in names.items():
        table = comparison.table(name)
        about += [(f"{sheet}: legend", item) for item in table.legend]
        out[sheet] = table.frame
    return {"About": pd.DataFrame(about, columns=["item", "value"]), **out}


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
            table, labels=labels, dimension=dim, title=f"Share of coded passages: {name}"
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
            title=f"{name} {start}-{end} (all actors)" if start is not None else name,
        )
    if not comparison.empty:
        figs["overlap"] = charts.overlap_chart(
            comparison.table("overlap").frame, labels=labels, title="Zones of overlap"
        )
        figs["cooccurrence"] = charts.cooccurrence_chart(
            comparison.table("cooccurrence").frame, labels=labels, title="Codes on the same passage"
        )
    return figs
