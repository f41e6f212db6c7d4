"""Code and retrieve (issue #9): every passage coded with a code, as a library call, CSV,
DOCX and a CLI command. Runs on SQLite and on PostgreSQL (``DIPLOCODE_TEST_DB``)."""

from __future__ import annotations

import csv
import doctest
import io
import json
from pathlib import Path

import docx
import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from diplocode import coding, workbench
from diplocode import retrieve as retrieve_mod
from diplocode.cli import app
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.demo import code_demo_project
from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.report.retrieval import CSV_COLUMNS, read_csv, write_csv, write_docx
from diplocode.retrieve import retrieve
from diplocode.store.schema import codes, codings, segments
from diplocode.store.sources import SourceFilter
from diplocode.users import User

runner = CliRunner()

LONG_BEFORE = "Opening words of the statement set the scene for what follows. " * 4
SOURCES = [
    (
        "cn.txt",
        LONG_BEFORE
        + "China offers scholarships to students from Kazakhstan.\n\n"
        + "Its universities open partnerships across the region.",
        SourceMeta(
            title="Speech at Nazarbayev University",
            actors=(("China", "author"), ("Kazakhstan", "subject")),
            group="official",
            date=(2013, 9, 7),
        ),
    ),
    (
        "us.txt",
        "The United States funds scholarships and university partnerships in Central Asia.",
        SourceMeta(
            title="C5+1 statement",
            actors=(("United States", "author"), ("Uzbekistan", "co-signatory")),
            group="academic",
            date=(2023, 9, None),
        ),
    ),
    (
        "ru.txt",
        "Россия выделяет стипендии студентам из Центральной Азии.",
        SourceMeta(title="Российская статья", actors=(("Russia", "author"),), group="media"),
    ),
]


@pytest.fixture
def corpus(project: Project, tmp_path: Path) -> dict[str, int]:
    """Three sources; lexicon suggestions; alice's and bob's own codings; one suggestion
    accepted by bob and one rejected. Returns names -> ids."""
    items = []
    for name, text, meta in SOURCES:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        items.append(IngestItem(path, meta))
    results = list(ingest(project.store, items, languages=project.languages))
    assert all(r.status == "added" for r in results), results
    ids = {name: r.source_id for (name, _, _), r in zip(SOURCES, results, strict=True)}
    code_demo_project(project)
    cn_text = SOURCES[0][1]
    start = cn_text.index("China offers")
    ids["alice"] = coding.create(
        project, ids["cn.txt"], start, start + 25, "scholarships_mobility", "alice", memo="key"
    )
    us_text = SOURCES[1][1]
    ids["bob"] = coding.create(
        project, ids["us.txt"], 0, len(us_text), "scholarships_mobility", "bob"
    )
    suggested = _suggestions(project, "scholarships_mobility")
    assert len(suggested) >= 3, suggested  # cn, us and ru sentences
    by_source = {sid: cid for cid, sid in suggested}
    ids["accepted"] = by_source[ids["us.txt"]]
    coding.accept(project, ids["accepted"], "bob")
    ids["rejected"] = by_source[ids["ru.txt"]]
    coding.reject(project, ids["rejected"], "bob")
    ids["open"] = by_source[ids["cn.txt"]]
    return ids


def _suggestions(project: Project, key: str) -> list[tuple[int, int]]:
    with project.store.read() as conn:
        rows = conn.execute(
            select(codings.c.id, codings.c.source_id)
            .join(codes, codes.c.id == codings.c.code_id)
            .where(codes.c.key == key, codings.c.status == "suggested")
            .order_by(codings.c.id)
        ).all()
    return [(int(a), int(b)) for a, b in rows]


def _ids(found) -> set[int]:
    return {p.coding_id for p in found.passages}


def test_doctests() -> None:
    assert doctest.testmod(retrieve_mod).failed == 0


