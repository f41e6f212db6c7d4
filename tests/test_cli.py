"""The command line: thin commands over the library, exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from diplocode.cli import app

runner = CliRunner()

EN = "The United States supports the sovereignty and independence of the Central Asian states. Exchange programs build professional networks."
KK = "Қазақстан көпвекторлы сыртқы саясатты ұстанады және барлық серіктестермен ынтымақтастықты дамытады."


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def cli_project(db_url: str, monkeypatch) -> str:
    result = run("init", db_url)
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("DIPLOCODE_PROJECT", db_url)
    return db_url


def test_init_add_list_show(cli_project: str, tmp_path: Path) -> None:
    folder = tmp_path / "c5"
    folder.mkdir()
    (folder / "us.txt").write_text(EN, encoding="utf-8")
    (folder / "kz.txt").write_text(KK, encoding="utf-8")
    result = run(
        "add",
        str(folder),
        "--actor",
        "United States",
        "--actor",
        "Kazakhstan:co-signatory",
        "--group",
        "official",
        "--date",
        "2023-09",
    )
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "0 failed" in result.output

    listed = run("sources", "--format", "json")
    rows = json.loads(listed.output)
    assert [r["language"] for r in rows] == ["kk", "en"]
    assert rows[0]["actors"] == "Kazakhstan:co-signatory; United States:author"
    assert {(r["date_year"], r["date_month"]) for r in rows} == {(2023, 9)}

    only_kk = json.loads(run("sources", "--lang", "kk", "--format", "json").output)
    assert [r["title"] for r in only_kk] == ["kz"]
    assert json.loads(run("sources", "--from", "2024", "--format", "json").output) == []
    assert (
        len(json.loads(run("sources", "--actor", "united states", "--format", "json").output)) == 2
    )

    shown = run("show", "1")
    assert shown.exit_code == 0
    assert "Қазақстан көпвекторлы" in shown.output and "kk 100%" in shown.output

    again = run("add", str(folder))
    assert "0 added, 2 already in the project" in again.output


def test_failures_are_listed_and_set_the_exit_code(cli_project: str, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "fake.pdf").write_bytes(b"not a pdf at all" * 10)
    result = run(
        "add", str(tmp_path / "good.txt"), str(tmp_path / "empty.txt"), str(tmp_path / "fake.pdf")
    )
    assert result.exit_code == 1
    assert "1 added" in result.output and "2 failed" in result.output
    assert "E001" in result.output and "E005" in result.output


def test_manifest_errors_name_row_and_column(cli_project: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "path,group,date\na.txt,official,2023\na.txt,embassy,2023\n", encoding="utf-8"
    )
    result = run("add", "--manifest", str(manifest))
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "E025" in flat and "row 3" in flat and "'embassy'" in flat


def test_bad_flag_values_are_coded(cli_project: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    result = run("add", str(tmp_path / "a.txt"), "--date", "Sept 2015")
    assert result.exit_code == 2 and "E023" in result.output


def test_missing_project_is_explained(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DIPLOCODE_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)
    result = run("sources")
    assert result.exit_code == 2 and "E045" in result.output


def test_show_unknown_source(cli_project: str) -> None:
    result = run("show", "42")
    assert result.exit_code == 2 and "E050" in result.output


def test_demo_builds_a_project(tmp_path: Path) -> None:
    result = run("demo", "--out", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    assert (tmp_path / "demo" / "demo.db").is_file()
    assert (tmp_path / "demo" / "report" / "report.html").is_file()
    assert (
        "Models of influence" in result.output
        and "Connectivity and shared development" in result.output
    )
    listed = json.loads(
        run("sources", "-p", str(tmp_path / "demo" / "demo.db"), "--format", "json").output
    )
    assert {r["language"] for r in listed} == {"en", "ru", "kk", "zh"}
    assert 25 <= len(listed) <= 40


def test_version() -> None:
    assert run("--version").output.startswith("diplocode ")


def test_serve_on_a_busy_port_fails_before_saying_it_serves(cli_project: str, monkeypatch) -> None:
    """E092 and exit code 2, with no success line, while another program listens on the
    port (#10); on a free port the success line comes and uvicorn is started."""
    import socket

    import uvicorn

    started: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(options))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run("serve", "--port", str(port))
        assert result.exit_code == 2, result.output
        assert "E092" in result.output and f"Port {port} on 127.0.0.1 is in use" in result.output
        assert "--port" in result.output
        assert "workbench for" not in result.output and "Errno" not in result.output
        assert started == []
    result = run("serve", "--port", str(port))  # the port is free again
    assert result.exit_code == 0, result.output
    assert f"at http://127.0.0.1:{port}/" in result.output
    assert [o["port"] for o in started] == [port]
