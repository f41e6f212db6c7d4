"""The lexicon coder end to end: suggestions with evidence and provenance, idempotent runs,
new codebook versions, and tampering with codings caught by the audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from diplocode import audit
from diplocode.codebook.io import loads
from diplocode.coders import LexiconCoder, Segment, get
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.engine import run_coder
from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.store.schema import audit_events, coders, codes, codings

BOOK = """\
name: mini
version: "1"
dimensions:
  - key: channel
    label: {en: Channel}
    codes:
      - key: scholarships_mobility
        label: {en: Scholarships}
        lexicon:
          en: [scholarship, student exchange]
          ru: [стипендия, обмен студентами]
          zh: [奖学金]
      - key: language_programs
        label: {en: Language programs}
        lexicon:
          en: [confucius institute]
          ru: [институт конфуция, русский язык]
          zh: [孔子学院]
"""

EN = "China offers scholarships to students from Kazakhstan. Confucius Institutes teach Chinese. The weather was fine."
RU = "Россия выделяет стипендии и квоты. Русский язык остаётся языком межнационального общения."
ZH = "中方将提供更多奖学金名额。孔子学院在中亚不断发展。"


@pytest.fixture
def coded(db_url: str, tmp_path: Path):
    project = Project.init(db_url, codebook=loads(BOOK))
    for name, body in (("en.txt", EN), ("ru.txt", RU), ("zh.txt", ZH)):
        (tmp_path / name).write_text(body, encoding="utf-8")
    list(
        ingest(
            project.store,
            [
                IngestItem(tmp_path / n, SourceMeta(actors=(("China", "author"),)))
                for n in ("en.txt", "ru.txt", "zh.txt")
            ],
            languages=project.languages,
        )
    )
    yield project
    project.close()


def _run(project: Project, book_text: str = BOOK):
    version_id, cb = project.codebook()
    return run_coder(project.store, LexiconCoder(cb), version_id, who="tester")


def _count(project: Project, table) -> int:
    with project.store.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_suggestions_carry_evidence_and_provenance(coded: Project) -> None:
    summary = _run(coded)
    assert summary.sources_coded == 3 and summary.suggestions == 6
    with coded.store.read() as conn:
        rows = (
            conn.execute(
                text(
                    "SELECT c.*, k.key FROM codings c JOIN codes k ON k.id = c.code_id ORDER BY c.id"
                )
            )
            .mappings()
            .all()
        )
        coder = conn.execute(select(coders)).mappings().one()
        source_text = {r.id: r.text for r in conn.execute(text("SELECT id, text FROM sources"))}
    assert {r["status"] for r in rows} == {"suggested"}
    en_scholar = next(
        r for r in rows if r["key"] == "scholarships_mobility" and r["source_id"] == 1
    )
    evidence = (
        en_scholar["evidence"]
        if isinstance(en_scholar["evidence"], dict)
        else __import__("json").loads(en_scholar["evidence"])
    )
    [hit] = evidence["matches"]
    assert hit["entry"] == "scholarship" and hit["surface"] == "scholarships"
    assert source_text[1][hit["start"] : hit["end"]] == "scholarships"
    assert (
        source_text[1][en_scholar["start"] : en_scholar["end"]]
        == "China offers scholarships to students from Kazakhstan."
    )
    assert en_scholar["score"] == pytest.approx(0.5)
    assert coder["name"] == "diplocode.lexicon.v1" and coder["kind"] == "lexicon"
    params = (
        coder["params"]
        if isinstance(coder["params"], dict)
        else __import__("json").loads(coder["params"])
    )
    assert params["codebook_hash"] == coded.codebook()[1].content_hash()
    assert params["normal_forms"]["ru"].startswith("pymorphy3")
    keys_by_source = {(r["source_id"], r["key"]) for r in rows}
    assert keys_by_source == {
        (s, k) for s in (1, 2, 3) for k in ("scholarships_mobility", "language_programs")
    }


def test_running_twice_adds_nothing(coded: Project) -> None:
    _run(coded)
    before = (_count(coded, codings), _count(coded, audit_events), _count(coded, coders))
    again = _run(coded)
    assert again.sources_coded == 0 and again.sources_skipped == 3 and again.suggestions == 0
    assert (_count(coded, codings), _count(coded, audit_events), _count(coded, coders)) == before


def test_a_new_codebook_version_is_a_new_run(coded: Project) -> None:
    _run(coded)
    n = _count(coded, codings)
    coded.import_codebook(
        loads(
            BOOK.replace('version: "1"', 'version: "2"').replace(
                "[scholarship, student exchange]", "[scholarship, student exchange, chinese]"
            )
        )
    )
    second = _run(coded)
    assert second.sources_coded == 3 and _count(coded, coders) == 2
    # the new version's run suggests only what is new (#10): the n spans and codes of the
    # first run are there already, under version 1, and count under version 2
    assert second.already_there == n and second.suggestions == 7 - n > 0
    assert _count(coded, codings) == n + second.suggestions
    with coded.store.read() as conn:
        new_keys = {
            k
            for (k,) in conn.execute(
                select(codes.c.key)
                .join(codings, codings.c.code_id == codes.c.id)
                .where(codings.c.coder_id == second.coder_id)
            )
        }
    assert new_keys == {"scholarships_mobility"}


def test_the_audit_trail_vouches_for_every_suggestion(coded: Project) -> None:
    _run(coded)
    with coded.store.read() as conn:
        assert audit.verify(conn) == []
        kinds = [e["kind"] for e in audit.events(conn)]
    assert (
        kinds.count("codings.suggested") == 3
        and kinds.count("coder.run") == 1
        and kinds.count("codebook.imported") == 1
    )


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("UPDATE codings SET status = 'final' WHERE id = 2", "edited outside"),
        ("UPDATE codings SET score = 0.99 WHERE id = 3", "edited outside"),
        ("DELETE FROM codings WHERE id = 1", "never deleted through diplocode"),
        (
            'INSERT INTO codings (source_id, start, "end", code_id, codebook_version_id, coder_id, status, score, evidence, created_at, created_by) '
            "VALUES (1, 0, 5, 1, 1, 1, 'final', 1.0, '{}', '2026', 'mallory')",
            "no audit event",
        ),
    ],
)
def test_tampering_with_codings_is_caught(coded: Project, sql: str, words: str) -> None:
    _run(coded)
    with coded.store.begin() as conn:
        conn.execute(text(sql))
    with coded.store.read() as conn:
        problems = audit.verify(conn)
    assert problems and any(words in p.what for p in problems), problems


def test_coder_contract() -> None:
    cb = loads(BOOK)
    coder = LexiconCoder(cb, unit="sentence")
    assert not hasattr(coder, "lexicons_")  # __init__ stores parameters only
    assert coder.fit() is coder and hasattr(coder, "lexicons_")
    assert coder.get_params()["unit"] == "sentence"
    with pytest.raises(DiplocodeError) as info:
        LexiconCoder(cb, unit="page").fit()
    assert info.value.code == "E060" and "sentence" in str(info.value)
    assert get("lexicon") is LexiconCoder and get("diplocode.lexicon.v1") is LexiconCoder
    with pytest.raises(DiplocodeError):
        get("nonsense")
    seg = Segment(None, 1, 10, 30, "xx", "nothing to see")
    assert coder.predict([seg]) == []