# -- statuses ---------------------------------------------------------------------------------
def test_counts_final_and_accepted_and_never_rejected(project, corpus) -> None:
    found = retrieve(project, ["scholarships_mobility"])
    assert _ids(found) == {corpus["alice"], corpus["bob"], corpus["accepted"]}
    assert found.total == 3 and found.statuses == ["final", "accepted"]
    assert not found.include_suggested
    assert "unreviewed" not in found.note and "counted statuses: final, accepted" in found.note
    with_suggestions = retrieve(project, ["scholarships_mobility"], include_suggested=True)
    assert corpus["open"] in _ids(with_suggestions)
    assert corpus["rejected"] not in _ids(with_suggestions)
    assert with_suggestions.include_suggested
    assert "Includes unreviewed machine suggestions." in with_suggestions.note
    only_accepted = retrieve(project, ["scholarships_mobility"], statuses=["accepted"])
    assert _ids(only_accepted) == {corpus["accepted"]}
    with pytest.raises(DiplocodeError) as err:
        retrieve(project, ["scholarships_mobility"], statuses=["rejected"])
    assert err.value.code == "E060" and "final, accepted, suggested" in str(err.value)


def test_passage_fields_and_citation(project, corpus) -> None:
    with project.store.begin() as conn:  # give the Chinese source pages, as a PDF has
        conn.execute(
            update(segments)
            .where(segments.c.source_id == corpus["cn.txt"], segments.c.kind == "paragraph")
            .values(page=segments.c.ordinal + 3)
        )
    found = retrieve(project, ["scholarships_mobility"], lang="kk")
    by_id = {p.coding_id: p for p in found.passages}
    alice = by_id[corpus["alice"]]
    assert alice.text == "China offers scholarships"
    assert alice.code == "scholarships_mobility" and alice.dimension == "channel"
    assert alice.label == project.codebook()[1].code("scholarships_mobility").label["kk"]
    assert alice.title == "Speech at Nazarbayev University" and alice.date == "2013-09-07"
    assert alice.page == 3  # the first paragraph's page
    assert alice.citation == "Speech at Nazarbayev University (2013-09-07, p. 3)"
    assert alice.actors == [("China", "author"), ("Kazakhstan", "subject")]
    assert alice.group == "official" and alice.language == "en"
    assert alice.status == "final" and alice.coder == "human:alice"
    assert alice.created_by == "alice" and alice.reviewed_by is None
    assert alice.memo == "key"
    # her selection names China, its sentence China and Kazakhstan (#9 attribution)
    assert alice.about == ["China (clause)"]
    # context: cut to whole words and marked, at most about 120 characters
    assert alice.before.startswith("… ") and alice.before.endswith("the scene for what follows.")
    assert len(alice.before) <= 125
    assert alice.after.startswith("to students from Kazakhstan.")
    assert alice.link() == f"/sources/{corpus['cn.txt']}#coding-{corpus['alice']}"
    bob = by_id[corpus["bob"]]
    assert bob.date == "2023-09" and bob.page is None and bob.citation == "C5+1 statement (2023-09)"
    assert bob.before == "" and bob.after == ""
    accepted = by_id[corpus["accepted"]]
    assert accepted.status == "accepted" and accepted.reviewed_by == "bob"
    assert accepted.coder == "diplocode.lexicon.v1" and accepted.score is not None
    undated = retrieve(project, ["scholarships_mobility"], include_suggested=True, lang="de")
    ru = [p for p in undated.passages if p.source_id == corpus["ru.txt"]]
    assert ru == []  # only the rejected suggestion was on it
    assert undated.passages[0].label == "Scholarships and academic mobility"  # en fallback


def test_corpus_order_and_pages_of_results(project, corpus) -> None:
    everything = retrieve(project, ["scholarships_mobility"], include_suggested=True)
    dates = [p.date for p in everything.passages]
    assert dates == sorted(dates)  # by source date, then position
    first = retrieve(project, ["scholarships_mobility"], include_suggested=True, limit=2)
    rest = retrieve(project, ["scholarships_mobility"], include_suggested=True, limit=2, offset=2)
    assert first.total == rest.total == everything.total == 4
    assert [p.coding_id for p in first.passages + rest.passages] == [
        p.coding_id for p in everything.passages
    ]
    assert "showing 1-2 of 4" in first.note and "showing 3-4 of 4" in rest.note
    with pytest.raises(DiplocodeError, match="E060"):
        retrieve(project, ["scholarships_mobility"], limit=-1)


