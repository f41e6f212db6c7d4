"""The code-and-retrieve page, its API and downloads (issue #9): every role, blind coding,
the error shape, content types. Runs on SQLite and on PostgreSQL (``DIPLOCODE_TEST_DB``)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import docx
import pytest
from fastapi.testclient import TestClient

from diplocode.demo import build_demo_project, code_demo_project
from diplocode.project import Project
from diplocode.users import add_user
from diplocode.web.app import create_app

PASSWORD = "correct horse battery staple"
ROLES = ("owner", "coder", "viewer")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WANTED = {"code": "students", "include_suggested": "true"}


@pytest.fixture
def demo(db_url: str) -> Iterator[Project]:
    """The coded demo project with one user per role and a second coder."""
    project, results = build_demo_project(db_url)
    assert all(r.status == "added" for r in results)
    code_demo_project(project)
    for role in ROLES:
        add_user(project, role, PASSWORD, role)
    add_user(project, "coder2", PASSWORD, "coder")
    try:
        yield project
    finally:
        project.close()


@pytest.fixture
def app(demo: Project):
    return create_app(demo, team=True)


def login(app, username: str) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert r.status_code == 303, r.text
    return client, client.get("/api/me").json()["csrf"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_page_the_api_and_the_downloads(app, role: str) -> None:
    client, _ = login(app, role)
    page = client.get("/retrieve", params=WANTED)
    assert page.status_code == 200
    assert 'href="/retrieve"' in page.text and 'aria-current="page"' in page.text
    links = re.findall(r'href="/sources/(\d+)#coding-(\d+)"', page.text)
    assert links, "each passage links to its place in its source"
    assert "Includes machine suggestions nobody has reviewed." in page.text
    assert 'href="/retrieve.csv?code=students&amp;include_suggested=true"' in page.text
    api = client.get("/api/retrieve", params=WANTED).json()
    assert api["ok"] and api["total"] == len(api["passages"]) > 0
    assert api["include_suggested"] and api["statuses"] == ["final", "accepted", "suggested"]
    first = api["passages"][0]
    assert first["link"] == f"/sources/{first['source_id']}#coding-{first['coding_id']}"
    assert {"citation", "before", "after", "coder", "status", "date", "page"} <= set(first)
    assert str(first["coding_id"]) in {c for _, c in links}
    got = client.get("/retrieve.csv", params=WANTED)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [int(r["coding_id"]) for r in rows] == [p["coding_id"] for p in api["passages"]]
    got = client.get("/retrieve.docx", params=WANTED)
    assert got.status_code == 200 and got.headers["content-type"] == DOCX
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs)
    assert first["citation"] in text and api["note"] in text


def test_anonymous_requests_need_a_login(app) -> None:
    client = TestClient(app, follow_redirects=False)
    assert client.get("/api/retrieve", params=WANTED).status_code == 401
    for path in ("/retrieve", "/retrieve.csv", "/retrieve.docx"):
        r = client.get(path, params=WANTED)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_blind_coding_holds_in_the_page_the_api_and_the_downloads(app) -> None:
    owner, o_csrf = login(app, "owner")
    alice, a_csrf = login(app, "coder")
    bob, _ = login(app, "coder2")
    blind = {"X-CSRF-Token": o_csrf}
    assert owner.post("/api/settings", json={"blind_coding": True}, headers=blind).json()["ok"]
    try:
        cid = alice.post(
            "/api/codings",
            json={"source_id": 4, "start": 0, "end": 20, "code": "trust"},
            headers={"X-CSRF-Token": a_csrf},
        ).json()["coding_id"]

        def seen(client: TestClient) -> set[int]:
            body = client.get("/api/retrieve", params={"code": "trust"}).json()
            return {p["coding_id"] for p in body["passages"]}

        assert cid in seen(alice) and cid in seen(owner) and cid not in seen(bob)
        assert client_blind(bob) and not client_blind(owner)
        assert f"coding-{cid}" not in bob.get("/retrieve", params={"code": "trust"}).text
        assert f"coding-{cid}" in alice.get("/retrieve", params={"code": "trust"}).text
        rows = csv.DictReader(io.StringIO(bob.get("/retrieve.csv?code=trust").text))
        assert cid not in {int(r["coding_id"]) for r in rows}
        assert "Blind coding" in bob.get("/retrieve", params={"code": "trust"}).text
    finally:
        owner.post("/api/settings", json={"blind_coding": False}, headers=blind)
    assert cid in seen(bob)


def client_blind(client: TestClient) -> bool:
    return bool(client.get("/api/retrieve", params={"code": "trust"}).json()["blind"])


def test_errors_have_the_one_shape_in_the_request_language(app) -> None:
    client, _ = login(app, "viewer")
    r = client.get("/api/retrieve", params={"code": "scholarship"})
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and set(body["error"]) == {
        "code",
        "what",
        "fix",
        "what_local",
        "fix_local",
    }
    assert body["error"]["code"] == "E210" and "scholarships_mobility" in body["error"]["what"]
    r = client.get("/api/retrieve", params={"code": "qq"}, headers={"Accept-Language": "ru"})
    assert r.json()["error"]["code"] == "E211"
    assert "нет кода" in r.json()["error"]["what_local"]
    assert client.get("/api/retrieve").json()["error"]["code"] == "E213"
    r = client.get("/api/retrieve", params={"code": "trust", "year_from": "soon"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "E060"  # a filter's value
    page = client.get("/retrieve", params={"code": "scholarship"})
    assert page.status_code == 400 and "E210" in page.text
    assert client.get("/retrieve.csv").status_code == 400  # no code: E213, not an empty file


def test_page_filters_pages_and_kazakh(app) -> None:
    client, _ = login(app, "viewer")
    empty = client.get("/retrieve")
    assert empty.status_code == 200 and '<optgroup label="' in empty.text
    assert 'value="dim:channel"' in empty.text and 'value="scholarships_mobility"' in empty.text
    wide = {"code": "dim:channel", "include_suggested": "true"}
    first = client.get("/retrieve", params=wide).text
    total = client.get("/api/retrieve", params=wide).json()["total"]
    assert total > 50 and "page_no=2" in first
    second = client.get("/retrieve", params={**wide, "page_no": "2"}).text
    assert 'start="51"' in second
    china = client.get(
        "/api/retrieve", params={**wide, "actor": "China", "year_from": "2020", "group": "official"}
    ).json()
    assert china["passages"] and all(p["date"] >= "2020" for p in china["passages"])
    assert all("China" in [a for a, _ in p["actors"]] for p in china["passages"])
    assert "filters: actor China, group official, from 2020" in china["note"]
    client.cookies.set("dc_lang", "kk")
    kk = client.get("/retrieve", params=wide).text
    assert "Іріктеу" in kk and "Кодталған үзінділер" in kk
    assert "Шәкіртақылар" in kk or "шәкіртақы" in kk.lower()
