"""Journal-ready exports of the article's tables: Word (DOCX), Excel (XLSX) and LaTeX.

* :func:`write_docx` writes Table 1 (operationalisation) and Table 2 (models of influence,
  with the leading codes and an evidence quote per cell) as real Word tables.
* :func:`write_xlsx` writes any tables, one sheet each, numbers kept as numbers.
* :func:`to_latex` / :func:`write_latex` give booktabs tables and a standalone document
  that compiles with pdflatex (Cyrillic included).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..analysis.models import Cell
from ..i18n import N_, translations

__all__ = ["to_latex", "write_docx", "write_latex", "write_xlsx"]

TABLE1_CAPTION = N_("Operationalisation of the indicators")
TABLE2_CAPTION = N_("Models of influence")
_TABLE_STYLE = "Table Grid"  # present in python-docx's default template


# --- shared helpers -------------------------------------------------------------------------


_CONTAINERS = (list, tuple, dict, set, frozenset)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (containers and arrays are never missing)."""
    if isinstance(value, _CONTAINERS):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-likes
        return False


def _text(value: Any) -> str:
    """A cell value as display text (missing values empty; containers as their str form)."""
    if _is_missing(value):
        return ""
    return str(value)


def _heading(name: Any) -> str:
    text = " / ".join(map(str, name)) if isinstance(name, tuple) else str(name)
    return text[:1].upper() + text[1:]