# -- filters ----------------------------------------------------------------------------------
def test_source_filters_and_coder(project, corpus) -> None:
    key = ["scholarships_mobility"]

    def ids(**kw) -> set[int]:
        return _ids(retrieve(project, key, include_suggested=True, **kw))

    assert ids(flt=SourceFilter(actor="china")) == {corpus["alice"], corpus["open"]}
    assert ids(flt=SourceFilter(actor="Uzbekistan")) == {corpus["bob"], corpus["accepted"]}
    assert ids(flt=SourceFilter(group="academic")) == {corpus["bob"], corpus["accepted"]}
    assert ids(flt=SourceFilter(language="ru")) == set()
    assert ids(flt=SourceFilter(year_from=2020)) == {corpus["bob"], corpus["accepted"]}
    assert ids(flt=SourceFilter(year_to=2015)) == {corpus["alice"], corpus["open"]}
    assert ids(coder="alice") == {corpus["alice"]}
    assert ids(coder="human:bob") == {corpus["bob"]}
    assert ids(coder="diplocode.lexicon.v1") == {corpus["accepted"], corpus["open"]}
    note = retrieve(project, key, flt=SourceFilter(actor="China", year_from=2013)).note
    assert "filters: actor China, from 2013" in note


# -- which codes -------------------------------------------------------------------------------
def test_globs_and_dimensions_select_several_codes(project, corpus) -> None:
    book = project.codebook()[1]
    strengths = [c.key for c in book.codes() if c.key.startswith("strength.")]
    assert retrieve(project, ["strength.*"]).codes == strengths
    channel = next(d.key for d in book.dimensions if d.key == "channel")
    found = retrieve(project, [f"dim:{channel}"], include_suggested=True)
    assert "scholarships_mobility" in found.codes and "university_partnerships" in found.codes
    assert {p.dimension for p in found.passages} == {"channel"}
    assert {"scholarships_mobility", "university_partnerships"} <= {p.code for p in found.passages}
    both = retrieve(project, ["university_partnerships", "scholarships_mobility", "students"])
    order = [c.key for c in book.codes()]
    assert both.codes == sorted(both.codes, key=order.index)  # codebook order, no repeats


def test_unknown_codes_are_coded_errors(project) -> None:
    with pytest.raises(DiplocodeError) as err:
        retrieve(project, ["scholarship"])
    assert err.value.code == "E210" and "'scholarships_mobility'" in str(err.value)
    with pytest.raises(DiplocodeError) as err:
        retrieve(project, ["qwertyuiop"])
    assert err.value.code == "E211"
    assert "scholarships_mobility" in err.value.fix and "channel" in err.value.fix
    with pytest.raises(DiplocodeError) as err:
        retrieve(project, ["nothing.*"])
    assert err.value.code == "E212"
    with pytest.raises(DiplocodeError) as err:
        retrieve(project, ["dim:nowhere"])
    assert err.value.code == "E212"
    with pytest.raises(DiplocodeError) as err:
        retrieve(project, ["", " "])
    assert err.value.code == "E213"


# -- blind coding ------------------------------------------------------------------------------
def test_blind_coding_coder_sees_only_their_own(project, corpus) -> None:
    alice = User(1, "alice", None, "coder")
    bob = User(2, "bob", None, "coder")
    owner = User(3, "olga", None, "owner")
    key = ["scholarships_mobility"]
    everyone = _ids(retrieve(project, key, include_suggested=True, viewer=alice))
    assert corpus["bob"] in everyone  # blind coding off: everything
    workbench.set_blind_coding(project, True, "olga")
    seen = retrieve(project, key, include_suggested=True, viewer=alice)
    # her own coding and the suggestion nobody reviewed; not bob's coding nor his review
    assert _ids(seen) == {corpus["alice"], corpus["open"]}
    assert seen.blind and "blind coding: only the codings alice may see" in seen.note
    assert _ids(retrieve(project, key, viewer=bob)) == {corpus["bob"], corpus["accepted"]}
    assert _ids(retrieve(project, key, viewer=owner)) == {
        corpus["alice"],
        corpus["bob"],
        corpus["accepted"],
    }
    assert _ids(retrieve(project, key, viewer=None)) == _ids(retrieve(project, key, viewer=owner))
    workbench.set_blind_coding(project, False, "olga")
    assert corpus["bob"] in _ids(retrieve(project, key, viewer=alice))


