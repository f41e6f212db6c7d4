"""The report end to end on the demo corpus: HTML parses and links resolve, text is escaped,
DOCX and XLSX load back with the same numbers, LaTeX is written."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from diplocode.analysis.compare import Spec, compare
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.demo import build_demo_project, code_demo_project
from diplocode.report import build_report


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self.links.append(attrs["href"][1:])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    project, _ = build_demo_project(folder / "demo.db")
    hostile = folder / "hostile.txt"
    hostile.write_text(
        '<script>alert("x")</script> The Belt and Road strengthens connectivity and shared development. <img src=x onerror="alert(2)">',
        encoding="utf-8",
    )
    list(
        ingest(
            project.store,
            [
                IngestItem(
                    hostile,
                    SourceMeta(
                        actors=(("China", "author"),),
                        group="official",
                        date=(2024, None, None),
                        title='<b onmouseover="x()">T</b>',
                    ),
                )
            ],
            languages=project.languages,
        )
    )
    code_demo_project(project)
    yield project
    project.close()


def test_html_report(demo, tmp_path: Path) -> None:
    written = build_report(
        demo, tmp_path, compare(demo, Spec(include_suggested=True)), formats=("html",)
    )
    html = written["html"][0].read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(html)
    assert "script" not in parser.tags  # no script element at all, hostile text included
    assert "<script>" not in html and 'onerror="alert' not in html and "<b onmouseover" not in html
    assert parser.links and all(
        link in parser.ids for link in parser.links
    )  # every quote links to its passage
    assert "Machine suggestions are included" in html
    assert "Table 2. Models of influence" in html and "Table 1. Operationalisation" in html
    assert html.count("<svg") >= 4
    assert "cultural-diplomacy 1.1.0" in html and "suggested" in html


def test_docx_xlsx_tex_and_figures(demo, tmp_path: Path) -> None:
    import docx
    import openpyxl

    result = compare(demo, Spec(include_suggested=True))
    written = build_report(demo, tmp_path, result, formats=("docx", "xlsx", "tex", "png", "svg"))
    cells = result.table("models").cells
    key, label, count, share = cells[("China", "narrative")].codes[0]
    document = docx.Document(str(written["docx"][0]))
    body = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert f"{label} ({count}" in body
    book = openpyxl.load_workbook(written["xlsx"][0])
    assert "Table 2 models" in book.sheetnames
    sheet = book["Crosstab"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, [c.value for c in row], strict=False))
        for row in sheet.iter_rows(min_row=2)
    ]
    china = next(r for r in rows if r["actor"] == "China" and r["code"] == key)
    assert china["count"] == count and china["share"] == pytest.approx(share)
    tex = written["tex"][0].read_text(encoding="utf-8")
    assert "\\toprule" in tex and "\\begin{document}" in tex
    pngs = [p for p in written["figures"] if p.suffix == ".png"]
    assert pngs and all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)


def test_counted_statuses_are_stated(demo, tmp_path: Path) -> None:
    written = build_report(demo, tmp_path, compare(demo, Spec()), formats=("html",))
    html = written["html"][0].read_text(encoding="utf-8")
    assert re.search(r"counted statuses: <b>final, accepted</b>", html)
    assert "Machine suggestions are included" not in html
    assert "No codings are counted" in html  # nothing reviewed: the report says so


def test_old_sources_are_in_the_report(tmp_path: Path) -> None:
    """Regression (#9): speeches dated 1985-94 once gave an empty Table 2 (a hidden
    2013-2025 window); the period is the data's own range."""
    project, _ = build_demo_project(tmp_path / "old.db", fresh=True)
    from sqlalchemy import update

    from diplocode.store.schema import sources

    with project.store.begin() as conn:
        conn.execute(update(sources).values(date_year=sources.c.id % 10 + 1985))
    code_demo_project(project)
    result = compare(project, Spec(include_suggested=True))
    assert result.meta["period"] == (1985, 1994)
    written = build_report(project, tmp_path / "r", result, formats=("html",))
    html = written["html"][0].read_text(encoding="utf-8")
    china = result.table("models").cells[("China", "narrative")].codes[0]
    assert f"{china.label} ({china.count}," in html
    project.close()


