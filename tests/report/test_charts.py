"""Static charts: each returns a Figure built from the analysis tables; SVG/PNG output."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from diplocode.analysis.stats import cooccurrence, crosstab, overlap_zones, trends
from diplocode.report import charts


def frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (actor, source_id, unit, code, dimension, year, group)"""
    return pd.DataFrame(
        rows, columns=["actor", "source_id", "unit", "code", "dimension", "year", "group"]
    )


F = frame(
    [
        ("China", 1, 10, "connect", "leg", 2015, "official"),
        ("China", 1, 11, "connect", "leg", 2015, "official"),
        ("China", 1, 11, "dialogue", "leg", 2015, "official"),
        ("China", 2, 20, "sovereignty", "leg", 2023, "academic"),
        ("China", 2, 21, "scholarship", "chan", 2023, "academic"),
        ("Russia", 3, 30, "history", "leg", 2016, "official"),
        ("Russia", 3, 31, "language", "leg", 2016, "official"),
        ("Russia", 3, 31, "connect", "leg", 2016, "official"),
        ("Russia", 4, 40, "history", "leg", 2022, "analytical"),
        ("Russia", 4, 40, "scholarship", "chan", 2022, "analytical"),
        ("USA", 5, 50, "connect", "leg", 2018, "official"),
        ("USA", 5, 51, "dialogue", "leg", 2019, "official"),
        ("USA", 5, 51, "scholarship", "chan", 2019, "official"),
    ]
)
LABELS = {
    "connect": "Connectivity",
    "dialogue": "Диалог культур",  # Cyrillic
    "sovereignty": "Respect for sovereignty and non-interference",
    "history": "Shared history",
    "language": "Русский язык",
    "scholarship": "Scholarships",
}


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def points(line: Line2D) -> dict[int, float]:
    """A data line as {year: count}."""
    xs = np.asarray(line.get_xdata(), dtype=float)
    ys = np.asarray(line.get_ydata(), dtype=float)
    return {int(x): float(y) for x, y in zip(xs, ys, strict=True)}


def is_svg(text: str) -> bool:
    root = ET.fromstring(text)
    return root.tag.endswith("svg") and "<svg" in text


def test_heatmap_rows_columns_and_cells() -> None:
    table = crosstab(F)
    fig = charts.heatmap(table, LABELS, title="Legitimation")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["China", "Russia", "USA"]
    xticks = [t.get_text() for t in ax.get_xticklabels()]
    # ordered by dimension ("chan" before "leg"), then code; labels from the mapping
    assert xticks[0] == "Scholarships"
    assert "Диалог культур" in xticks and "Connectivity" in xticks
    assert len(xticks) == table.reset_index()["code"].nunique()
    # China/connect is 50%; an unused pair (China/history) gets no annotation
    assert "50%" in texts(fig)
    assert len(texts(fig)) == len(table)
    assert ax.get_title() == "Legitimation"
    assert is_svg(charts.to_svg(fig))


def test_heatmap_one_dimension() -> None:
    fig = charts.heatmap(crosstab(F), dimension="chan")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["scholarship"]
    assert texts(fig) == ["100%"] * 3
    assert "No data" in texts(charts.heatmap(crosstab(F), dimension="missing"))


def test_trend_lines_per_code_and_milestones() -> None:
    table = trends(F, start=2013, end=2025)
    codes = ["connect", "history", "dialogue"]
    fig = charts.trend_lines(table, codes, milestones=charts.MILESTONES, labels=LABELS)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    data_lines = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    assert len(data_lines) == len(codes)
    # summed over actors: connect is 2 in 2015 (China) and 1 in 2016 (Russia), 2018 (USA)
    connect = points(data_lines[0])
    assert connect[2015] == 2 and connect[2016] == 1 and connect[2018] == 1
    # nobody coded anything in 2013, 2017 or 2020: gaps (the line breaks), not zeros
    assert np.isnan(connect[2013]) and np.isnan(connect[2017]) and np.isnan(connect[2020])
    assert connect[2019] == 0  # USA coded in 2019, just not connect
    milestone_lines = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(milestone_lines) == len(charts.MILESTONES)
    lo, hi = ax.get_xlim()
    xs = sorted(float(np.asarray(line.get_xdata(), dtype=float)[0]) for line in milestone_lines)
    assert all(lo <= x <= hi for x in xs)
    assert xs[0] == pytest.approx(2013 + 8 / 12)  # 2013-09
    assert any("Astana" in t for t in texts(fig))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Connectivity", "Shared history", "Диалог культур"]


