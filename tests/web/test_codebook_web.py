"""The web codebook editor (#10): owners add, rename, move, merge and delete codes and edit
lexicons, each a new version; human work keeps counting on the Compare page; decisions
are undone from the API; coders cannot edit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.engine import run_coder
from diplocode.project import Project
from diplocode.store.schema import codings
from diplocode.users import add_user
from diplocode.web.app import create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture
def project(db_url: str, tmp_path: Path) -> Iterator[Project]:
    proj = Project.init(db_url)
    path = tmp_path / "a.txt"
    path.write_text(
        "China awards scholarships to Kazakh students. Confucius Institutes teach Chinese.",
        encoding="utf-8",
    )
    meta = SourceMeta(actors=(("China", "author"),), date=(2020, None, None))
    list(ingest(proj.store, [IngestItem(path, meta)], languages=proj.languages))
    version_id, codebook = proj.codebook()
    run_coder(proj.store, LexiconCoder(codebook), version_id)
    for role in ("owner", "coder"):
        add_user(proj, role, PASSWORD, role)
    try:
        yield proj
    finally:
        proj.close()


def _login(app, username: str) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert r.status_code == 303
    return client, client.get("/api/me").json()["csrf"]


def _cells(client: TestClient, **params) -> dict[str, int]:
    body = client.get(
        "/api/compare", params={"actor_role": "author", "table": "crosstab", **params}
    ).json()
    assert body["ok"], body
    out: dict[str, int] = {}
    for row in body["rows"]:
        out[row["code"]] = out.get(row["code"], 0) + int(row["count"])
    return out


def test_editor_verbs_keep_human_work_counting(project: Project) -> None:
    app = create_app(project, team=True)
    owner, csrf = _login(app, "owner")
    headers = {"X-CSRF-Token": csrf}
    with project.store.read() as conn:
        ids = list(conn.execute(select(codings.c.id).order_by(codings.c.id)).scalars())
    for cid in ids:  # the owner accepts every suggestion
        assert owner.post(f"/api/codings/{cid}/accept", json={}, headers=headers).json()["ok"]
    before = _cells(owner)
    assert before and sum(before.values()) >= 2
    key = sorted(before)[0]
    # a label and a lexicon edit
    r = owner.post(
        f"/api/codebook/codes/{key}",
        json={"label": {"kk": "Жаңа атау"}, "lexicon": {"en": ["scholarship*", "grant*"]}},
        headers=headers,
    )
    assert r.json()["ok"], r.text
    page = owner.get("/codebook")
    assert page.status_code == 200 and "Жаңа атау" in page.text and "grant*" in page.text
    assert 'name="version"' in page.text and "code-action" in page.text
    # rename, then merge another code into it
    r = owner.post(
        f"/api/codebook/codes/{key}/rename", json={"new_key": "renamed_code"}, headers=headers
    )
    assert r.json()["ok"], r.text
    other = sorted(before)[1] if len(before) > 1 else None
    if other:
        r = owner.post(
            f"/api/codebook/codes/{other}/merge", json={"into": "renamed_code"}, headers=headers
        )
        assert r.json()["ok"], r.text
    after = _cells(owner)
    assert sum(after.values()) == sum(before.values())
    assert after["renamed_code"] == before[key] + (before[other] if other else 0)
    # the first version, chosen explicitly, counts as it did
    assert _cells(owner, codebook="1") == before
    compare = owner.get("/compare", params={"codebook": "1"})
    assert compare.status_code == 200 and "(#1)" in compare.text
    # an older version is shown read-only
    old = owner.get("/codebook", params={"version": "1"})
    assert old.status_code == 200 and "code-action" not in old.text
    # a used code cannot be deleted; errors are coded
    r = owner.delete("/api/codebook/codes/renamed_code", headers=headers)
    assert r.status_code >= 400 and r.json()["error"]["code"] == "E077"
    r = owner.post(
        "/api/codebook/codes",
        json={"dimension": "no_such", "key": "x_y", "label": {"en": "X"}},
        headers=headers,
    )
    assert r.json()["error"]["code"] == "E079"
    r = owner.post(
        "/api/codebook/codes",
        json={
            "dimension": "channel",
            "key": "digital_silk_road",
            "label": {"en": "Digital Silk Road"},
        },
        headers=headers,
    )
    assert r.json()["ok"], r.text
    r = owner.delete("/api/codebook/codes/digital_silk_road", headers=headers)
    assert r.json()["ok"], r.text
    # undo a decision
    r = owner.post(f"/api/codings/{ids[0]}/reopen", json={"expect": "accepted"}, headers=headers)
    assert r.json()["ok"] and r.json()["status"] == "suggested"
    r = owner.post(f"/api/codings/{ids[0]}/reopen", json={}, headers=headers)
    assert r.json()["error"]["code"] == "E060"
    # a coder reads the codebook but cannot edit it
    coder, ccsrf = _login(app, "coder")
    assert coder.get("/codebook").status_code == 200
    r = coder.post(
        "/api/codebook/codes/renamed_code/rename",
        json={"new_key": "z"},
        headers={"X-CSRF-Token": ccsrf},
    )
    assert r.status_code == 403


def test_decided_items_are_listed_and_undone_from_the_queue(project: Project) -> None:
    app = create_app(project, team=True)
    owner, csrf = _login(app, "owner")
    headers = {"X-CSRF-Token": csrf}
    with project.store.read() as conn:
        first = conn.execute(select(codings.c.id).order_by(codings.c.id)).scalars().first()
    assert owner.post(f"/api/codings/{first}/reject", json={}, headers=headers).json()["ok"]
    open_items = owner.get("/api/review").json()
    assert first not in {i["id"] for i in open_items["items"]}
    decided = owner.get("/api/review", params={"status": "decided"}).json()
    assert [i["id"] for i in decided["items"]] == [first] and decided["progress"]["rejected"] == 1
    page = owner.get("/review", params={"status": "rejected"})
    assert page.status_code == 200 and 'class="reopen"' in page.text
    bad = owner.get("/api/review", params={"status": "gone"})
    assert bad.status_code == 422 and "E060" in bad.text
    assert owner.post(
        f"/api/codings/{first}/reopen", json={"expect": "rejected"}, headers=headers
    ).json()["ok"]
    assert first in {i["id"] for i in owner.get("/api/review").json()["items"]}


def test_attributes_on_the_corpus_page_and_versions_on_compare(project: Project) -> None:
    from diplocode.corpus.edit import edit_source

    edit_source(project, 1, "owner", attributes={"outlet": "Xinhua"})
    app = create_app(project, team=True)
    owner, _csrf = _login(app, "owner")
    page = owner.get("/", params={"attr": "outlet=Xinhua"})
    assert page.status_code == 200 and "Xinhua" in page.text and 'href="/sources/1"' in page.text
    none = owner.get("/", params={"attr": "outlet=TASS"})
    assert 'href="/sources/1"' not in none.text
    bad = owner.get("/api/sources", params={"attr": "nokey"})
    assert bad.status_code == 422 and "KEY=VALUE" in bad.text
    compare = owner.get("/compare", params={"include_suggested": "true"})
    assert compare.status_code == 200 and 'name="codebook"' in compare.text
    source = owner.get("/sources/1")
    assert "source-edit-form" in source.text and "source-delete-form" in source.text
    coder, _ = _login(app, "coder")
    assert "source-delete-form" not in coder.get("/sources/1").text


def test_project_memos_are_written_edited_and_deleted_by_their_author(project: Project) -> None:
    app = create_app(project, team=True)
    owner, csrf = _login(app, "owner")
    coder, ccsrf = _login(app, "coder")
    r = owner.post(
        "/api/memos", json={"text": "Жоба туралы: кезең 2013–2024"}, headers={"X-CSRF-Token": csrf}
    )
    memo_id = r.json()["memo_id"]
    page = owner.get("/memos")
    assert page.status_code == 200 and "Жоба туралы" in page.text and "memo-edit" in page.text
    assert "memo-edit" not in coder.get("/memos").text  # not the coder's memo
    r = coder.patch(
        f"/api/memos/{memo_id}", json={"text": "mine now"}, headers={"X-CSRF-Token": ccsrf}
    )
    assert r.json()["error"]["code"] == "E091"
    r = owner.patch(
        f"/api/memos/{memo_id}",
        json={"text": "Жоба туралы: кезең 2013–2025"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.json()["ok"]
    assert "2013–2025" in owner.get("/memos").text
    assert owner.delete(f"/api/memos/{memo_id}", headers={"X-CSRF-Token": csrf}).json()["ok"]
    assert "2013–2025" not in owner.get("/memos").text
