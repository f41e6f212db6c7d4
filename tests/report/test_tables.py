"""Journal exports of the article's tables: DOCX, XLSX and LaTeX."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT

from diplocode.analysis.models import Cell, CellCode, Quote, operationalisation_table
from diplocode.codebook.io import load_builtin
from diplocode.report.tables import to_latex, write_docx, write_latex, write_xlsx

TITLES = [c.title_in("en") for c in load_builtin("cultural-diplomacy").layout().columns]
NOTE = "Counted: accepted and final codings. Codebook cultural-diplomacy v1. Period 2013-2024."


def _models() -> tuple[pd.DataFrame, dict[tuple[str, str], Cell]]:
    quote = Quote(
        "Scholarships build people-to-people bonds.", 7, "White Paper", "2019-05", 3, 10, 52, 41
    )
    cells: dict[tuple[str, str], Cell] = {}
    for actor in ("China", "Russia"):
        for title in TITLES:
            cells[(actor, title)] = Cell()
    cells[("China", "Dominant narrative")] = Cell(
        [
            CellCode("legitimacy.shared_development", "Shared development", 5, 0.625),
            CellCode("legitimacy.connectivity", "Connectivity", 3, 0.375),
        ],
        [quote],
    )
    cells[("Russia", "Main instruments")] = Cell(
        [CellCode("channel.language", "Language & schools", 4, 1.0)]
    )
    rows = [
        {"actor": actor, **{t: cells[(actor, t)].text() for t in TITLES}}
        for actor in ("China", "Russia")
    ]
    return pd.DataFrame(rows).set_index("actor"), cells


@pytest.fixture(scope="module")
def table1() -> pd.DataFrame:
    return operationalisation_table(load_builtin("cultural-diplomacy"))


def test_docx_round_trip(tmp_path: Path, table1: pd.DataFrame) -> None:
    models, cells = _models()
    out = write_docx(tmp_path / "t.docx", table1, models, cells, caption_note=NOTE)
    doc = Document(str(out))
    assert len(doc.tables) == 2
    t1, t2 = doc.tables
    # Table 1: header + one row per dimension, same texts.
    assert [c.text for c in t1.rows[0].cells] == ["Dimension", "Indicator", "Question", "Codes"]
    assert len(t1.rows) == 1 + len(table1)
    assert t1.cell(1, 0).text == table1.iloc[0]["dimension"]
    assert t1.cell(1, 3).text == table1.iloc[0]["codes"]
    assert all(r.bold for r in t1.rows[0].cells[0].paragraphs[0].runs)
    assert t1.rows[0]._tr.trPr.xml.count("tblHeader") == 1
    # Table 2: actor column + the six columns; codes one per line, then the quote.
    assert [c.text for c in t2.rows[0].cells] == ["Actor", *TITLES]
    assert [r.cells[0].text for r in t2.rows[1:]] == ["China", "Russia"]
    lines = [p.text for p in t2.cell(1, 1).paragraphs]
    assert lines[:2] == ["Shared development (5, 62%)", "Connectivity (3, 38%)"]
    assert "Scholarships build people-to-people bonds." in lines[2]
    assert "(White Paper (2019-05, p. 3))" in lines[2]
    assert t2.cell(1, 1).paragraphs[2].runs[0].italic
    assert t2.cell(2, 2).text == "Language & schools (4, 100%)"
    assert t2.cell(2, 1).text == "-"
    # Captions, notes, landscape section for Table 2.
    texts = [p.text for p in doc.paragraphs]
    assert "Table 1. Operationalisation of the indicators" in texts
    assert "Table 2. Models of influence" in texts
    assert sum(NOTE in t for t in texts) == 2
    assert doc.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    assert doc.sections[-1].page_width > doc.sections[-1].page_height


def test_xlsx_round_trip(tmp_path: Path, table1: pd.DataFrame) -> None:
    models, _ = _models()
    numbers = pd.DataFrame(
        {
            "code": ["a", "b", "=1+1"],
            "count": [5, 3, 0],
            "share": [0.625, 0.375, float("nan")],
            "codes": [["x", "y"], ("z",), {"k": 1}],
        }
    )
    sheets = {
        "Table 1": table1,
        "Table 2: models/influence?": models,
        "A very long sheet name that exceeds thirty-one characters": numbers,
        "a very long sheet name that exceeds thirty-one characters too": numbers,
    }
    out = write_xlsx(tmp_path / "t.xlsx", sheets)
    wb = openpyxl.load_workbook(out)
    names = wb.sheetnames
    assert names[0] == "Table 1"
    assert names[1] == "Table 2_ models_influence_"
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == 4
    ws = wb[names[2]]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert [c.value for c in ws[1]] == ["code", "count", "share", "codes"]
    assert [ws.cell(r, 2).value for r in (2, 3, 4)] == [5, 3, 0]
    assert ws["C2"].value == 0.625 and ws["C4"].value is None
    assert ws["A4"].value == "=1+1" and ws["A4"].data_type == "s"
    assert ws["D2"].value == "['x', 'y']" and ws["D4"].value == "{'k': 1}"
    wide = wb[names[0]]
    assert all((wide.column_dimensions[c].width or 0) <= 80 for c in "ABCD")
    back = pd.read_excel(out, sheet_name=None)
    assert list(back) == names
    pd.testing.assert_series_equal(back[names[2]]["count"], numbers["count"])
    pd.testing.assert_series_equal(back[names[2]]["share"], numbers["share"])
    assert list(back[names[1]]["actor"]) == ["China", "Russia"]
    assert back[names[0]]["codes"].tolist() == table1["codes"].tolist()


def test_xlsx_needs_a_table(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_xlsx(tmp_path / "t.xlsx", {})


def test_latex_escapes_and_formats() -> None:
    df = pd.DataFrame(
        {
            "code_key": ["a&b", "100%_sure"],
            "label": ["Language & schools, 50% of_all {x} ~ ^ $ # \\", "Мягкая сила"],
            "share": [0.5, 1 / 3],
            "n": [2, 1],
        }
    )
    tex = to_latex(df, "Shares & counts", "tab:shares")
    assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex
    assert "\\begin{table}" in tex and "\\end{table}" in tex
    assert "\\caption{Shares \\& counts}" in tex
    assert "\\label{tab:shares}" in tex
    assert "Code\\_key" in tex
    assert "a\\&b" in tex and "100\\%\\_sure" in tex
    assert (
        "Language \\& schools, 50\\% of\\_all \\{x\\} \\textasciitilde{} "
        "\\textasciicircum{} \\$ \\# \\textbackslash{}" in tex
    )
    assert "0.500" in tex and "0.333" in tex
    assert "\\foreignlanguage{russian}{Мягкая сила}" in tex
    assert "\\begin{tabularx}{\\textwidth}" in tex  # the long label column wraps


def test_write_latex_document(tmp_path: Path, table1: pd.DataFrame) -> None:
    models, _ = _models()
    out = write_latex(
        tmp_path / "tables.tex",
        [(table1, "Operationalisation", "tab:ops"), (models, "Models", "tab:models")],
    )
    tex = out.read_text(encoding="utf-8")
    assert tex.startswith("\\documentclass")
    assert "\\usepackage[T2A,T1]{fontenc}" in tex and "\\usepackage[utf8]{inputenc}" in tex
    assert "\\begin{document}" in tex and tex.rstrip().endswith("\\end{document}")
    assert tex.count("\\begin{table}") == 2
    assert "\\label{tab:models}" in tex and "China" in tex
