"""Reports: one self-contained HTML file, DOCX, XLSX, LaTeX, and PNG/SVG figures.

:func:`build_report` computes every table once (from :mod:`diplocode.analysis`) and hands
them to the renderers. Every output states the codebook version, the coders, which coding
statuses were counted and the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from .. import __version__
from ..analysis import stats
from ..analysis.data import codings_frame
from ..analysis.models import COLUMNS, models_table, operationalisation_table
from ..project import Project
from ..store.schema import coders, codings, sources

__all__ = ["FORMATS", "ReportData", "build_report", "collect"]

FORMATS = ("html", "docx", "xlsx", "tex", "png", "svg")


@dataclass
class ReportData:
    """Everything a report shows, computed once."""

    title: str
    project_name: str
    codebook: Any
    codebook_version_id: int
    include_suggested: bool
    statuses: list[str]
    start: int
    end: int
    coders: list[dict[str, Any]]
    frame: pd.DataFrame
    table1: pd.DataFrame
    models: pd.DataFrame
    cells: dict[tuple[str, str], Any]
    crosstab: pd.DataFrame
    distinctive: pd.DataFrame
    overlap: pd.DataFrame
    trends: pd.DataFrame
    triangulation: pd.DataFrame
    cooccurrence: pd.DataFrame
    n_sources: int

    def note(self) -> str:
        counted = ", ".join(self.statuses) + (
            " (includes unreviewed machine suggestions)" if self.include_suggested else ""
        )
        return (
            f"Codebook {self.codebook.name} {self.codebook.version} (hash {self.codebook.content_hash()[:12]}); "
            f"counted statuses: {counted}; period {self.start}-{self.end}; "
            f"coders: {', '.join(c['name'] for c in self.coders) or 'none'}."
        )


def collect(
    project: Project,
    *,
    include_suggested: bool = False,
    start: int = 2013,
    end: int = 2025,
    lang: str = "en",
) -> ReportData:
    """Compute every table of the report from the project's codings."""
    version_id, codebook = project.codebook()
    frame = codings_frame(
        project.store, include_suggested=include_suggested, codebook_version_id=version_id
    )
    if not frame.empty:
        frame = frame[(frame["year"].isna()) | ((frame["year"] >= start) & (frame["year"] <= end))]
    empty = frame.empty
    models, cells = models_table(frame, codebook, project.store, lang=lang)
    crosstab = (
        pd.DataFrame()
        if empty
        else stats.bootstrap_share_ci(frame).join(
            stats.crosstab(frame)[["dimension", "count", "documents", "doc_share"]]
        )
    )
    with project.store.read() as conn:
        used = (
            conn.execute(
                select(coders.c.id, coders.c.name, coders.c.version, coders.c.kind)
                .where(
                    # the coders behind the counted codings (a subquery, not an id list:
                    # a million ids would exceed SQLite's variable limit)
                    coders.c.id.in_(
                        select(codings.c.coder_id).where(
                            codings.c.codebook_version_id == version_id,
                            codings.c.status.in_(list(frame.attrs.get("statuses", []))),
                        )
                    )
                )
                .order_by(coders.c.id)
            )
            .mappings()
            .all()
            if not empty
            else []
        )
        n_sources = int(conn.execute(select(func.count()).select_from(sources)).scalar() or 0)
    return ReportData(
        title=codebook.title.get(lang) or codebook.name,
        project_name=project.name,
        codebook=codebook,
        codebook_version_id=version_id,
        include_suggested=include_suggested,
        statuses=list(frame.attrs.get("statuses", [])),
        start=start,
        end=end,
        coders=[dict(c) for c in used],
        frame=frame,
        table1=operationalisation_table(codebook, lang),
        models=models,
        cells=cells,
        crosstab=crosstab,
        distinctive=pd.DataFrame()
        if empty
        else stats.log_odds(frame).sort_values("z", ascending=False),
        overlap=pd.DataFrame() if empty else stats.overlap_zones(stats.crosstab(frame)),
        trends=pd.DataFrame() if empty else stats.trends(frame, start=start, end=end),
        triangulation=pd.DataFrame() if empty else stats.triangulation(frame),
        cooccurrence=pd.DataFrame() if empty else stats.cooccurrence(frame),
        n_sources=n_sources,
    )


