"""Every option validated, in every command (issue #9): a bad value is a coded error that
lists the valid values, given before any work is done, with exit code 2."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from diplocode.cli import app
from diplocode.demo import build_demo_project
from diplocode.store.schema import SOURCE_GROUPS, codings

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def cli_project(db_url: str, monkeypatch) -> Iterator[str]:
    """The demo corpus (China, Russia, the United States ...), not coded yet."""
    project, results = build_demo_project(db_url)
    assert all(r.status == "added" for r in results)
    project.close()
    monkeypatch.setenv("DIPLOCODE_PROJECT", db_url)
    yield db_url


def _codings(db_url: str) -> int:
    from sqlalchemy import func, select

    from diplocode.project import Project

    with Project.open(db_url) as project, project.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(codings)).scalar() or 0)


@pytest.mark.parametrize(
    ("args", "code", "mentions"),
    [
        # the source filter, in every command that has one
        (["code", "--group", "offical"], "E025", ", ".join(SOURCE_GROUPS)),
        (["sources", "--group", "offical"], "E025", "--group"),
        (["code", "--lang", "de"], "E024", "en, ru, kk"),
        (["sources", "--lang", "de"], "E024", "en, ru, kk"),
        (["sources", "--from", "2030", "--to", "2020"], "E120", "--from/--to"),
        (["code", "--from", "2030", "--to", "2020"], "E120", "2030-2020"),
        (["sources", "--actor", "Chna"], "E103", "did you mean 'China'"),
        (["code", "--actor", "Chna"], "E103", "did you mean 'China'"),
        (["retrieve", "-c", "students", "--actor", "Chna"], "E103", "'China'"),
        (["retrieve", "-c", "students", "--lang", "de"], "E024", "--lang"),
        # options with a fixed set of values
        (["code", "--coder", "nope"], "E060", "lexicon, diplocode.lexicon.v1"),
        (["code", "--unit", "word"], "E060", "sentence, paragraph"),
        (["sources", "--format", "xml"], "E060", "table, csv, json"),
        (["sources", "--limit", "-1"], "E060", ">= 0"),
        (["show", "1", "--paragraphs", "-2"], "E060", ">= 0"),
        (["codebook", "show", "--lang", "de"], "E060", "en, ru, kk"),
        (["codebook", "export", "--format", "xml"], "E060", "yaml, json"),
        (["audit", "log", "--format", "xml"], "E060", "table, json"),
        (["audit", "log", "--since", "yesterday"], "E023", "--since"),
        (["user", "add", "aigerim", "--role", "boss"], "E060", "owner, coder, viewer"),
        (["add", "nowhere.txt", "--jobs", "0"], "E060", ">= 1"),
        (["actors", "list", "--format", "xml"], "E060", "table, csv, json"),
    ],
)
def test_a_bad_option_is_a_coded_error_listing_the_valid_values(
    cli_project, args, code, mentions
) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert f"[{code}]" in flat and mentions in flat, flat


def test_code_with_a_misspelt_group_codes_nothing(cli_project) -> None:
    """Regression (#9): 'code --group offical' coded 0 sources and exited 0."""
    result = run("code", "--group", "offical")
    assert result.exit_code == 2 and "sources coded" not in result.output
    assert _codings(cli_project) == 0
    coded = run("code", "--group", "Official")  # case and spaces are forgiven
    assert coded.exit_code == 0, coded.output
    assert "sources coded" in coded.output and _codings(cli_project) > 0


def test_an_actor_is_found_by_any_of_its_names(cli_project) -> None:
    by_name = json.loads(run("sources", "--actor", "China", "--format", "json").output)
    assert by_name
    for other in ("china", "Қытай", "Китай", "中国"):
        again = json.loads(run("sources", "--actor", other, "--format", "json").output)
        assert [r["id"] for r in again] == [r["id"] for r in by_name], other


def test_a_valid_filter_still_filters(cli_project) -> None:
    rows = json.loads(
        run(
            "sources", "--group", "official", "--from", "2013", "--to", "2014", "--format", "json"
        ).output
    )
    assert rows and all(
        r["source_group"] == "official" and 2013 <= r["date_year"] <= 2014 for r in rows
    )