def test_report_in_kazakh(demo, tmp_path: Path) -> None:
    """``diplocode report --lang kk``: headings, banners, table headers, source groups,
    dimension labels, chart labels and actor names in Kazakh, no English left in them."""
    import docx
    import openpyxl
    from typer.testing import CliRunner

    from diplocode.cli import app

    out = tmp_path / "report-kk"
    result = CliRunner().invoke(
        app,
        [
            *("report", "-p", demo.store.where, "--out", str(out), "--lang", "kk"),
            *("--include-suggested", "--format", "html,docx,xlsx,tex"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="kk">' in html
    for english in (
        "Table 2",
        "Table 1",
        "Models of influence",
        "Machine suggestions are included",
        "<th>Actor</th>",
        "Operationalisation",
        "Zones of overlap",
        "Quoted passages",
        "counted statuses",
        "codings counted",
        "Coders:",
        " vs ",  # triangulation's pairs of source groups
        "95% CI",
    ):
        assert english not in html, english
    for kazakh in (
        "2-кесте. Ықпал ету модельдері",  # the heading and the codebook's title of Table 2
        "1-кесте. Операционалдау",
        "Машиналық ұсыныстар қосылған.",
        "<th>Актор</th>",
        "есептелген күйлер: <b>түпкілікті, қабылданды, ұсынылды</b>",
        "95% СА",
        "Кодтаушылар:",
        "Қиылысу аймақтары",
    ):
        assert kazakh in html, kazakh
    # actors by their Kazakh gazetteer name, the canonical name kept in a title
    assert '<th title="China">Қытай</th>' in html and '<th title="Russia">Ресей</th>' in html
    # the tables' headings, source groups and dimension labels
    headers = set(re.findall(r"<th>([^<]*)</th>", html))
    assert {"актор", "өлшем", "код", "атауы", "саны", "үлесі", "топтар"} <= headers
    assert not {"actor", "dimension", "count", "share", "groups", "label"} & headers
    assert re.search(r"<td>(ресми|академиялық|сараптамалық|БАҚ) және ", html)
    kk_dimension = demo.codebook()[1].dimensions[0].label["kk"]
    assert f"<td>{kk_dimension}</td>" in html
    # the charts are drawn in Kazakh (their text is in paths: check the figures' source)
    from diplocode.analysis.compare import Spec, compare
    from diplocode.report import _figures

    figures = _figures(compare(demo, Spec(include_suggested=True, lang="kk")))
    texts = {
        t.get_text()
        for fig in figures.values()
        for t in fig.findobj(lambda a: hasattr(a, "get_text"))
        if t.get_text()
    }
    assert {"Жыл", "Кодталған бірліктер", "Өлшем ішіндегі үлес"} <= texts
    assert not {"Year", "Count", "Share within dimension", "No data"} & texts
    assert "Қытай" in texts  # a heatmap row
    # DOCX and XLSX
    body = "\n".join(p.text for p in docx.Document(str(out / "tables.docx")).paragraphs)
    assert "1-кесте." in body and "2-кесте." in body and "Ескерту." in body
    assert "Table 1." not in body and "Note." not in body
    document = docx.Document(str(out / "tables.docx"))
    assert document.tables[1].rows[0].cells[0].text == "Актор"
    assert any(row.cells[0].text == "Қытай" for row in document.tables[1].rows)
    book = openpyxl.load_workbook(out / "tables.xlsx")
    assert "2-кесте модельдер" in book.sheetnames and "Мәліметтер" in book.sheetnames
    tex = (out / "tables.tex").read_text(encoding="utf-8")
    assert "Operationalisation of the indicators" not in tex
