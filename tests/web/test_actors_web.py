"""The actors pages and the gazetteer API (#9): everyone reads, owners edit, an edit
re-attributes the codings behind the next comparison."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.engine import run_coder
from diplocode.project import Project
from diplocode.users import add_user
from diplocode.web.app import create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture
def project(db_url: str, tmp_path: Path) -> Iterator[Project]:
    proj = Project.init(db_url)
    path = tmp_path / "a.txt"
    path.write_text("The Fooland Institute awards scholarships to students.", encoding="utf-8")
    meta = SourceMeta(actors=(("Kazakhstan", "author"),), date=(2020, None, None))
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


def test_owner_names_an_actor_and_the_comparison_follows(project: Project) -> None:
    app = create_app(project, team=True)
    owner, csrf = _login(app, "owner")
    listing = owner.get("/actors")
    assert listing.status_code == 200 and 'href="/actors/china"' in listing.text
    page = owner.get("/actors/Қытай")  # any name finds the actor
    assert page.status_code == 200 and "Confucius" in page.text and "actor-name-add" in page.text
    before = owner.get("/api/compare", params={"include_suggested": "true"}).json()
    assert {c["actor"] for c in before["cells"]} == {"Kazakhstan"}
    added = owner.post(
        "/api/actors/japan/names",
        json={"name": "Fooland Institute", "lang": "en", "kind": "institution"},
        headers={"X-CSRF-Token": csrf},
    )
    assert added.status_code == 200 and added.json()["added"] is True
    after = owner.get("/api/compare", params={"include_suggested": "true"}).json()
    assert {c["actor"] for c in after["cells"]} == {"Japan"}
    names = owner.get("/api/actors/japan").json()["names"]
    assert {"lang": "en", "kind": "institution", "name": "Fooland Institute"} in names
    removed = owner.request(
        "DELETE",
        "/api/actors/japan/names",
        json={"name": "Fooland Institute", "lang": "en"},
        headers={"X-CSRF-Token": csrf},
    )
    assert removed.json()["removed"] == 1


def test_coders_read_but_do_not_edit_and_bad_names_are_coded(project: Project) -> None:
    app = create_app(project, team=True)
    coder, csrf = _login(app, "coder")
    assert coder.get("/actors/china").status_code == 200
    assert "actor-name-add" not in coder.get("/actors/china").text
    denied = coder.post(
        "/api/actors/china/names", json={"name": "X", "lang": "en"}, headers={"X-CSRF-Token": csrf}
    )
    assert denied.status_code == 403
    owner, ocsrf = _login(app, "owner")
    bad = owner.post(
        "/api/actors/china/names",
        json={"name": "a*b", "lang": "en"},
        headers={"X-CSRF-Token": ocsrf},
    )
    assert bad.status_code in (400, 422) and bad.json()["error"]["code"] == "E101"
    unknown = owner.get("/api/actors/Chnia")
    assert (
        unknown.status_code == 404
        and unknown.json()["error"]["code"] == "E103"
        and "China" in unknown.json()["error"]["fix"]
    )


def test_owner_adds_an_actor(project: Project) -> None:
    app = create_app(project, team=True)
    owner, csrf = _login(app, "owner")
    assert "actor-add" in owner.get("/actors").text
    made = owner.post(
        "/api/actors",
        json={"name": "Asian Development Bank", "kind": "organization"},
        headers={"X-CSRF-Token": csrf},
    )
    assert made.status_code == 200
    shown = owner.get("/api/actors/asian-development-bank").json()
    assert shown["actor"]["kind"] == "organization"
    assert {"lang": "en", "kind": "name", "name": "Asian Development Bank"} in shown["names"]
    again = owner.post(
        "/api/actors", json={"name": "Asian Development Bank"}, headers={"X-CSRF-Token": csrf}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "E102"
