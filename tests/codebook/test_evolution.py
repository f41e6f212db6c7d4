"""Codebook evolution (#10): a new version maps every code of the one before it, human work
counts across versions, a re-run of a coder neither duplicates nor resurrects, and every
decision can be undone. Runs on SQLite and, with DIPLOCODE_TEST_DB, on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from diplocode import audit, coding
from diplocode.analysis.compare import Spec, compare
from diplocode.codebook import edit
from diplocode.codebook.io import dumps, loads
from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.engine import run_coder
from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.retrieve import retrieve
from diplocode.store.codebooks import counted_codes
from diplocode.store.schema import code_map, codings

BOOK = """\
name: mini
version: "1"
dimensions:
  - key: channel
    label: {en: Channel}
    codes:
      - key: scholarships
        label: {en: Scholarships}
        lexicon: {en: [scholarship]}
      - key: language_programs
        label: {en: Language programs}
        lexicon: {en: [confucius institute]}
      - key: media
        label: {en: Media}
        lexicon: {en: [television]}
  - key: narrative
    label: {en: Narrative}
    codes:
      - key: partnership
        label: {en: Partnership}
        lexicon: {en: [partnership]}
      - key: unused
        label: {en: Unused}
"""

TEXTS = {
    "a.txt": "China offers a scholarship to students. Confucius Institutes teach Chinese. "
    "Television from Beijing is popular. A strategic partnership was signed.",
    "b.txt": "Another scholarship for Kazakh students. Confucius Institutes open in Almaty. "
    "Partnership matters. Television news covered it.",
}


@pytest.fixture
def coded(db_url: str, tmp_path: Path):
    project = Project.init(db_url, codebook=loads(BOOK))
    for name, body in TEXTS.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    list(
        ingest(
            project.store,
            [IngestItem(tmp_path / n, SourceMeta(actors=(("China", "author"),))) for n in TEXTS],
            languages=project.languages,
        )
    )
    _code(project)
    yield project
    project.close()


def _code(project: Project):
    version_id, codebook = project.codebook()
    return run_coder(project.store, LexiconCoder(codebook).fit(), version_id, who="bench")


def _suggestions(project: Project) -> list[dict]:
    with project.store.read() as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(codings.c.id, codings.c.start, codings.c.status, codings.c.code_id).order_by(
                    codings.c.id
                )
            ).mappings()
        ]


def _counts(project: Project, **spec) -> dict[str, int]:
    result = compare(project, Spec(actor_role="author", **spec))
    frame = result.frame
    return {
        str(k): int(v)
        for k, v in frame.groupby("code", observed=True)["coding_id"].nunique().items()
    }


def _review(project: Project) -> dict[str, int]:
    """Accept the scholarships and media suggestions, reject language programs, code one
    passage by hand (partnership): the human work that must survive."""
    version_id, _ = project.codebook()
    with project.store.read() as conn:
        rows = conn.execute(
            select(
                codings.c.id, codings.c.code_id, codings.c.source_id, codings.c.start, codings.c.end
            )
        ).all()
        from diplocode.store.codebooks import code_ids

        key = {v: k for k, v in code_ids(conn, version_id).items()}
    decided = {}
    for cid, code_id, *_ in rows:
        if key[code_id] in ("scholarships", "media"):
            coding.accept(project, cid, "ana")
            decided[cid] = "accepted"
        elif key[code_id] == "language_programs":
            coding.reject(project, cid, "ana")
            decided[cid] = "rejected"
    sid, start, end = rows[0][2], rows[0][3], rows[0][4]
    coding.create(project, sid, start, end, "partnership", "ana")
    return decided


def test_human_work_counts_across_a_rename_and_a_merge(coded: Project, tmp_path: Path) -> None:
    decided = _review(coded)
    before = _counts(coded)
    assert before == {"scholarships": 2, "media": 2, "partnership": 1}
    # 1. the web editor's verbs: a label and a lexicon edit, each a new version
    edit.edit_code(coded, "scholarships", by="ana", label={"ru": "Стипендии"})
    edit.edit_code(coded, "partnership", by="ana", lexicon={"en": ["partnership", "cooperation"]})
    assert _counts(coded) == before
    # 2. an edited export: rename one code, merge two
    _, current = coded.codebook()
    text = dumps(current.without_changes())
    assert "changes" not in text
    text = (
        text.replace("key: scholarships\n", "key: mobility\n")
        .replace(f"version: {current.version}", "version: '2.0'")
        .replace(f"version: '{current.version}'", "version: '2.0'")
    )
    data = loads(text).model_dump(mode="json")
    channel = data["dimensions"][0]
    channel["codes"] = [c for c in channel["codes"] if c["key"] != "media"]
    data["changes"] = {
        "renamed": {"scholarships": "mobility"},
        "merged": {"media": "language_programs"},
    }
    from diplocode.codebook.model import Codebook

    version_id, created = coded.import_codebook(Codebook.model_validate(data), "ana")
    assert created
    after = _counts(coded)
    # every human coding and decision still counts, under the new keys: the accepted
    # media suggestions now count as language programs (the rejected ones never count)
    assert after == {"mobility": 2, "language_programs": 2, "partnership": 1}
    result = compare(coded, Spec(actor_role="author"))
    assert result.meta["codebook_version_id"] == version_id
    assert result.meta["from_earlier_versions"] == 5
    assert "earlier versions" in result.note()
    # the report and the web count the same (one engine), under the new version
    from fastapi.testclient import TestClient

    from diplocode.report import build_report
    from diplocode.web.app import create_app

    written = build_report(coded, tmp_path / "report", result, formats=("html", "xlsx"))
    html = written["html"][0].read_text(encoding="utf-8")
    assert "mobility" in html or "Scholarships" in html
    assert "earlier versions" in html
    client = TestClient(create_app(coded, team=False, local_user="ana"))
    rows = client.get("/api/compare", params={"actor_role": "author", "table": "crosstab"}).json()[
        "rows"
    ]
    web: dict[str, int] = {}
    for row in rows:
        web[row["code"]] = web.get(row["code"], 0) + int(row["count"])
    assert web == after
    # an explicitly chosen older version counts what it counted
    assert _counts(coded, codebook=1) == before
    # retrieve follows the mapping too
    found = retrieve(coded, ["mobility"])
    assert found.total == 2 and {p.code for p in found.passages} == {"mobility"}
    # 3. a re-run under the new version: no duplicate, nothing resurrected
    n_before = len(_suggestions(coded))
    summary = _code(coded)
    assert summary.sources_coded == 2
    rows = _suggestions(coded)
    new = rows[n_before:]
    assert summary.suggestions == len(new)
    with coded.store.read() as conn:
        mapping = counted_codes(conn, version_id)
        spans = {}
        for r in rows[:n_before]:
            spans.setdefault((r["start"], mapping.get(r["code_id"])), []).append(r["status"])
    for r in new:  # only spans and codes nobody had: the "cooperation" entry, none here
        assert (r["start"], r["code_id"]) not in spans
    assert all(r["status"] == d for r in rows if (d := decided.get(r["id"])))
    assert _counts(coded) == after
    with coded.store.read() as conn:
        assert audit.verify(conn) == []


def test_a_version_must_say_what_became_of_every_code(coded: Project) -> None:
    from diplocode.codebook.model import Codebook

    _, current = coded.codebook()
    data = current.model_dump(mode="json")
    data["version"] = "2"
    data["dimensions"][1]["codes"] = [
        c for c in data["dimensions"][1]["codes"] if c["key"] != "unused"
    ]
    with pytest.raises(DiplocodeError) as e:
        coded.import_codebook(Codebook.model_validate(data))
    assert e.value.code == "E075" and "'unused'" in str(e.value)
    data["changes"] = {"deleted": ["unused"], "renamed": {"ghost": "partnership2"}}
    data["dimensions"][1]["codes"].append({"key": "partnership2", "label": {"en": "P2"}})
    with pytest.raises(DiplocodeError) as e:
        coded.import_codebook(Codebook.model_validate(data))
    assert e.value.code == "E076" and "'ghost'" in str(e.value)
    # a changes: section naming a code the version still has is refused when loaded
    with pytest.raises(ValueError, match="still a code"):
        Codebook.model_validate({**data, "changes": {"deleted": ["partnership"]}})
    # an export imported back unchanged stores nothing new
    version_id, _ = coded.codebook()
    assert coded.import_codebook(loads(dumps(current.without_changes()))) == (version_id, False)
    with coded.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(code_map)).scalar() == 0


def test_delete_only_when_unused_and_editor_verbs(coded: Project) -> None:
    _review(coded)
    with pytest.raises(DiplocodeError) as e:
        edit.delete_code(coded, "scholarships", by="ana")
    assert e.value.code == "E077" and "2 coding" in str(e.value)
    edit.delete_code(coded, "unused", by="ana")
    _, book = coded.codebook()
    assert "unused" not in {c.key for c in book.codes()} and book.changes.deleted == ["unused"]
    edit.add_code(coded, "narrative", "solidarity", by="ana", label={"en": "Solidarity"})
    with pytest.raises(DiplocodeError) as e:
        edit.add_code(coded, "narrative", "solidarity", by="ana", label={"en": "Again"})
    assert e.value.code == "E078"
    edit.move_code(coded, "media", "narrative", by="ana")
    edit.rename_code(coded, "media", "broadcasting", by="ana")
    edit.delete_code(coded, "broadcasting", by="ana", into="partnership")
    _, book = coded.codebook()
    assert book.dimension_of()["solidarity"] == "narrative"
    assert "broadcasting" not in book.dimension_of() and book.changes.merged == {
        "broadcasting": "partnership"
    }
    # the accepted media suggestions followed the move, the rename and the merge
    assert _counts(coded) == {"scholarships": 2, "partnership": 3}
    assert edit.code_usages(coded)["partnership"] == 5  # and its 2 pending suggestions
    with pytest.raises(DiplocodeError) as e:
        edit.edit_code(coded, "partnership", by="ana", lexicon={"en": ["re:(unclosed"]})
    assert e.value.code == "E070"


def test_any_decision_can_be_undone(coded: Project) -> None:
    rows = _suggestions(coded)
    first, second, third = rows[0]["id"], rows[1]["id"], rows[2]["id"]
    coding.accept(coded, first, "ana")
    coding.reject(coded, second, "ana")
    original = rows[2]["code_id"]
    coding.change_code(coded, third, "partnership", "ana")
    for cid in (first, second, third):
        coding.reopen(coded, cid, "ana")
    after = {r["id"]: r for r in _suggestions(coded)}
    assert {after[c]["status"] for c in (first, second, third)} == {"suggested"}
    assert after[third]["code_id"] == original  # the code it was suggested with
    with pytest.raises(DiplocodeError) as e:  # nothing to undo
        coding.reopen(coded, first, "ana")
    assert e.value.code == "E060"
    with pytest.raises(DiplocodeError) as e:  # the status the reviewer saw has changed
        coding.accept(coded, first, "bob")
        coding.reopen(coded, first, "ana", expect="rejected")
    assert e.value.code == "E086"
    with coded.store.read() as conn:
        assert audit.verify(conn) == []
        kinds = [ev["kind"] for ev in audit.events(conn)]
    assert kinds.count("coding.reopened") == 3


def test_a_split_and_memos_that_follow_their_code(coded: Project) -> None:
    _review(coded)
    coding.write_memo(
        coded, "Стипендии: почти всегда программы КНР", "ana", code_key="scholarships"
    )
    coding.write_memo(coded, "bob's own note", "bob", code_key="scholarships")
    edit.rename_code(coded, "scholarships", "mobility", by="ana")
    edit.split_code(
        coded,
        "mobility",
        [
            {"key": "grants", "label": {"en": "Grants"}},
            {"key": "exchanges", "label": {"en": "Exchanges"}},
        ],
        by="ana",
    )
    _, book = coded.codebook()
    assert book.changes.split == {"mobility": ["grants", "exchanges"]}
    assert [c.key for c in book.dimensions[0].codes][:2] == ["grants", "exchanges"]
    # the accepted scholarship suggestions count as the first new code
    assert _counts(coded) == {"grants": 2, "media": 2, "partnership": 1}
    memos = edit.code_memos(coded)
    assert [m["text"] for m in memos["grants"]] == [
        "Стипендии: почти всегда программы КНР",
        "bob's own note",
    ]
    assert [m["author"] for m in edit.code_memos(coded, "ana", blind=True)["grants"]] == ["ana"]
    with pytest.raises(DiplocodeError) as e:
        edit.split_code(coded, "grants", [{"key": "only_one"}], by="ana")
    assert e.value.code == "E060"
