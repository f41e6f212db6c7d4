"""Publication-ready static charts of the comparison tables (:mod:`diplocode.analysis.stats`).

Every chart function takes a table as returned by the analysis functions and returns a
:class:`matplotlib.figure.Figure`. Figures are built directly (never through ``pyplot``), so
no global backend or pyplot state is touched and nothing opens a window. An empty table
gives a figure that says "No data" instead of raising.

Labels use matplotlib's default font (DejaVu Sans), which covers Latin and Cyrillic; CJK
glyphs are not covered, so keep chart labels in Latin or Cyrillic script. The charts' own
words (axis labels, "No data", the default milestones) are in ``lang`` (en, ru or kk:
:func:`diplocode.i18n.translations`); titles, code labels and row names come translated
from the caller.

:func:`to_svg` returns SVG text with the glyphs drawn as paths (no font needed to view it);
:func:`save` writes an ``.svg`` and a 200-dpi ``.png`` side by side.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..i18n import N_, translations

__all__ = [
    "MILESTONES",
    "cooccurrence_chart",
    "heatmap",
    "overlap_chart",
    "save",
    "to_svg",
    "trend_lines",
]

#: Reference events for trend charts, as ``(YYYY-MM, label)``.
#: (:func:`trend_lines` shows a label of this list in its ``lang``.)
MILESTONES: list[tuple[str, str]] = [
    ("2013-09", N_("Silk Road Economic Belt announced in Astana")),
    ("2015-11", N_("First C5+1 ministerial")),
    ("2022-02", N_("Russia's full-scale invasion of Ukraine")),
    ("2023-05", N_("First China–Central Asia summit, Xi'an")),
    ("2023-09", N_("First C5+1 presidential summit, New York")),
]

_PNG_DPI = 200
_WRAP = 40  # characters per line of a long bar or tick label


def _label(code: object, labels: Mapping[str, str] | None) -> str:
    key = str(code)
    return labels.get(key, key) if labels else key


def _wrap(text: str, width: int = _WRAP) -> str:
    return textwrap.fill(text, width) if len(text) > width else text


def _longest_line(texts: list[str]) -> int:
    return max((len(line) for text in texts for line in text.splitlines()), default=0)


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _no_data(title: str = "", lang: str = "en") -> Figure:
    _ = translations(lang).gettext
    fig = _new_figure(4.0, 2.0)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, _("No data"), ha="center", va="center", fontsize=12, color="0.4")
    if title:
        ax.set_title(title)
    return fig


def _percent(value: float) -> str:
    if 0 < value < 0.005:
        return "<1%"
    return f"{value:.0%}"


def heatmap(
    crosstab_table: pd.DataFrame,
    labels: dict[str, str] | None = None,
    dimension: str | None = None,
    title: str = "",
    *,
    rows: Mapping[str, str] | None = None,
    lang: str = "en",
) -> Figure:
    """Groups (rows) x codes (columns) of ``share`` from :func:`~diplocode.analysis.stats.crosstab`.

    ``dimension`` keeps only that dimension's codes; otherwise columns are ordered by
    dimension, then code. Each cell shows its share as a percentage; a code a group never
    used is left blank. ``rows`` names the groups (e.g. actors in the reader's language).
    """
    _ = translations(lang).gettext
    if crosstab_table.empty:
        return _no_data(title, lang)
    frame = crosstab_table.reset_index()
    group_col = str(crosstab_table.index.names[0] or frame.columns[0])
    if dimension is not None:
        frame = frame[frame["dimension"] == dimension]
        if frame.empty:
            return _no_data(title, lang)
    columns = list(
        frame[["dimension", "code"]].drop_duplicates().sort_values(["dimension", "code"])["code"]
    )
    # one row per (group, code) in a crosstab; a code a group never used stays NaN
    matrix = frame.pivot(index=group_col, columns="code", values="share").reindex(columns=columns)
    values = matrix.to_numpy(dtype=float)
    names = [_label(r, rows) for r in matrix.index]
    col_labels = [_wrap(_label(c, labels), 30) for c in columns]

    longest = max(len(line) for lab in col_labels for line in lab.splitlines())
    width = min(2.5 + 0.65 * len(columns) + 0.07 * max(len(r) for r in names), 22.0)
    height = min(1.6 + 0.45 * len(names) + min(0.055 * longest, 3.0), 16.0)
    fig = _new_figure(max(width, 4.5), max(height, 2.8))
    ax = fig.add_subplot()

    vmax = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    vmax = vmax if vmax > 0 else 1.0
    image = ax.imshow(
        np.ma.masked_invalid(values), cmap="Blues", vmin=0.0, vmax=vmax, aspect="auto"
    )
    ax.set_xticks(range(len(columns)), col_labels, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(names)), names)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    # thin white grid between cells
    ax.set_xticks(np.arange(len(columns) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(names) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)

    fontsize = 9 if len(columns) <= 12 else 7
    for i in range(len(names)):
        for j in range(len(columns)):
            value = values[i, j]
            if np.isfinite(value):
                ax.text(
                    j,
                    i,
                    _percent(value),
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color="white" if value > 0.6 * vmax else "0.15",
                )
    bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    bar.set_label(_("Share within dimension"))
    if title:
        ax.set_title(title)
    return fig


def _milestone_x(when: str) -> float:
    year, month = when.split("-")[:2]
    return int(year) + (int(month) - 1) / 12


def trend_lines(
    trends_table: pd.DataFrame,
    codes: list[str],
    by_value: str | None = None,
    by: str = "actor",
    milestones: list[tuple[str, str]] | None = None,
    labels: dict[str, str] | None = None,
    title: str = "",
    *,
    lang: str = "en",
) -> Figure:
    """One line per code: ``count`` per ``year`` from :func:`~diplocode.analysis.stats.trends`.

    ``by_value`` keeps one group (``trends_table[by] == by_value``, e.g. "China");
    otherwise counts are summed over groups. ``milestones`` (``(YYYY-MM, label)``, see
    :data:`MILESTONES`) are drawn as dashed vertical lines at ``year + (month - 1) / 12``;
    those outside the years shown are left out. A code absent from the table is drawn as
    zeros. Gap years (``count`` missing: no document, or no coding at all, of the groups
    shown) are left out of the lines, which break there instead of dropping to zero.
    """
    _ = translations(lang).gettext
    table = trends_table
    if by_value is not None:
        if by not in table.columns:
            raise ValueError(f"trends table has no {by!r} column to select {by_value!r} from")
        table = table[table[by].astype(str) == str(by_value)]
    if table.empty or not codes:
        return _no_data(title, lang)
    years = np.arange(int(table["year"].min()), int(table["year"].max()) + 1)
    counts = table.groupby(["code", "year"])["count"].sum()
    # a year is shown when some group shown has data that year (not a gap)
    observed = table["count"].notna().groupby(table["year"]).any()
    observed = observed.reindex(years, fill_value=False).to_numpy(dtype=bool)

    fig = _new_figure(8.0, 4.8)
    ax = fig.add_subplot()
    peak = 0.0
    for code in codes:
        series = (
            counts.loc[code].reindex(years, fill_value=0).astype(float)
            if code in counts.index.get_level_values(0)
            else pd.Series(0.0, index=years)
        ).where(observed)
        ax.plot(
            years,
            series.to_numpy(dtype=float, na_value=np.nan),
            marker="o",
            markersize=3.5,
            linewidth=1.6,
            label=_wrap(_label(code, labels)),
        )
        peak = max(peak, float(series.max(skipna=True)) if series.notna().any() else 0.0)

    left, right = float(years[0]), float(years[-1])
    shown = sorted(
        (x, _(text) if text else text)  # a label of MILESTONES in lang; others as they are
        for when, text in (milestones or [])
        if left <= (x := _milestone_x(when)) < right + 1
    )
    right = max([right, *(x for x, _ in shown)])
    ax.set_xlim(left - 0.3, right + 0.3)
    # headroom so the milestone labels at the top mostly clear the lines
    ax.set_ylim(0, max(peak, 1.0) * (1.55 if shown else 1.08))
    transform = ax.get_xaxis_transform()  # x in data, y in axes fraction
    previous: tuple[float, str] | None = None
    for x, text in shown:
        ax.axvline(x, color="0.45", linestyle="--", linewidth=0.9, zorder=1)
        # labels sit left of their line (ha="right"), except one close after a left label
        close = previous is not None and x - previous[0] < 0.75 and previous[1] == "right"
        ha = "left" if close else "right"
        ax.text(
            x + (0.05 if ha == "left" else -0.05),
            0.98,
            _wrap(text, 22),
            transform=transform,
            rotation=90,
            ha=ha,
            va="top",
            fontsize=7,
            color="0.25",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1.0},
        )
        previous = (x, ha)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_("Year"))
    ax.set_ylabel(_("Coded units"))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    # as many legend columns as fit the width (about 100 characters at this size)
    names = [_wrap(_label(code, labels)) for code in codes]
    ncols = max(1, min(len(codes), 100 // (_longest_line(names) + 8)))
    fig.legend(loc="outside lower center", ncols=ncols, frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def _barh_figure(n_bars: int, width: float = 8.0) -> Figure:
    height = min(1.3 + 0.38 * n_bars, 14.0)
    return _new_figure(width, max(height, 2.5))


def overlap_chart(
    overlap_table: pd.DataFrame,
    labels: dict[str, str] | None = None,
    title: str = "",
    *,
    lang: str = "en",
) -> Figure:
    """Horizontal bars from :func:`~diplocode.analysis.stats.overlap_zones`: for each
    overlapping code, the number of groups for which it is salient, with their names
    written beside the bar (as labels on the right-hand axis, so long lists never run off
    the figure)."""
    _ = translations(lang).gettext
    if overlap_table.empty:
        return _no_data(title, lang)
    table = overlap_table.sort_values(["n_groups", "min_share"], ascending=False)
    names = [_wrap(_label(c, labels)) for c in table["code"]]
    members = [
        _wrap(groups if isinstance(groups, str) else ", ".join(str(g) for g in groups), 50)
        for groups in table["groups"]
    ]
    n_groups = table["n_groups"].to_numpy(dtype=float)
    width = 3.0 + 0.08 * _longest_line(names) + 0.07 * _longest_line(members)
    fig = _barh_figure(len(table), min(max(width, 6.0), 16.0))
    ax = fig.add_subplot()
    positions = list(range(len(table)))
    ax.barh(positions, n_groups, color="#4a7fb5", height=0.65)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.set_xlim(0, float(n_groups.max()) * 1.03)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_("Groups for which the code is salient"))
    ax.spines[["top", "right"]].set_visible(False)
    beside = ax.secondary_yaxis("right")
    beside.set_yticks(positions, members, fontsize=8, color="0.2")
    beside.tick_params(length=0)
    beside.spines["right"].set_visible(False)
    if title:
        ax.set_title(title)
    return fig


def cooccurrence_chart(
    cooc_table: pd.DataFrame,
    top: int = 15,
    labels: dict[str, str] | None = None,
    title: str = "",
    *,
    lang: str = "en",
) -> Figure:
    """Horizontal bars of the ``top`` code pairs by ``count`` from
    :func:`~diplocode.analysis.stats.cooccurrence`, labelled "label A + label B"."""
    _ = translations(lang).gettext
    if cooc_table.empty or top <= 0:
        return _no_data(title, lang)
    order = ["count", "jaccard"] if "jaccard" in cooc_table.columns else ["count"]
    table = cooc_table.sort_values(order, ascending=False).head(top)
    names = [
        _wrap(f"{_label(a, labels)} + {_label(b, labels)}", 50)
        for a, b in zip(table["code_a"], table["code_b"], strict=True)
    ]
    counts = table["count"].to_numpy(dtype=float)
    fig = _barh_figure(len(table))
    ax = fig.add_subplot()
    positions = list(range(len(table)))
    ax.barh(positions, counts, color="#4a7fb5", height=0.65)
    ax.set_yticks(positions, names, fontsize=8)
    ax.invert_yaxis()
    for y, n in zip(positions, counts, strict=True):
        ax.text(n, y, f" {n:g}", va="center", ha="left", fontsize=8, color="0.2")
    ax.set_xlim(0, float(counts.max()) * 1.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_("Segments coded with both"))
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title)
    return fig


def to_svg(fig: Figure) -> str:
    """The figure as SVG text, with all text drawn as paths (no font needed to view it)."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "diplocode"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def save(fig: Figure, path_without_suffix: str | Path) -> list[Path]:
    """Write ``<path>.svg`` and ``<path>.png`` (200 dpi); return both paths.

    The suffixes are appended to the name as given (``fig.v2`` becomes ``fig.v2.svg``);
    missing parent folders are created.
    """
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    svg_path = base.with_name(base.name + ".svg")
    png_path = base.with_name(base.name + ".png")
    svg_path.write_text(to_svg(fig), encoding="utf-8")
    fig.savefig(png_path, format="png", dpi=_PNG_DPI)
    return [svg_path, png_path]
