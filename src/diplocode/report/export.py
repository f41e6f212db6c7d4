"""Comparison tables as CSV, JSON and Markdown: one shape, used by the CLI and the web.

Every format carries what decides the numbers: the note (codebook, counted statuses,
actor role, unit, period, codings left out), the legend of the table's columns, and in
CSV a ``counted`` column on every row (a CSV has no place for a caption that survives a
spreadsheet).
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import pandas as pd

from ..analysis.compare import Comparison, TableResult
from ..i18n import translations

__all__ = ["FORMATS", "format_value", "table_csv", "table_json", "table_markdown"]

#: Formats of ``diplocode compare``.
FORMATS = ("table", "csv", "json", "md")


def format_value(value: Any, column: str = "", lang: str = "en") -> str:
    """A cell as text: integers as integers, shares and intervals as percentages with one
    decimal, other floats with three decimals, missing values empty, yes and no in
    ``lang``."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        _ = translations(lang).gettext
        return _("yes") if value else _("no")
    if isinstance(value, int) or (hasattr(value, "is_integer") and _is_int_column(column)):
        try:
            return str(int(value))
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, float):
        if column in ("share", "ci_low", "ci_high", "doc_share", "min_share"):
            return f"{value:.1%}"
        return f"{value:.3f}"
    return str(value)


def _is_int_column(column: str) -> bool:
    return column in ("count", "documents", "n_documents", "rank", "year", "n_a", "n_b", "words")


def meta_of(comparison: Comparison) -> dict[str, Any]:
    """The JSON-ready facts behind every table."""
    m = comparison.meta
    start, end = m["period"]
    return {
        "codebook": {
            "name": m["codebook"],
            "version": m["codebook_version"],
            "id": m["codebook_version_id"],
            "hash": m["codebook_hash"],
        },
        "counted_statuses": m["statuses"],
        "include_suggested": m["include_suggested"],
        "actor_role": m["actor_role"],
        "unit": m["unit"],
        "period": {"from": start, "to": end, "default": m["period_default"]},
        "data_range": {"from": m["data_range"][0], "to": m["data_range"][1]},
        "outside_period": m["outside_period"],
        "undated_excluded": m["undated_excluded"],
        "unattributed": m["unattributed"],
        "n_codings": m["n_codings"],
        "from_earlier_versions": m.get("from_earlier_versions", 0),
        "codebook_changes": m.get("codebook_changes", {}),
        "coders": [c["name"] for c in m["coders"]],
    }


def table_json(comparison: Comparison, table: TableResult) -> dict[str, Any]:
    """One table as a JSON-ready dict: title, note, counted, legend, meta, rows (for the
    models table also ``cells``: each cell's codes and labelled quotes). Title, note and
    legend are in the comparison's language; the data keep their keys and canonical names,
    and a row or cell with an ``actor`` also has its ``actor_label``, the actor's name in
    that language."""
    rows = table.records()
    for row in rows:
        if "actor" in row and row["actor"] is not None:
            row["actor_label"] = comparison.actor_label(row["actor"])
    out: dict[str, Any] = {
        "table": table.name,
        "title": table.title,
        "note": comparison.note(),
        "counted": comparison.counted_label(),
        "legend": table.legend,
        "meta": meta_of(comparison),
        "empty": table.empty_reason,
        "rows": rows,
    }
    if table.cells is not None:
        out["cells"] = [
            {
                "actor": actor,
                "actor_label": comparison.actor_label(actor),
                "column": column,
                "codes": [
                    {
                        "code": c.key,
                        "label": c.label,
                        "count": c.count,
                        "share": c.share,
                        "ci_low": c.ci_low,
                        "ci_high": c.ci_high,
                        "documents": c.documents,
                    }
                    for c in cell.codes
                ],
                "quotes": [
                    {
                        "code": q.code,
                        "label": q.label,
                        "text": q.text,
                        "citation": q.citation(comparison.spec.lang),
                        "source_id": q.source_id,
                        "coding_id": q.coding_id,
                        "start": q.start,
                        "end": q.end,
                        "page": q.page,
                    }
                    for q in cell.quotes
                ],
            }
            for (actor, column), cell in table.cells.items()
        ]
    return out


def table_csv(comparison: Comparison, table: TableResult) -> str:
    """One table as CSV: its columns plus ``counted`` on every row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = [str(c) for c in table.frame.columns]
    writer.writerow([*columns, "counted"])
    counted = comparison.counted_label()
    for row in table.frame.itertuples(index=False):
        writer.writerow([_csv_value(v) for v in row] + [counted])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value


def table_markdown(comparison: Comparison, table: TableResult) -> str:
    """One table as Markdown: a bold title, the note, the rows, the legend."""
    _ = comparison.gettext
    cols = [str(c) for c in table.frame.columns]
    lines = [f"**{table.title}**", "", comparison.note(), ""]
    if table.frame.empty:
        reason = table.empty_reason or _("nothing to show")
        lines.append("_" + _("No rows: {reason}.").format(reason=reason) + "_")
    else:
        lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for row in table.frame.itertuples(index=False):
            cells = [
                format_value(v, c).replace("|", "\\|").replace("\n", " ")
                for v, c in zip(row, cols, strict=True)
            ]
            lines.append("| " + " | ".join(cells) + " |")
    if table.legend:
        lines += ["", *[f"- {item}" for item in table.legend]]
    return "\n".join(lines) + "\n"
