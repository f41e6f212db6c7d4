"""The hash-chained audit log: appends, verification, and tampering of every kind."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import text

from diplocode import audit
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.project import Project


@pytest.fixture
def project(db_url: str):
    """A project without a codebook or gazetteer, so the log holds only the events a test
    writes."""
    proj = Project.init(db_url, codebook=None, gazetteer=None)
    yield proj
    proj.close()


def _events(project: Project, n: int) -> None:
    with project.store.begin() as conn:
        for i in range(n):
            audit.append(
                conn, "test.event", "alice", {"i": i, "note": "ә"}, source_id=None, code_key=f"c{i}"
            )


def _tamper(project: Project, sql: str) -> None:
    with project.store.begin() as conn:
        conn.execute(text(sql))


def _problems(project: Project) -> list[audit.Problem]:
    with project.store.read() as conn:
        return audit.verify(conn)


def test_an_untouched_log_verifies(project: Project) -> None:
    _events(project, 5)
    assert _problems(project) == []
    with project.store.read() as conn:
        events = list(audit.events(conn))
    assert [e["payload"]["i"] for e in events] == [0, 1, 2, 3, 4]
    assert events[0]["prev_hash"] == audit.GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))


def test_an_edited_event_is_named(project: Project) -> None:
    _events(project, 5)
    _tamper(project, "UPDATE audit_events SET payload = replace(payload, 'ә', 'a') WHERE id = 3")
    problems = _problems(project)
    assert problems and problems[0].event_id == 3
    assert "edited" in problems[0].what


def test_a_deleted_event_is_named(project: Project) -> None:
    _events(project, 5)
    _tamper(project, "DELETE FROM audit_events WHERE id = 2")
    problems = _problems(project)
    assert problems[0].event_id == 3
    assert "link" in problems[0].what


def test_reordered_events_are_caught(project: Project) -> None:
    _events(project, 4)
    # swap the contents of events 2 and 3 (ids stay, order of content changes)
    _tamper(project, "UPDATE audit_events SET id = 100 WHERE id = 2")
    _tamper(project, "UPDATE audit_events SET id = 2 WHERE id = 3")
    _tamper(project, "UPDATE audit_events SET id = 3 WHERE id = 100")
    problems = _problems(project)
    assert problems and problems[0].event_id == 2


def test_events_cut_from_the_end_are_caught(project: Project) -> None:
    _events(project, 4)
    _tamper(project, "DELETE FROM audit_events WHERE id = 4")
    problems = _problems(project)
    assert any("head" in p.what for p in problems)


def test_a_source_whose_text_was_edited_is_caught(project: Project, tmp_path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(
        "The Silk Road Economic Belt was announced in Astana in September 2013.\n", encoding="utf-8"
    )
    [result] = ingest(project.store, [IngestItem(doc, SourceMeta())], languages=project.languages)
    assert result.status == "added"
    assert _problems(project) == []
    _tamper(
        project,
        f"UPDATE sources SET text = 'Something else entirely.' WHERE id = {result.source_id}",
    )
    problems = _problems(project)
    assert any(f"source #{result.source_id}" in p.what for p in problems)


@pytest.mark.parametrize("n", [1, 3])
def test_the_chain_head_tracks_the_last_event(project: Project, n: int) -> None:
    _events(project, n)
    with project.store.read() as conn:
        head = conn.execute(text("SELECT last_id, last_hash FROM audit_head")).one()
        last = conn.execute(
            text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
        ).one()
    assert tuple(head) == tuple(last)