# -- writers -----------------------------------------------------------------------------------
def test_csv_round_trip(project, corpus, tmp_path) -> None:
    found = retrieve(project, ["scholarships_mobility"], include_suggested=True)
    path = tmp_path / "passages.csv"
    write_csv(found, path)
    assert list(read_csv(path)) == found.passages
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == CSV_COLUMNS
    assert {r["citation"] for r in rows} >= {"Speech at Nazarbayev University (2013-09-07)"}
    assert "China:author; Kazakhstan:subject" in {r["actors"] for r in rows}
    buffer = io.StringIO()
    write_csv(found, buffer)
    buffer.seek(0)
    assert list(read_csv(buffer)) == found.passages


def test_docx_has_heading_note_quotes_and_citations(project, corpus, tmp_path) -> None:
    found = retrieve(project, ["scholarships_mobility", "university_partnerships"])
    path = tmp_path / "passages.docx"
    write_docx(found, path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Passages coded scholarships_mobility, university_partnerships" in text
    assert found.note in text
    for passage in found.passages:
        assert passage.citation in text and f"“{passage.text}”" in text
    assert "Scholarships and academic mobility (scholarships_mobility)" in text
    with_suggestions = retrieve(project, ["scholarships_mobility"], include_suggested=True)
    write_docx(with_suggestions, path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Includes unreviewed machine suggestions." in text
    assert "(unreviewed suggestion)" in text


# -- the command -------------------------------------------------------------------------------
@pytest.fixture
def cli_project(corpus, project, db_url, monkeypatch) -> str:
    monkeypatch.setenv("DIPLOCODE_PROJECT", db_url)
    return db_url


def run(*args: str):
    return runner.invoke(app, ["retrieve", *args], catch_exceptions=False)


def test_cli_table_json_csv_docx(cli_project, corpus, tmp_path) -> None:
    table = run("--code", "scholarships_mobility")
    assert table.exit_code == 0, table.output
    flat = " ".join(table.output.split())
    assert "statuses: final, accepted" in flat and "Nazarbayev" in flat
    as_json = run("-c", "scholarships_mobility", "--include-suggested", "--format", "json")
    data = json.loads(as_json.stdout)
    assert data["total"] == 4 and data["include_suggested"]
    assert "Includes unreviewed machine suggestions." in data["note"]
    assert {p["coding_id"] for p in data["passages"]} >= {corpus["open"], corpus["alice"]}
    limited = run("-c", "scholarships_mobility", "--format", "json", "--limit", "1")
    assert len(json.loads(limited.stdout)["passages"]) == 1
    filtered = run(
        "-c", "scholarships_mobility", "--actor", "China", "--from", "2010", "--to", "2015",
        "--group", "official", "--coder", "alice", "--format", "csv",
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(filtered.stdout)))
    assert [int(r["coding_id"]) for r in rows] == [corpus["alice"]]
    kk = run("-c", "scholarships_mobility", "--format", "csv", "--label-lang", "kk")
    assert "Шәкіртақы" in kk.stdout or "шәкіртақы" in kk.stdout
    out = tmp_path / "p.docx"
    written = run(
        "-c", "strength.*", "-c", "scholarships_mobility", "--format", "docx", "--out", str(out)
    )
    assert written.exit_code == 0, written.output
    assert "Speech at Nazarbayev University" in "\n".join(
        p.text for p in docx.Document(str(out)).paragraphs
    )
    csv_out = tmp_path / "p.csv"
    assert run("-c", "scholarships_mobility", "--format", "csv", "-o", str(csv_out)).exit_code == 0
    assert len(list(read_csv(csv_out))) == 3


@pytest.mark.parametrize(
    ("args", "code", "mentions"),
    [
        (["-c", "students", "--format", "pdf"], "E060", "table, csv, json, docx"),
        (["-c", "students", "--label-lang", "de"], "E060", "en, ru, kk"),
        (["-c", "students", "--format", "docx"], "E214", "--out"),
        (["-c", "scholarship"], "E210", "scholarships_mobility"),
        (["-c", "nothing.*"], "E212", "dim:KEY"),
        ([], "E213", "--code"),
        (["-c", "students", "--group", "blogs"], "E025", "official"),
        (["-c", "students", "--from", "2020", "--to", "2010"], "E060", "2020"),
    ],
)
def test_cli_options_are_validated(cli_project, args, code, mentions) -> None:
    result = run(*args)
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert f"[{code}]" in flat and mentions in flat