def build_report(
    project: Project,
    out_dir: str | Path,
    *,
    include_suggested: bool = False,
    start: int = 2013,
    end: int = 2025,
    formats: tuple[str, ...] = FORMATS,
    lang: str = "en",
) -> dict[str, list[Path]]:
    """Write the report in the requested formats; returns the files per format."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = collect(project, include_suggested=include_suggested, start=start, end=end, lang=lang)
    written: dict[str, list[Path]] = {}
    figures = _figures(data, lang)
    svgs: dict[str, str] = {}
    if "png" in formats or "svg" in formats:
        from .charts import save

        paths: list[Path] = []
        for name, fig in figures.items():
            saved = save(fig, out / "figures" / name)
            svgs[name] = saved[0].read_text(encoding="utf-8")  # rendered once, reused inline
            paths += saved
        written["figures"] = paths
    if "html" in formats:
        from .charts import to_svg
        from .html import render_html

        for name, fig in figures.items():
            svgs.setdefault(name, to_svg(fig))
        path = out / "report.html"
        path.write_text(render_html(project, data, svgs, lang), encoding="utf-8")
        written["html"] = [path]
    if "docx" in formats:
        from .tables import write_docx

        written["docx"] = [
            write_docx(
                out / "tables.docx",
                data.table1,
                data.models.reset_index(),
                data.cells,
                caption_note=data.note(),
            )
        ]
    if "xlsx" in formats:
        from .tables import write_xlsx

        written["xlsx"] = [write_xlsx(out / "tables.xlsx", _sheets(data))]
    if "tex" in formats:
        from .tables import write_latex

        written["tex"] = [
            write_latex(
                out / "tables.tex",
                [
                    (
                        data.table1,
                        f"Operationalisation of the indicators. {data.note()}",
                        "tab:operationalisation",
                    ),
                    (
                        data.models.reset_index(),
                        f"Models of influence. {data.note()}",
                        "tab:models",
                    ),
                ],
            )
        ]
    return written


def _sheets(data: ReportData) -> dict[str, pd.DataFrame]:
    meta = pd.DataFrame(
        {
            "item": ["generated", "diplocode", "note"],
            "value": [
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                __version__,
                data.note(),
            ],
        }
    )
    return {
        "About": meta,
        "Table 1 operationalisation": data.table1,
        "Table 2 models": data.models.reset_index(),
        "Crosstab actor x code": data.crosstab.reset_index()
        if not data.crosstab.empty
        else data.crosstab,
        "Distinctive codes": data.distinctive.reset_index()
        if not data.distinctive.empty
        else data.distinctive,
        "Overlap zones": data.overlap,
        "Trends": data.trends,
        "Triangulation": data.triangulation,
        "Co-occurrence": data.cooccurrence,
    }


def _figures(data: ReportData, lang: str) -> dict[str, Any]:
    from . import charts

    labels = {c.key: c.label.get(lang) or c.label["en"] for c in data.codebook.codes()}
    figs: dict[str, Any] = {}
    table = (
        stats.crosstab(data.frame)
        if not data.frame.empty
        else pd.DataFrame(columns=["dimension", "share", "count"])
    )
    for dim in ("legitimacy", "channel", "audience", "effect"):
        figs[f"heatmap-{dim}"] = charts.heatmap(
            table, labels=labels, dimension=dim, title=f"Share of coded segments: {dim}"
        )
    leading = []
    if not data.trends.empty:
        leg = (
            data.trends[data.trends["dimension"] == "legitimacy"]
            .groupby("code")["count"]
            .sum()
            .sort_values(ascending=False)
        )
        leading = list(leg.index[:5])
    figs["trends-legitimacy"] = charts.trend_lines(
        data.trends
        if not data.trends.empty
        else pd.DataFrame(columns=["year", "code", "count", "actor"]),
        codes=leading,
        milestones=charts.MILESTONES,
        labels=labels,
        title=f"Legitimacy narratives {data.start}-{data.end} (all actors)",
    )
    figs["overlap"] = charts.overlap_chart(data.overlap, labels=labels, title="Zones of overlap")
    figs["cooccurrence"] = charts.cooccurrence_chart(
        data.cooccurrence, labels=labels, title="Codes on the same segment"
    )
    return figs


MODEL_COLUMNS = [title for title, _, _ in COLUMNS]
