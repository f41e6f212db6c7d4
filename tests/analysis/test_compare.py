"""One comparison engine (#9): the CLI, the report and the web give the same numbers for
the same specification; every option is validated; the period is the data's own range."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from diplocode.analysis.compare import TABLES, Spec, check_applies, compare
from diplocode.cli import app
from diplocode.demo import build_demo_project, code_demo_project
from diplocode.errors import DiplocodeError
from diplocode.report import build_report
from diplocode.web.app import create_app


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    project, _ = build_demo_project(folder / "demo.db")
    code_demo_project(project)
    yield project, str(folder / "demo.db")
    project.close()


def _key(rows, *fields):
    return sorted(tuple(r[f] for f in fields) for r in rows)


def test_cli_report_and_web_give_the_same_numbers(demo, tmp_path: Path) -> None:
    project, where = demo
    runner = CliRunner()
    fields = ("actor", "column", "code", "count", "documents")
    cli = runner.invoke(app, ["compare", "-p", where, "--include-suggested", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    cli_rows = json.loads(cli.output)["rows"]
    assert cli_rows and json.loads(cli.output)["meta"]["actor_role"] == "about"
    china = [r for r in cli_rows if r["actor"] == "China" and r["column"] == "narrative"]
    assert china[0]["ci_low"] <= china[0]["share"] <= china[0]["ci_high"]  # many documents

    result = compare(project, Spec(include_suggested=True))
    written = build_report(project, tmp_path, result, formats=("xlsx",))
    book = openpyxl.load_workbook(written["xlsx"][0])
    sheet = book["Table 2 models"]
    header = [c.value for c in sheet[1]]
    xlsx_rows = [
        dict(zip(header, [c.value for c in row], strict=False))
        for row in sheet.iter_rows(min_row=2)
    ]

    with TestClient(create_app(project)) as client:
        web = client.get("/api/compare", params={"include_suggested": "true", "table": "models"})
    assert web.status_code == 200, web.text
    web_rows = web.json()["rows"]

    assert _key(cli_rows, *fields) == _key(xlsx_rows, *fields) == _key(web_rows, *fields)
    for a, b in zip(sorted(cli_rows, key=str), sorted(web_rows, key=str), strict=True):
        assert a["share"] == pytest.approx(b["share"])
        assert a["ci_low"] == pytest.approx(b["ci_low"], nan_ok=True)
    # the crosstab too, through CLI CSV and the web's JSON
    cli_csv = runner.invoke(
        app,
        ["compare", "-p", where, "--include-suggested", "--table", "crosstab", "--format", "csv"],
    )
    assert cli_csv.exit_code == 0
    import csv
    import io

    csv_rows = list(csv.DictReader(io.StringIO(cli_csv.output)))
    assert all(r["counted"].startswith("final, accepted, suggested") for r in csv_rows)
    with TestClient(create_app(project)) as client:
        web_ct = client.get(
            "/api/compare", params={"include_suggested": "true", "table": "crosstab"}
        )
    web_ct_rows = web_ct.json()["rows"]
    assert sorted((r["actor"], r["code"], int(r["count"])) for r in csv_rows) == sorted(
        (r["actor"], r["code"], r["count"]) for r in web_ct_rows
    )


def test_every_output_carries_quotes_and_the_counted_label(demo) -> None:
    _, where = demo
    runner = CliRunner()
    out = runner.invoke(app, ["compare", "-p", where, "--include-suggested", "--format", "csv"])
    assert out.exit_code == 0
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(out.output)))
    quoted = [r for r in rows if r["quote"]]
    assert quoted and all(r["citation"] and r["coding_id"] for r in quoted)
    assert all("MACHINE SUGGESTIONS" in r["counted"] for r in rows)
    data = json.loads(
        runner.invoke(
            app, ["compare", "-p", where, "--include-suggested", "--format", "json"]
        ).output
    )
    cell_quotes = [q for c in data["cells"] for q in c["quotes"]]
    assert cell_quotes and all(q["label"] and q["citation"] for q in cell_quotes)
    assert "MACHINE SUGGESTIONS" in data["counted"] and data["legend"]


@pytest.mark.parametrize(
    ("args", "code", "names"),
    [
        (["--format", "xml"], "E060", "table, csv, json, md"),
        (["--lang", "de"], "E060", "en, ru, kk"),
        (["--table", "nope"], "E060", "models, crosstab"),
        (["--by", "year"], "E110", "crosstab"),
        (["--normalise", "per_document"], "E110", "trends"),
        (["--table", "cooccurrence", "--unit", "document"], "E110", "models"),
        (["--table", "trends", "--from", "2030", "--to", "2020"], "E111", "2030"),
        (["--table", "trends", "--from", "2030", "--to", "2031"], "E112", "2030-2031"),
        (["--actor-role", "writer"], "E060", "about, author, subject"),
        (["--unit", "paragraph"], "E060", "segment, document"),
        (["--group", "offical"], "E060", "official"),
        (["--actor", "Chnia"], "E103", "China"),
        (["--table", "trends", "--normalise", "per_word"], "E060", "per_10k_words"),
    ],
)
def test_bad_options_get_coded_errors(demo, args, code, names) -> None:
    _, where = demo
    out = CliRunner().invoke(app, ["compare", "-p", where, "--include-suggested", *args])
    assert out.exit_code == 2, out.output
    assert f"[{code}]" in out.output and names in " ".join(out.output.split())
    assert "Traceback" not in out.output


def test_the_period_defaults_to_the_data_and_is_stated(demo) -> None:
    project, _ = demo
    result = compare(project, Spec(include_suggested=True))
    low, high = result.meta["data_range"]
    assert result.meta["period"] == (low, high) and result.meta["period_default"]
    assert f"{low}-{high} (the data's own range)" in result.note()
    narrow = compare(project, Spec(include_suggested=True, start=2020, end=2022))
    assert narrow.meta["outside_period"] > 0
    assert f"{narrow.meta['outside_period']} codings outside the period left out" in narrow.note()
    assert set(narrow.frame["year"].dropna().astype(int)) <= {2020, 2021, 2022}


def test_trends_have_gaps_not_zeros_and_labels(demo) -> None:
    project, _ = demo
    result = compare(project, Spec(include_suggested=True, normalise="per_10k_words"))
    trends = result.table("trends").frame
    assert {"label", "value", "documents", "words"} <= set(trends.columns)
    china = trends[trends["actor"] == "China"]
    gaps = china[china["documents"] == 0]
    assert gaps["value"].isna().all()
    assert (china[china["documents"] > 0]["value"] >= 0).all()
    assert "Years in which the row has no document are gaps" in " ".join(
        result.table("trends").legend
    )


def test_distinctive_reports_adjusted_significance(demo) -> None:
    project, _ = demo
    table = compare(project, Spec(include_suggested=True)).table("distinctive")
    assert {"p", "q", "significant", "label"} <= set(table.frame.columns)
    valid = table.frame.dropna(subset=["p"])
    assert (valid["q"] >= valid["p"] - 1e-12).all()
    assert any("Benjamini-Hochberg" in item for item in table.legend)


def test_no_codings_is_a_stated_empty_result(demo) -> None:
    project, where = demo
    out = CliRunner().invoke(app, ["compare", "-p", where])  # nothing reviewed
    assert out.exit_code == 0 and "No rows: no codings counted" in out.output
    result = compare(project, Spec())
    assert all(result.table(name).frame.empty for name in TABLES if name != "operationalisation")


def test_check_applies_lists_the_tables() -> None:
    with pytest.raises(DiplocodeError) as e:
        check_applies("models", ["normalise"], {"normalise": "--normalise"})
    assert e.value.code == "E110" and "--normalise" in str(e.value) and "trends" in str(e.value)
    check_applies("trends", ["normalise", "by", "unit"])


def test_rows_by_author_or_subject_are_stated(demo) -> None:
    project, _ = demo
    author = compare(project, Spec(include_suggested=True, actor_role="author"))
    assert "rows: actors by role 'author'" in author.note()
    about = compare(project, Spec(include_suggested=True))
    # the demo's Kazakh texts about China count for China when rows are who it is about
    assert set(about.frame["actor"]) != set(author.frame["actor"])
