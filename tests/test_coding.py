"""Human coding operations: each is one transaction with its audit event, and verify holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from diplocode import audit, coding
from diplocode.codebook.io import load_builtin
from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.engine import run_coder
from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.store.codings import get_coding
from diplocode.store.schema import codings

TEXT = "The United States supports the sovereignty of Central Asian states. Scholarships build networks."


@pytest.fixture
def coded(project: Project, tmp_path: Path) -> Project:
    path = tmp_path / "us.txt"
    path.write_text(TEXT, encoding="utf-8")
    list(ingest(project.store, [IngestItem(path)], languages=project.languages))
    version_id, codebook = project.codebook()
    run_coder(project.store, LexiconCoder(codebook), version_id)
    return project


def _suggestion(project: Project, key: str) -> int:
    with project.store.read() as conn:
        rows = conn.execute(
            text("SELECT c.id FROM codings c JOIN codes k ON k.id = c.code_id WHERE k.key = :k"),
            {"k": key},
        ).all()
    return rows[0][0]


def test_accept_reject_change_delete_create(coded: Project) -> None:
    sovereignty = _suggestion(coded, "sovereignty_support")
    scholarships = _suggestion(coded, "scholarships_mobility")
    coding.accept(coded, sovereignty, "aigerim", note="clear statement")
    coding.reject(coded, scholarships, "aigerim")
    with coded.store.read() as conn:
        assert get_coding(conn, sovereignty)["status"] == "accepted"
        assert get_coding(conn, scholarships)["status"] == "rejected"
    coding.change_code(coded, scholarships, "network_formation", "aigerim", note="about networks")
    with coded.store.read() as conn:
        changed = get_coding(conn, scholarships)
    assert changed["code_key"] == "network_formation" and changed["status"] == "final"
    start = TEXT.index("Scholarships")
    mine = coding.create(
        coded,
        1,
        start,
        start + len("Scholarships"),
        "scholarships_mobility",
        "aigerim",
        memo="typical US instrument",
    )
    coding.write_memo(
        coded,
        "Compare with China's scholarships.",
        "aigerim",
        coding_id=mine,
        code_key="scholarships_mobility",
    )
    coding.delete(coded, sovereignty, "aigerim", reason="duplicate")
    with coded.store.read() as conn:
        assert audit.verify(conn) == []
        kinds = [e["kind"] for e in audit.events(conn)]
        assert conn.execute(select(codings.c.id).where(codings.c.id == sovereignty)).first() is None
    for kind in (
        "coding.accepted",
        "coding.rejected",
        "coding.changed",
        "coding.created",
        "memo.written",
        "coding.deleted",
    ):
        assert kind in kinds
    with coded.store.read() as conn:
        [deleted] = list(audit.events(conn, kind="coding.deleted"))
    assert (
        deleted["payload"]["coding"]["status"] == "accepted"
        and deleted["payload"]["reason"] == "duplicate"
    )


def test_a_status_edited_behind_the_logs_back_is_caught(coded: Project) -> None:
    sovereignty = _suggestion(coded, "sovereignty_support")
    coding.accept(coded, sovereignty, "aigerim")
    with coded.store.begin() as conn:
        conn.execute(text(f"UPDATE codings SET status = 'rejected' WHERE id = {sovereignty}"))
    with coded.store.read() as conn:
        problems = audit.verify(conn)
    assert any(f"coding #{sovereignty}" in p.what for p in problems)


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda p: coding.create(p, 1, 5, 2, "sovereignty_support", "x"), "start/end"),
        (lambda p: coding.create(p, 1, 0, 5, "no_such_code", "x"), "code"),
        (lambda p: coding.accept(p, 999, "x"), "coding"),
        (lambda p: coding.write_memo(p, "  ", "x"), "text"),
    ],
)
def test_bad_requests_are_coded_and_change_nothing(coded: Project, call, param: str) -> None:
    with coded.store.read() as conn:
        before = len(list(audit.events(conn)))
    with pytest.raises(DiplocodeError) as info:
        call(coded)
    assert info.value.code == "E060" and param in str(info.value)
    with coded.store.read() as conn:
        assert len(list(audit.events(conn))) == before


def test_builtin_codebook_has_the_framework() -> None:
    codebook = load_builtin("cultural-diplomacy")
    dims = {d.key: [c.key for c in d.codes] for d in codebook.dimensions}
    assert list(dims) == ["legitimacy", "channel", "audience", "effect", "assessment", "agency"]
    assert (
        len(dims["legitimacy"]) == 10
        and len(dims["channel"]) == 12
        and "constraint.reputation" in dims["assessment"]
    )
    for code in codebook.codes():
        assert set(code.label) == {"en", "ru", "kk"} and set(code.definition) == {"en", "ru", "kk"}
        assert code.include and code.exclude and code.examples
        for lang in ("en", "ru", "kk", "zh"):
            assert len(code.lexicon.get(lang, [])) >= 8, (code.key, lang)
    per_lang = {
        lang: sum(len(c.lexicon[lang]) for c in codebook.codes()) / len(list(codebook.codes()))
        for lang in ("en", "ru", "kk", "zh")
    }
    assert min(per_lang.values()) >= 8


def test_builtin_examples_fire_their_own_code() -> None:
    codebook = load_builtin("cultural-diplomacy")
    coder = LexiconCoder(codebook).fit()
    from diplocode.coders import Segment

    misses = []
    for code in codebook.codes():
        for ex in code.examples:
            found = {
                s.code for s in coder.predict([Segment(None, 0, 0, len(ex.text), ex.lang, ex.text)])
            }
            if code.key not in found:
                misses.append((code.key, ex.lang, ex.text))
    assert not misses, misses[:5]
