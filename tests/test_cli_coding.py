"""CLI: codebook commands, `code`, and `audit log|verify`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from diplocode.cli import app
from diplocode.project import Project

runner = CliRunner()

BOOK = """\
name: mini
version: "1"
dimensions:
  - key: channel
    label: {en: Channel, ru: Канал, kk: Арна}
    codes:
      - key: scholarships_mobility
        label: {en: Scholarships, ru: Стипендии, kk: Шәкіртақылар}
        definition: {en: Grants for study abroad., ru: Гранты на обучение., kk: Оқуға арналған гранттар.}
        lexicon:
          en: [scholarship]
          ru: [стипендия]
"""


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(BOOK, encoding="utf-8")
    return path


@pytest.fixture
def proj(db_url: str, book: Path, tmp_path: Path, monkeypatch) -> str:
    assert run("init", db_url, "--codebook", str(book)).exit_code == 0
    monkeypatch.setenv("DIPLOCODE_PROJECT", db_url)
    (tmp_path / "a.txt").write_text("China offers scholarships. Nothing else.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Россия выделяет стипендии.", encoding="utf-8")
    assert (
        run("add", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--actor", "China").exit_code
        == 0
    )
    return db_url


def test_code_then_again(proj: str) -> None:
    first = run("code", "--coder", "lexicon")
    flat = " ".join(first.output.split())
    assert first.exit_code == 0 and "2 sources coded" in flat and "2 suggestions" in flat
    again = " ".join(run("code").output.split())
    assert "0 sources coded, 2 already done" in again and "0 suggestions" in again


def test_codebook_commands(proj: str, book: Path, tmp_path: Path) -> None:
    listed = run("codebook", "list")
    assert "mini" in listed.output
    shown = run("codebook", "show", "--lang", "kk")
    assert "Шәкіртақылар" in shown.output and "Оқуға арналған" in shown.output
    out = tmp_path / "exported.yaml"
    assert run("codebook", "export", "--out", str(out)).exit_code == 0
    assert run("codebook", "import", str(out)).output.count("already stored") == 1
    v2 = tmp_path / "v2.yaml"
    v2.write_text(
        BOOK.replace('version: "1"', 'version: "2"').replace(
            "[scholarship]", "[scholarship, fellowship]"
        ),
        encoding="utf-8",
    )
    assert "imported as version #2" in run("codebook", "import", str(v2)).output
    diffed = run("codebook", "diff", "1", "2")
    assert "+ lexicon" in diffed.output and "fellowship" in diffed.output
    assert "valid" in run("codebook", "validate", str(v2)).output


def test_validate_reports_line_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        BOOK.replace("key: scholarships_mobility", "key: Scholarships"), encoding="utf-8"
    )
    result = run("codebook", "validate", str(bad))
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert "E070" in flat and "line 7" in flat and "codes[Scholarships].key" in flat


def test_audit_log_and_verify(proj: str) -> None:
    run("code")
    log = json.loads(run("audit", "log", "--format", "json", "--limit", "100").output)
    kinds = [e["kind"] for e in log]
    assert (
        kinds[0] == "codebook.imported"
        and kinds.count("source.added") == 2
        and "coder.run" in kinds
    )
    only = json.loads(run("audit", "log", "--format", "json", "--kind", "source.added").output)
    assert {e["kind"] for e in only} == {"source.added"}
    assert "intact" in run("audit", "verify").output
    with Project.open(proj) as project, project.store.begin() as conn:
        conn.execute(text("UPDATE codings SET status = 'final' WHERE id = 1"))
    broken = run("audit", "verify")
    assert broken.exit_code == 1 and "coding #1" in broken.output


def test_init_imports_the_builtin_codebook_by_default(db_url: str) -> None:
    assert run("init", db_url).exit_code == 0
    with Project.open(db_url) as project:
        _, codebook = project.codebook()
    assert codebook.name == "cultural-diplomacy" and len(list(codebook.codes())) >= 50


@pytest.mark.parametrize(
    "table",
    [
        "models",
        "crosstab",
        "distinctive",
        "overlap",
        "trends",
        "triangulation",
        "cooccurrence",
        "operationalisation",
    ],
)
def test_compare_tables(proj: str, table: str) -> None:
    run("code")
    result = run("compare", "--table", table, "--include-suggested", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.strip(), table


def test_compare_says_what_it_counted(proj: str) -> None:
    run("code")
    nothing = " ".join(run("compare").output.split())
    assert "No rows: no codings counted" in nothing and "counted: final, accepted;" in nothing
    md = run("compare", "--include-suggested", "--format", "md").output
    assert "MACHINE SUGGESTIONS" in md and "| actor |" in md and "China" in md
