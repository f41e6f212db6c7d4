"""Correcting, deleting and restoring sources; memos edited and deleted by their author;
future dates refused; the add summary names what it would otherwise hide (#10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from diplocode import audit, coding
from diplocode.analysis.compare import Spec, compare
from diplocode.cli import app
from diplocode.coders import LexiconCoder
from diplocode.corpus.edit import delete_source, edit_source, restore_source
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta, parse_date
from diplocode.engine import run_coder
from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.store.schema import codings, memos, sources

TEXT = "Scholarships are offered to Kazakh students. Scholarship programmes keep growing."


@pytest.fixture
def coded(db_url: str, tmp_path: Path):
    project = Project.init(db_url)
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    meta = SourceMeta(
        actors=(("China", "author"),), date=(2019, None, None), extra={"outlet": "Xinhua"}
    )
    list(ingest(project.store, [IngestItem(path, meta)], languages=project.languages))
    version_id, codebook = project.codebook()
    run_coder(project.store, LexiconCoder(codebook), version_id)
    yield project
    project.close()


def _rows(project: Project, **spec) -> dict[str, int]:
    result = compare(project, Spec(include_suggested=True, **spec))
    return {
        str(a): int(n)
        for a, n in result.frame.groupby("actor", observed=True)["coding_id"].nunique().items()
    }


def test_a_correction_of_date_and_actors_is_followed_by_the_comparison(coded: Project) -> None:
    n = _rows(coded, actor_role="author")["China"]
    assert n >= 2
    assert compare(coded, Spec(include_suggested=True)).meta["data_range"] == (2019, 2019)
    changed = edit_source(
        coded,
        1,
        "ana",
        date="2021-03",
        actors_="Russia;Kazakhstan:subject",
        group="analytical",
        attributes={"outlet": "TASS", "desk": "Asia"},
    )
    assert set(changed) == {"date_year", "date_month", "actors", "source_group", "extra"}
    assert _rows(coded, actor_role="author") == {"Russia": n}
    # the passages name nobody: "about" falls to the subject now
    assert _rows(coded) == {"Kazakhstan": n}
    assert compare(coded, Spec(include_suggested=True)).meta["data_range"] == (2021, 2021)
    with coded.store.read() as conn:
        row = conn.execute(select(sources.c.extra, sources.c.source_group)).one()
        assert row.extra["outlet"] == "TASS" and row.source_group == "analytical"
        assert audit.verify(conn) == []
    assert edit_source(coded, 1, "ana", date="2021-03") == {}  # nothing changed, no event
    for bad, code in (
        ({"date": "2031"}, "E023"),
        ({"group": "offical"}, "E025"),
        ({"actors_": "Chnia"}, "E103"),
    ):
        with pytest.raises(DiplocodeError) as e:
            edit_source(coded, 1, "ana", **bad)
        assert e.value.code == code


def test_delete_and_restore(coded: Project) -> None:
    coding.write_memo(coded, "Қытай туралы ескертпе", "ana", source_id=1)
    done = delete_source(coded, 1, "ana", "a duplicate")
    assert done["codings"] >= 2 and done["memos"] == 1
    with coded.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(sources)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(codings)).scalar() == 0
        assert audit.verify(conn) == []
    new_id = restore_source(coded, 1, "ana")
    with coded.store.read() as conn:
        row = conn.execute(select(sources).where(sources.c.id == new_id)).mappings().one()
        assert (
            row["text"] == TEXT and row["date_year"] == 2019 and row["extra"]["outlet"] == "Xinhua"
        )
        assert audit.verify(conn) == []
    with pytest.raises(DiplocodeError):
        restore_source(coded, 99, "ana")


def test_memos_are_edited_and_deleted_by_their_author_only(coded: Project) -> None:
    memo_id = coding.write_memo(coded, "first thought", "ana", source_id=1)
    project_memo = coding.write_memo(coded, "a project memo: on the period", "ana")
    coding.edit_memo(coded, memo_id, "second thought", "ana")
    with pytest.raises(DiplocodeError) as e:
        coding.edit_memo(coded, memo_id, "not mine", "bob")
    assert e.value.code == "E091"
    with pytest.raises(DiplocodeError) as e:
        coding.delete_memo(coded, memo_id, "bob")
    assert e.value.code == "E091"
    coding.delete_memo(coded, project_memo, "ana")
    with coded.store.read() as conn:
        assert [r.text for r in conn.execute(select(memos.c.text))] == ["second thought"]
        kinds = [ev["kind"] for ev in audit.events(conn)]
    assert kinds.count("memo.edited") == 1 and kinds.count("memo.deleted") == 1


def test_future_dates_are_refused() -> None:
    with pytest.raises(DiplocodeError) as e:
        parse_date("2031", "row 2")
    assert e.value.code == "E023" and "future" in str(e.value)
    assert parse_date("2020-02-29", "x") == (2020, 2, 29)


def test_cli_source_edit_delete_and_add_summary(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "p.db")
    assert runner.invoke(app, ["init", db]).exit_code == 0
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT + " Another one.", encoding="utf-8")
    r = runner.invoke(app, ["add", str(tmp_path / "a.txt"), "--project", db])
    assert r.exit_code == 0 and "have no actor" in r.output and "no group" in r.output
    r = runner.invoke(app, ["add", str(tmp_path / "a.txt"), "--project", db, "--date", "2020"])
    assert "kept their metadata" in r.output and "source edit" in r.output
    r = runner.invoke(app, ["add", str(tmp_path / "b.txt"), "--project", db, "--date", "2031"])
    assert r.exit_code != 0 and "E023" in r.output and "future" in r.output
    r = runner.invoke(
        app,
        [
            "source",
            "edit",
            "1",
            "--project",
            db,
            "--date",
            "2020",
            "--actor",
            "China",
            "--set",
            "outlet=Xinhua",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "date_year" in r.output and "actors" in r.output
    r = runner.invoke(app, ["source", "edit", "1", "--project", db])
    assert r.exit_code != 0 and "E060" in r.output
    r = runner.invoke(app, ["source", "delete", "1", "--project", db, "--yes"])
    assert r.exit_code == 0 and "source restore 1" in r.output
    r = runner.invoke(app, ["source", "restore", "1", "--project", db])
    assert r.exit_code == 0 and "as source #" in r.output


def test_custom_attributes_filter_every_list_and_make_a_comparison_dimension(
    db_url: str, tmp_path: Path
) -> None:
    from diplocode.store.sources import SourceFilter, list_sources

    project = Project.init(db_url)
    items = []
    for i, outlet in enumerate(["Xinhua", "TASS", "Xinhua"]):
        path = tmp_path / f"s{i}.txt"
        path.write_text(f"{TEXT} Number {i}.", encoding="utf-8")
        meta = SourceMeta(
            actors=(("China", "author"),), date=(2020, None, None), extra={"outlet": outlet}
        )
        items.append(IngestItem(path, meta))
    list(ingest(project.store, items, languages=project.languages))
    version_id, codebook = project.codebook()
    run_coder(project.store, LexiconCoder(codebook), version_id)
    with project.store.read() as conn:
        flt = SourceFilter(attributes=(("outlet", "Xinhua"),)).validate(conn=conn)
        rows = list_sources(conn, flt)
        assert [r["attributes"]["outlet"] for r in rows] == ["Xinhua", "Xinhua"]
        with pytest.raises(DiplocodeError) as e:
            SourceFilter(attributes=(("outlett", "x"),)).validate(conn=conn)
        assert e.value.code == "E060" and "outlet" in str(e.value)
    result = compare(project, Spec(include_suggested=True, by="attribute:outlet"))
    table = result.table("crosstab").frame.reset_index()
    assert set(table["attribute:outlet"]) == {"Xinhua", "TASS"}
    only = compare(project, Spec(include_suggested=True, attributes=(("outlet", "TASS"),)))
    assert set(only.frame["source_id"]) == {2}
    runner = CliRunner()
    r = runner.invoke(
        app, ["sources", "--project", db_url, "--where", "outlet=TASS", "--format", "csv"]
    )
    assert r.exit_code == 0, r.output
    assert "attr:outlet" in r.output and "TASS" in r.output and "Xinhua" not in r.output
    r = runner.invoke(
        app,
        [
            "compare",
            "--project",
            db_url,
            "--table",
            "crosstab",
            "--by",
            "attribute:outlet",
            "--include-suggested",
            "--format",
            "csv",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "TASS" in r.output
    project.close()


def test_ingest_notes_what_a_summary_must_say(db_url: str, tmp_path: Path) -> None:
    project = Project.init(db_url)
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    first = list(
        ingest(project.store, [IngestItem(path, SourceMeta())], languages=project.languages)
    )
    assert first[0].status == "added" and first[0].notes == ("no_actor", "no_group")
    again = list(
        ingest(
            project.store,
            [IngestItem(path, SourceMeta(group="official"))],
            languages=project.languages,
        )
    )
    assert again[0].status == "duplicate" and again[0].notes == ("kept_metadata",)
    project.close()
