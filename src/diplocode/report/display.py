"""Comparison tables as a reader sees them, in the comparison's language.

The engine's tables (:class:`~diplocode.analysis.compare.TableResult`) keep their data
keys: column names (``actor``, ``count``, ``share``...), canonical actor names and source
group keys, because CSV and JSON consumers and the filters use them. The report's HTML,
DOCX, LaTeX and XLSX show :func:`display_frame` instead: the same rows with the column
headings (:data:`HEADINGS`), actor names (the gazetteer's name in the language, see
:func:`~diplocode.attribution.gazetteer.display_names`), source groups and the overlap
measure in the comparison's language. In English nothing changes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from ..i18n import N_, SOURCE_GROUP_NAMES, name_in, translations
from .export import format_value

if TYPE_CHECKING:
    from ..analysis.compare import Comparison

__all__ = ["HEADINGS", "display_frame", "heading"]

#: Column headings of the comparison tables. The English heading is the column's key, as
#: in CSV and JSON (the tables' legends explain them); z, p, q, delta, jsd, n_a and n_b
#: are symbols and stay as they are in every language.
HEADINGS: dict[str, str] = {
    # Translators: a column heading (as in the legends); the row's actor
    "actor": N_("actor"),
    "year": N_("year"),
    "group": N_("group"),
    "language": N_("language"),
    "dimension": N_("dimension"),
    "code": N_("code"),
    "label": N_("label"),
    "count": N_("count"),
    "share": N_("share"),
    # Translators: a column heading: the lower end of the 95% interval
    "ci_low": N_("ci_low"),
    # Translators: a column heading: the upper end of the 95% interval
    "ci_high": N_("ci_high"),
    "documents": N_("documents"),
    # Translators: a column heading: how many coded documents the row has
    "n_documents": N_("n_documents"),
    # Translators: a column heading: documents with the code / the row's documents
    "doc_share": N_("doc_share"),
    "significant": N_("significant"),
    "groups": N_("groups"),
    # Translators: a column heading: how many rows the code is salient for
    "n_groups": N_("n_groups"),
    # Translators: a column heading: the smallest share among those rows
    "min_share": N_("min_share"),
    "measure": N_("measure"),
    "value": N_("value"),
    # Translators: a column heading: the codes whose shares differ most
    "drivers": N_("drivers"),
    # Translators: a column heading: the first code of a pair
    "code_a": N_("code_a"),
    "label_a": N_("label_a"),
    # Translators: a column heading: the second code of a pair
    "code_b": N_("code_b"),
    "label_b": N_("label_b"),
    # Translators: a column heading: the Jaccard index (both / either)
    "jaccard": N_("jaccard"),
    "indicator": N_("indicator"),
    "question": N_("question"),
    "codes": N_("codes"),
    # Translators: a column heading: a column of Table 2
    "column": N_("column"),
    "column_title": N_("column_title"),
    "rank": N_("rank"),
    "quote": N_("quote"),
    "citation": N_("citation"),
    "source_id": N_("source_id"),
    "coding_id": N_("coding_id"),
    # Translators: a column heading of the workbook's About sheet
    "item": N_("item"),
}
_SHARE_AT_LEAST = re.compile(r"share >= (?P<value>[0-9.]+)")


def heading(column: object, lang: str) -> str:
    """A table column's heading in ``lang`` (a column without one: its name)."""
    return name_in(HEADINGS, column, lang)


def display_frame(
    comparison: Comparison,
    frame: pd.DataFrame,
    *,
    name: str = "",
    text: bool = False,
    rename: bool = True,
) -> pd.DataFrame:
    """``frame`` (a table of ``comparison``, ``name`` its table name) as shown: actor
    names, source groups and the overlap measure in the comparison's language; with
    ``text``, every value as display text (:func:`~diplocode.report.export.format_value`);
    with ``rename``, the headings in that language. A meaningful index becomes columns."""
    lang = comparison.spec.lang
    _ = translations(lang).gettext
    shown = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    shown = shown.copy()
    by = comparison.spec.by
    for col in shown.columns:
        key = str(col)
        values = shown[col]
        if key == "actor":
            shown[col] = [v if _missing(v) else comparison.actor_label(v) for v in values]
        elif key == "group":
            shown[col] = [
                v if _missing(v) else name_in(SOURCE_GROUP_NAMES, v, lang) for v in values
            ]
        elif key == "groups" and name == "triangulation":
            shown[col] = [v if _missing(v) else _pair(str(v), lang) for v in values]
        elif key == "groups" and by in ("actor", "group"):
            shown[col] = [
                v
                if _missing(v)
                else "; ".join(
                    comparison.actor_label(g)
                    if by == "actor"
                    else name_in(SOURCE_GROUP_NAMES, g, lang)
                    for g in str(v).split("; ")
                )
                for v in values
            ]
        elif key == "measure":
            shown[col] = [v if _missing(v) else _measure(str(v), lang) for v in values]
    if text:
        for col in shown.columns:
            shown[col] = [format_value(v, str(col), lang) for v in shown[col]]
    if rename:
        shown.columns = [heading(c, lang) for c in shown.columns]
    return shown


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _pair(groups: str, lang: str) -> str:
    """Triangulation's "a vs b" of two source groups, in ``lang``."""
    a, sep, b = groups.partition(" vs ")
    if not sep:
        return groups
    return (
        translations(lang)
        .gettext("{a} vs {b}")
        .format(a=name_in(SOURCE_GROUP_NAMES, a, lang), b=name_in(SOURCE_GROUP_NAMES, b, lang))
    )


def _measure(measure: str, lang: str) -> str:
    """The overlap zones' measure, in ``lang``."""
    _ = translations(lang).gettext
    if measure == "share >= 1/k of its dimension":
        return _("share >= 1/k of its dimension")
    found = _SHARE_AT_LEAST.fullmatch(measure)
    if found:
        return _("share >= {value}").format(value=found.group("value"))
    return measure