def _flat(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with a meaningful index turned into columns and column names as strings."""
    default_index = isinstance(df.index, pd.RangeIndex) and all(n is None for n in df.index.names)
    out = df if default_index else df.reset_index()
    out = out.copy()
    out.columns = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in out.columns]
    return out


# --- DOCX -----------------------------------------------------------------------------------


def _repeat_header(table: Table) -> None:
    """Mark the first row as a header row (repeated on each page the table spans)."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _write_cell_text(paragraph: Paragraph, text: str, size: Pt, *, bold: bool = False) -> None:
    run = paragraph.add_run(_XML_ILLEGAL.sub("", text))
    run.bold = bold
    run.font.size = size


def _caption(doc: Any, number: int, text: str, lang: str = "en") -> None:
    para = doc.add_paragraph()
    para.add_run(translations(lang).gettext("Table {number}.").format(number=number)).bold = True
    para.add_run(f" {text}")
    para.paragraph_format.keep_with_next = True
    para.paragraph_format.space_before = Pt(12)


def _note(doc: Any, caption_note: str, lang: str = "en") -> None:
    para = doc.add_paragraph()
    para.add_run(translations(lang).gettext("Note.")).italic = True
    para.add_run(f" {caption_note}")
    for run in para.runs:
        run.font.size = Pt(9)


def _header_row(table: Table, titles: list[str], size: Pt) -> None:
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        _write_cell_text(cell.paragraphs[0], title, size, bold=True)
    _repeat_header(table)


def _fill_model_cell(
    doc_cell: Any, cell: Cell | None, fallback: str, size: Pt, lang: str = "en"
) -> None:
    """Leading codes one per line, then each quote (italic), labelled with the code it
    supports, with its citation."""
    first = doc_cell.paragraphs[0]
    if cell is None:
        _write_cell_text(first, fallback or "-", size)
        return
    lines = [f"{label} ({count}, {share:.0%})" for _, label, count, share in cell.codes] or ["-"]
    for i, line in enumerate(lines):
        _write_cell_text(first if i == 0 else doc_cell.add_paragraph(), line, size)
    for quote in cell.quotes:
        para = doc_cell.add_paragraph()
        para.paragraph_format.space_before = Pt(4)
        if getattr(quote, "label", ""):
            _write_cell_text(para, f"{quote.label}: ", size, bold=True)
        run = para.add_run(_XML_ILLEGAL.sub("", f"“{quote.text}”"))
        run.italic = True
        run.font.size = size
        _write_cell_text(para, f" ({quote.citation(lang)})", size)


def write_docx(
    path: str | Path,
    table1: pd.DataFrame,
    models: pd.DataFrame,
    cells: Mapping[tuple[str, str], Cell],
    *,
    caption_note: str,
    title: str = "Cultural diplomacy in Central Asia: tables",
    models_caption: str | None = None,
    lang: str = "en",
    actor_labels: Mapping[str, str] | None = None,
) -> Path:
    """Write Table 1 (portrait) and Table 2 (landscape section) as Word tables.

    ``models`` is the table from :func:`~diplocode.analysis.models.models_table` (indexed by
    actor) and ``cells`` its cells; a cell missing from ``cells`` falls back to the table's
    text. ``caption_note`` goes in a note under each table (which statuses were counted, the
    codebook version, the period). Captions, the actor heading and the citations are in
    ``lang``; ``actor_labels`` names the actors (keys stay the canonical names).
    """
    from .display import heading

    _ = translations(lang).gettext
    path = Path(path)
    doc = Document()
    doc.add_heading(title, level=1)

    # Table 1: operationalisation.
    _caption(doc, 1, _(TABLE1_CAPTION), lang)
    t1 = _flat(table1)
    size1 = Pt(9)
    table = doc.add_table(rows=1 + len(t1), cols=len(t1.columns))
    table.style = doc.styles[_TABLE_STYLE]
    _header_row(table, [_heading(c) for c in t1.columns], size1)
    for r, row in enumerate(t1.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            _write_cell_text(table.cell(r, c).paragraphs[0], _text(value), size1)
    _note(doc, caption_note, lang)

    # Table 2: models of influence, in a landscape section.
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    if section.orientation != WD_ORIENT.LANDSCAPE:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    _caption(doc, 2, models_caption or _(TABLE2_CAPTION), lang)
    size2 = Pt(8)
    actor_title = _heading(heading(models.index.name or "actor", lang))
    titles = [str(c) for c in models.columns]
    table = doc.add_table(rows=1 + len(models), cols=1 + len(titles))
    table.style = doc.styles[_TABLE_STYLE]
    _header_row(table, [actor_title, *titles], size2)
    for r, (actor, row) in enumerate(models.iterrows(), start=1):
        shown = (actor_labels or {}).get(str(actor), str(actor))
        _write_cell_text(table.cell(r, 0).paragraphs[0], shown, size2, bold=True)
        for c, col in enumerate(titles, start=1):
            cell = cells.get((str(actor), col))
            _fill_model_cell(table.cell(r, c), cell, _text(row[col]), size2, lang)
    _note(doc, caption_note, lang)

    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


# --- XLSX -----------------------------------------------------------------------------------

_SHEET_INVALID = re.compile(r"[\[\]:*?/\\]")
_EXCEL_MAX_CHARS = 32767
_WIDTH_CAP = 80


def _sheet_names(names: list[str]) -> list[str]:
    """Valid, unique (case-insensitively, as Excel compares) sheet names of <= 31 chars."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        base = _SHEET_INVALID.sub("_", str(raw)).strip("'").strip() or "Sheet"
        if base.lower() == "history":  # reserved by Excel
            base += "_"
        name = base[:31]
        n = 2
        while name.lower() in seen:
            suffix = f"~{n}"
            name = base[: 31 - len(suffix)] + suffix
            n += 1
        seen.add(name.lower())
        out.append(name)
    return out


def _xlsx_value(value: Any) -> Any:
    """A value openpyxl writes faithfully: numbers as numbers, everything else as text."""
    if isinstance(value, _CONTAINERS):
        return str(value)
    if _is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return None if math.isinf(number) else number
    if isinstance(value, dt.datetime | dt.date | dt.time):
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        if getattr(value, "tzinfo", None) is not None:
            return value.isoformat()
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:_EXCEL_MAX_CHARS]


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:.6g}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_xlsx(path: str | Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """Write each table to its own sheet (bold, frozen header; fitted widths; wrapped text).

    A meaningful index (e.g. the actor of Table 2) becomes the first column(s).
    """
    if not sheets:
        raise ValueError("write_xlsx needs at least one table")
    path = Path(path)
    wb = Workbook()
    for default in wb.worksheets:
        wb.remove(default)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for name, frame in zip(_sheet_names(list(sheets)), sheets.values(), strict=True):
        ws = wb.create_sheet(title=name)
        df = _flat(frame)
        widths = [len(c) for c in df.columns]
        ws.append(list(df.columns))
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(vertical="top")
        for r, row in enumerate(df.itertuples(index=False), start=2):
            for c, raw in enumerate(row, start=1):
                value = _xlsx_value(raw)
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, even when it starts with "="
                    if len(value) > _WIDTH_CAP or "\n" in value:
                        cell.alignment = wrap
                widths[c - 1] = max(widths[c - 1], _display_width(value))
        for c, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = min(max(width, 6) + 2, _WIDTH_CAP)
        ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path


# --- LaTeX ----------------------------------------------------------------------------------

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_CYR = "\u0400-\u04ff"
# Runs of Cyrillic words (with the spaces and plain punctuation between them); '"' stays
# outside, as babel's Russian makes it a shorthand character.
_CYRILLIC_RUN = re.compile(rf"[{_CYR}]+(?:[\s\-,.;:()«»0-9]*[{_CYR}]+)*")
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9:._\-]")
_LONG_TEXT = 30  # columns with longer texts get a wrapping X column


def _escape(text: str, newline: str = " ") -> str:
    """Escape LaTeX specials; Cyrillic runs are set in Russian (hyphenation, T2A font)."""
    escaped = "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)
    escaped = re.sub(r"\s*\n\s*", lambda _: newline, escaped)
    return _CYRILLIC_RUN.sub(lambda m: rf"\foreignlanguage{{russian}}{{{m.group(0)}}}", escaped)


def _latex_value(value: Any, newline: str) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.3f}"
    return _escape(str(value), newline)


def _x_factors(sizes: list[int], wide: list[bool]) -> list[float]:
    """Relative widths of the X columns (by amount of text, clamped), summing to their count."""
    texts = [max(s, 1) for s, w in zip(sizes, wide, strict=True) if w]
    if not texts:
        return [1.0] * len(sizes)
    mean = sum(texts) / len(texts)
    raw = [min(max(t / mean, 0.5), 2.5) for t in texts]
    scale = len(raw) / sum(raw)
    it = iter(raw)
    return [next(it) * scale if w else 1.0 for w in wide]


def _x_column(factor: float) -> str:
    return rf">{{\raggedright\arraybackslash\hsize={factor:.2f}\hsize\linewidth=\hsize}}X"


def to_latex(df: pd.DataFrame, caption: str, label: str) -> str:
    """A booktabs ``table`` float with ``caption`` and ``label``.

    Numeric columns are right-aligned (floats with 3 decimals); text columns with long
    entries wrap (``tabularx`` X columns, ragged right); a meaningful index becomes the
    first column. Needs ``booktabs`` and ``tabularx`` (and babel ``russian`` for Cyrillic).
    """
    flat = _flat(df)
    kinds: list[str] = []  # "r" numeric, "l" short text, "X" long text
    sizes: list[int] = []  # total text per column, to share the width among X columns
    for col in flat.columns:
        series = flat[col]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        widths = [_display_width(_text(v)) for v in series]
        kinds.append("r" if numeric else ("X" if max(widths, default=0) > _LONG_TEXT else "l"))
        sizes.append(sum(widths))
    wide = [k == "X" for k in kinds]
    specs = [
        k if k != "X" else _x_column(f) for k, f in zip(kinds, _x_factors(sizes, wide), strict=True)
    ]
    use_x = any(wide)
    env = "tabularx" if use_x else "tabular"
    width = r"{\textwidth}" if use_x else ""
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        r"\small",
        rf"\caption{{{_escape(caption)}}}",
        rf"\label{{{_LABEL_UNSAFE.sub('-', label)}}}",
        rf"\begin{{{env}}}{width}{{{''.join(specs)}}}",
        r"\toprule",
        " & ".join(_escape(_heading(c)) for c in flat.columns) + r" \\",
        r"\midrule",
    ]
    for row in flat.itertuples(index=False):
        cells = [
            _latex_value(v, r"\newline " if is_wide else " ")
            for v, is_wide in zip(row, wide, strict=True)
        ]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", rf"\end{{{env}}}", r"\end{table}"]
    return "\n".join(lines) + "\n"


LATEX_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T2A,T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage[russian,english]{babel}
\usepackage{booktabs}
\usepackage{tabularx}
\usepackage[margin=2cm]{geometry}
\DeclareUnicodeCharacter{02BB}{\textquoteleft}
\DeclareUnicodeCharacter{02BC}{\textquoteright}
"""


def write_latex(path: str | Path, tables: list[tuple[pd.DataFrame, str, str]]) -> Path:
    """Write a standalone pdflatex document with the ``(frame, caption, label)`` tables.

    English is the main language (last babel option); Cyrillic text is set in Russian.
    """
    path = Path(path)
    body = "\n".join(to_latex(df, caption, label) for df, caption, label in tables)
    text = LATEX_PREAMBLE + "\n\\begin{document}\n\n" + body + "\n\\end{document}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