def test_trend_lines_one_group_and_out_of_range_milestones() -> None:
    table = trends(F, start=2015, end=2020)
    fig = charts.trend_lines(
        table, ["connect", "absent"], by_value="China", milestones=charts.MILESTONES
    )
    ax = fig.axes[0]
    data_lines = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    assert len(data_lines) == 2
    connect = points(data_lines[0])
    assert connect[2015] == 2  # Russia's 2016 coding left out
    # China coded nothing in 2016..2020: gaps, also for a code absent from the table
    assert all(np.isnan(connect[y]) for y in range(2016, 2021))
    absent = points(data_lines[1])
    assert absent[2015] == 0.0 and all(np.isnan(absent[y]) for y in range(2016, 2021))
    # only 2015-11 falls in 2015..2020
    assert len([line for line in ax.get_lines() if line.get_linestyle() == "--"]) == 1
    with pytest.raises(ValueError, match="no 'actor' column"):
        charts.trend_lines(trends(F, by=None), ["connect"], by_value="China")


def test_overlap_chart() -> None:
    table = overlap_zones(crosstab(F))
    fig = charts.overlap_chart(table, LABELS, title="Overlap")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.patches) == len(table)
    widths = [p.get_width() for p in ax.patches]  # type: ignore[attr-defined]
    assert widths == table["n_groups"].tolist()
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == ["Scholarships", "Connectivity", "Диалог культур"]
    # the group names are written beside the bars, on the right-hand axis
    beside = [t.get_text() for t in ax.child_axes[0].get_yticklabels()]
    assert beside == ["China; Russia; USA", "China; Russia; USA", "China; USA"]
    assert is_svg(charts.to_svg(fig))


def test_overlap_chart_long_group_lists_keep_their_layout() -> None:
    groups = [f"Country number {i}" for i in range(12)]
    table = pd.DataFrame(
        {
            "dimension": ["d"] * 20,
            "code": [f"code {i} with a rather long descriptive label" for i in range(20)],
            "groups": [groups] * 20,
            "n_groups": [12] * 20,
            "min_share": [0.5] * 20,
        }
    )
    fig = charts.overlap_chart(table)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "constrained_layout not applied"
        assert is_svg(charts.to_svg(fig))


def test_cooccurrence_chart_top_pairs() -> None:
    table = cooccurrence(F)
    fig = charts.cooccurrence_chart(table, top=2, labels=LABELS)
    ax = fig.axes[0]
    assert len(ax.patches) == 2
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names[0] == "Connectivity + Русский язык"
    assert is_svg(charts.to_svg(fig))


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.heatmap(crosstab(F).iloc[:0]),
        lambda: charts.trend_lines(trends(F).iloc[:0], ["connect"]),
        lambda: charts.trend_lines(trends(F), []),
        lambda: charts.trend_lines(trends(F), ["connect"], by_value="Nobody"),
        lambda: charts.overlap_chart(overlap_zones(crosstab(F), min_share=1.1)),
        lambda: charts.cooccurrence_chart(cooccurrence(F.iloc[:0])),
    ],
)
def test_empty_tables_give_no_data_figure(make: Callable[[], Figure]) -> None:
    fig = make()
    assert isinstance(fig, Figure)
    assert "No data" in texts(fig)
    assert is_svg(charts.to_svg(fig))


def test_to_svg_draws_text_as_paths_and_restores_rc() -> None:
    before = matplotlib.rcParams["svg.fonttype"]
    svg = charts.to_svg(charts.heatmap(crosstab(F)))
    assert matplotlib.rcParams["svg.fonttype"] == before
    assert is_svg(svg)
    assert "<text" not in svg  # glyphs are paths, no font needed
    assert svg == charts.to_svg(charts.heatmap(crosstab(F)))  # reproducible


def test_save_writes_svg_and_png(tmp_path: Path) -> None:
    paths = charts.save(
        charts.overlap_chart(overlap_zones(crosstab(F))), tmp_path / "out" / "fig.v1"
    )
    assert paths == [tmp_path / "out" / "fig.v1.svg", tmp_path / "out" / "fig.v1.png"]
    svg, png = paths
    assert svg.stat().st_size > 0 and is_svg(svg.read_text(encoding="utf-8"))
    assert png.read_bytes().startswith(b"\x89PNG")
