"""The workbench's routes through FastAPI's TestClient: roles on every route, CSRF,
sessions, login throttling, the error shape, blind coding, review conflicts, uploads,
escaping and concurrency. Runs on SQLite and on PostgreSQL (``DIPLOCODE_TEST_DB``)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from diplocode import audit
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.demo import build_demo_project, code_demo_project
from diplocode.project import Project
from diplocode.store.schema import codings
from diplocode.users import add_user
from diplocode.web import app as web_app
from diplocode.web.app import create_app

PASSWORD = "correct horse battery staple"
ROLES = ("owner", "coder", "viewer")


@pytest.fixture
def demo(db_url: str) -> Iterator[Project]:
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


def login(app, username: str) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert r.status_code == 303, r.text
    assert "dc_session" in r.cookies or "dc_session" in client.cookies
    me = client.get("/api/me").json()
    assert me["ok"] and me["user"]["username"] == username
    return client, me["csrf"]


def first_suggestion(project: Project) -> int:
    with project.store.read() as conn:
        return int(
            conn.execute(
                select(func.min(codings.c.id)).where(codings.c.status == "suggested")
            ).scalar_one()
        )


# -- every route, every role ---------------------------------------------------------------------
#: (method, path) -> the action it needs; "public" needs none. A new route must be added
#: here, or test_every_route_is_classified fails.
ROUTE_ACTIONS = {
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("GET", "/lang/{code}"): "public",
    ("POST", "/logout"): "read",
    ("GET", "/"): "read",
    ("GET", "/api/sources"): "read",
    ("POST", "/upload"): "upload",
    ("POST", "/api/upload"): "upload",
    ("GET", "/sources/{source_id}"): "read",
    ("GET", "/api/sources/{source_id}"): "read",
    ("POST", "/api/codings"): "code",
    ("POST", "/api/codings/{coding_id}/accept"): "review",
    ("POST", "/api/codings/{coding_id}/reject"): "review",
    ("POST", "/api/codings/{coding_id}/code"): "code",
    ("DELETE", "/api/codings/{coding_id}"): "code",
    ("POST", "/api/memos"): "memo",
    ("GET", "/memos"): "read",
    ("PATCH", "/api/memos/{memo_id}"): "memo",
    ("DELETE", "/api/memos/{memo_id}"): "memo",
    ("PATCH", "/api/sources/{source_id}"): "edit_source",
    ("DELETE", "/api/sources/{source_id}"): "delete_source",
    ("GET", "/review"): "read",
    ("GET", "/api/review"): "read",
    ("GET", "/codebook"): "read",
    ("GET", "/api/codebook"): "read",
    ("POST", "/api/codebook/codes/{code_key}"): "edit_codebook",
    ("POST", "/api/codebook/codes"): "edit_codebook",
    ("POST", "/api/codebook/codes/{code_key}/rename"): "edit_codebook",
    ("POST", "/api/codebook/codes/{code_key}/move"): "edit_codebook",
    ("POST", "/api/codebook/codes/{code_key}/merge"): "edit_codebook",
    ("POST", "/api/codebook/codes/{code_key}/split"): "edit_codebook",
    ("DELETE", "/api/codebook/codes/{code_key}"): "edit_codebook",
    ("POST", "/api/codings/{coding_id}/reopen"): "review",
    ("GET", "/actors"): "read",
    ("GET", "/api/actors"): "read",
    ("POST", "/api/actors"): "edit_codebook",
    ("GET", "/actors/{actor_key}"): "read",
    ("GET", "/api/actors/{actor_key}"): "read",
    ("POST", "/api/actors/{actor_key}/names"): "edit_codebook",
    ("DELETE", "/api/actors/{actor_key}/names"): "edit_codebook",
    ("GET", "/compare"): "read",
    ("GET", "/api/compare"): "read",
    ("GET", "/retrieve"): "read",
    ("GET", "/api/retrieve"): "read",
    ("GET", "/retrieve.csv"): "read",
    ("GET", "/retrieve.docx"): "read",
    ("GET", "/audit"): "read",
    ("GET", "/api/audit"): "read",
    ("GET", "/api/audit/verify"): "read",
    ("GET", "/settings"): "settings",
    ("POST", "/api/settings"): "settings",
    ("GET", "/api/me"): "read",
}
ALLOWED = {
    "read": {"owner", "coder", "viewer"},
    "code": {"owner", "coder"},
    "review": {"owner", "coder"},
    "memo": {"owner", "coder"},
    "upload": {"owner", "coder"},
    "edit_source": {"owner", "coder"},
    "delete_source": {"owner"},
    "edit_codebook": {"owner"},
    "settings": {"owner"},
}


def _routes(app) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in route.methods:
                out.append((method, route.path))
    return out


def test_every_route_is_classified(demo: Project) -> None:
    app = create_app(demo, team=True)
    assert set(_routes(app)) == set(ROUTE_ACTIONS), "classify new routes in ROUTE_ACTIONS"


def _request(client: TestClient, method: str, path: str, csrf: str | None, ids: dict) -> int:
    url = path.format(**ids)
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    body: dict = {
        "POST /api/codings": {"source_id": 1, "start": 0, "end": 5, "code": ids["code_key"]},
        "POST /api/codings/{coding_id}/code": {"code": ids["code_key"]},
        "POST /api/memos": {"text": "a memo", "source_id": 1},
        "POST /api/codebook/codes/{code_key}": {"definition": {"en": "Edited."}},
        "POST /api/settings": {"blind_coding": False},
        "POST /api/actors/{actor_key}/names": {"name": "Поднебесная", "lang": "ru"},
        "POST /api/actors": {"name": "Asian Development Bank", "kind": "organization"},
        "DELETE /api/actors/{actor_key}/names": {"name": "Поднебесная", "lang": "ru"},
    }.get(f"{method} {path}", {})
    if path in ("/upload", "/api/upload"):
        files = {"files": ("note.txt", b"A short text about cultural diplomacy in Astana.")}
        data = {"csrf_token": csrf} if csrf else {}
        return client.post(url, files=files, data=data).status_code
    if path == "/logout":
        return client.post(url, data={"csrf_token": csrf or ""}).status_code
    if path == "/login" and method == "POST":
        return client.post(url, data={"username": "x", "password": "y"}).status_code
    return client.request(
        method, url, json=body if method != "GET" else None, headers=headers
    ).status_code


@pytest.mark.parametrize("role", [*ROLES, None])
def test_roles_are_enforced_on_every_route(demo: Project, role: str | None) -> None:
    app = create_app(demo, team=True)
    _, codebook = demo.codebook()
    code_key = next(iter(codebook.codes())).key
    if role is None:
        client, csrf = TestClient(app, follow_redirects=False), None
    else:
        client, csrf = login(app, role)
    for (method, path), action in ROUTE_ACTIONS.items():
        if path == "/logout":
            continue  # ends the session; checked in its own test
        ids = {
            "source_id": 1,
            "coding_id": first_suggestion(demo),
            "code_key": code_key,
            "actor_key": "china",
            "memo_id": 1,
        }
        ids["code"] = "kk"
        status = _request(client, method, path, csrf, ids)
        where = f"{method} {path} as {role}"
        if action == "public":
            assert status < 500, where
        elif role is None:
            expected = 401 if path.startswith("/api/") else 303  # pages redirect to /login
            assert status == expected, f"{where}: {status}"
        elif role in ALLOWED[action]:
            assert status not in (401, 403) and status < 500, f"{where}: {status}"
        else:
            assert status == 403, f"{where}: {status}"


def test_anonymous_pages_redirect_to_login_with_next(demo: Project) -> None:
    client = TestClient(create_app(demo, team=True), follow_redirects=False)
    r = client.get("/review?code=x")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/review%3Fcode%3Dx"
    r = client.get("/api/sources")
    assert r.status_code == 401
    assert r.json() == {
        "ok": False,
        "error": {
            "code": "E088",
            "what": "You are not logged in, or your session has expired.",
            "fix": "Log in again.",
            # no Accept-Language: the message in the request's language is the English one
            "what_local": "You are not logged in, or your session has expired.",
            "fix_local": "Log in again.",
        },
    }


# -- CSRF, sessions, throttling, redirects -------------------------------------------------------
def test_writes_without_the_csrf_token_are_refused(demo: Project) -> None:
    app = create_app(demo, team=True)
    client, csrf = login(app, "coder")
    body = {
        "source_id": 1,
        "start": 0,
        "end": 5,
        "code": next(iter(demo.codebook()[1].codes())).key,
    }
    r = client.post("/api/codings", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "E085"
    r = client.post("/api/codings", json=body, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    r = client.post("/api/codings", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["ok"]
    # forms carry it as a field
    r = client.post("/logout", data={"csrf_token": "forged"})
    assert r.status_code == 403
    # single-user mode has a per-process token too: other web pages cannot post to it
    local = TestClient(create_app(demo))
    assert local.post("/api/codings", json=body).status_code == 403


def test_logout_ends_the_session(demo: Project) -> None:
    app = create_app(demo, team=True)
    client, csrf = login(app, "viewer")
    token = client.cookies.get("dc_session")
    r = client.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 303
    stale = TestClient(app, follow_redirects=False, cookies={"dc_session": token})
    assert stale.get("/api/me").status_code == 401


def test_failed_logins_are_throttled(demo: Project) -> None:
    client = TestClient(create_app(demo, team=True), follow_redirects=False)
    for _ in range(5):
        r = client.post("/login", data={"username": "coder", "password": "wrong password!"})
        assert r.status_code == 401
        assert "E082" in r.text
    r = client.post("/login", data={"username": "coder", "password": PASSWORD})
    assert r.status_code == 429 and "E083" in r.text
    # another user from the same address is not blocked
    r = client.post("/login", data={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 303


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/review", "/review"),
        ("/sources/3?x=1", "/sources/3?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_no_open_redirect_after_login(demo: Project, target: str, expected: str) -> None:
    client = TestClient(create_app(demo, team=True), follow_redirects=False)
    r = client.post("/login", data={"username": "viewer", "password": PASSWORD, "next": target})
    assert r.status_code == 303 and r.headers["location"] == expected
    r = client.get("/lang/kk", params={"next": target})
    assert r.headers["location"] == expected


# -- behaviour --------------------------------------------------------------------------------------
def test_code_a_passage_with_a_memo_and_see_it(demo: Project) -> None:
    app = create_app(demo, team=True)
    client, csrf = login(app, "coder")
    source = client.get("/api/sources/2").json()["source"]
    text = source["text"]
    start = text.index(text.split()[3])
    end = start + 30
    code = next(iter(demo.codebook()[1].codes())).key
    r = client.post(
        "/api/codings",
        json={"source_id": 2, "start": start, "end": end, "code": code, "memo": "why: the pledge"},
        headers={"X-CSRF-Token": csrf},
    )
    coding_id = r.json()["coding_id"]
    page = client.get("/sources/2").text
    assert f'id="coding-{coding_id}"' in page
    assert re.search(rf'data-codings="[^"]*\b{coding_id}\b', page)  # highlighted in the text
    assert "why: the pledge" in page
    with demo.store.read() as conn:
        events = audit.log(conn, kind="coding.created", actor="coder")
    assert events and events[-1]["payload"]["memo"] == "why: the pledge"


def test_review_accept_reject_change_and_conflicts(demo: Project) -> None:
    app = create_app(demo, team=True)
    alice, a_csrf = login(app, "coder")
    bob, b_csrf = login(app, "coder2")
    queue = alice.get("/api/review").json()
    before = queue["progress"]
    first, second, third = (item["id"] for item in queue["items"][:3])
    assert alice.post(
        f"/api/codings/{first}/accept", json={}, headers={"X-CSRF-Token": a_csrf}
    ).json()["ok"]
    # bob's stale queue still shows it: he gets a clear conflict, nothing is overwritten
    r = bob.post(f"/api/codings/{first}/reject", json={}, headers={"X-CSRF-Token": b_csrf})
    assert r.status_code == 409 and r.json()["error"]["code"] == "E086"
    assert "coder" in r.json()["error"]["what"]
    assert bob.post(
        f"/api/codings/{second}/reject", json={}, headers={"X-CSRF-Token": b_csrf}
    ).json()["ok"]
    third_item = queue["items"][2]
    other = next(
        c.key
        for dim in demo.codebook()[1].dimensions
        if dim.key == third_item["dimension"]
        for c in dim.codes
        if c.key != third_item["code"]
    )
    assert alice.post(
        f"/api/codings/{third}/code", json={"code": other}, headers={"X-CSRF-Token": a_csrf}
    ).json()["ok"]
    after = alice.get("/api/review").json()["progress"]
    assert after["open"] == before["open"] - 3
    assert (after["accepted"], after["rejected"], after["changed"]) == (1, 1, 1)
    ids = [i["id"] for i in alice.get("/api/review").json()["items"]]
    assert first not in ids and second not in ids and third not in ids
    with demo.store.read() as conn:
        rows = dict(
            conn.execute(
                select(codings.c.id, codings.c.updated_by).where(
                    codings.c.id.in_([first, second, third])
                )
            ).all()
        )
    assert rows == {first: "coder", second: "coder2", third: "coder"}


def test_review_filters(demo: Project) -> None:
    client = TestClient(create_app(demo))
    everything = client.get("/api/review", params={"limit": 1000}).json()["items"]
    code = everything[0]["code"]
    only = client.get("/api/review", params={"code": code, "limit": 1000}).json()["items"]
    assert only and all(i["code"] == code for i in only)
    kk = client.get("/api/review", params={"language": "kk", "limit": 1000}).json()["items"]
    assert kk and all(i["language"] == "kk" for i in kk)
    china = client.get("/api/review", params={"actor": "China", "limit": 1000}).json()["items"]
    assert china and all("China" in i["actors"] for i in china)
    high = client.get("/api/review", params={"min_score": 0.7, "limit": 1000}).json()["items"]
    assert all(i["score"] >= 0.7 for i in high) and len(high) < len(everything)
    r = client.get("/api/review", params={"min_score": "lots"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "E060"


def test_blind_coding_hides_other_coders_work_until_revealed(demo: Project) -> None:
    app = create_app(demo, team=True)
    owner, o_csrf = login(app, "owner")
    alice, a_csrf = login(app, "coder")
    bob, _ = login(app, "coder2")
    assert owner.post(
        "/api/settings", json={"blind_coding": True}, headers={"X-CSRF-Token": o_csrf}
    ).json()["ok"]
    code = next(iter(demo.codebook()[1].codes())).key
    cid = alice.post(
        "/api/codings",
        json={"source_id": 3, "start": 0, "end": 12, "code": code},
        headers={"X-CSRF-Token": a_csrf},
    ).json()["coding_id"]

    def visible(client: TestClient) -> set[int]:
        return {c["id"] for c in client.get("/api/sources/3").json()["source"]["codings"]}

    assert cid in visible(alice)
    assert cid not in visible(bob)
    assert cid in visible(owner)
    assert "Blind coding" in bob.get("/sources/3").text
    assert owner.post(
        "/api/settings", json={"blind_coding": False}, headers={"X-CSRF-Token": o_csrf}
    ).json()["ok"]
    assert cid in visible(bob)
    with demo.store.read() as conn:
        kinds = [e["payload"] for e in audit.log(conn, kind="project.setting_changed")]
    assert kinds == [{"blind_coding": True}, {"blind_coding": False}]


def test_codebook_edit_makes_a_new_version(demo: Project) -> None:
    app = create_app(demo, team=True)
    owner, csrf = login(app, "owner")
    before_id, before = demo.codebook()
    key = next(iter(before.codes())).key
    r = owner.post(
        f"/api/codebook/codes/{key}",
        json={"label": {"kk": "Жаңа белгі"}, "definition": {"en": "A sharper definition."}},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.json()["ok"], r.text
    after_id, after = demo.codebook()
    assert after_id != before_id and after.version != before.version
    edited = next(c for c in after.codes() if c.key == key)
    assert edited.label["kk"] == "Жаңа белгі" and edited.definition["en"] == "A sharper definition."
    assert (
        next(c for c in before.codes() if c.key == key).definition["en"] != "A sharper definition."
    )
    r = owner.post("/api/codebook/codes/no.such.code", json={}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404 and r.json()["error"]["code"] == "E089"


def test_error_shape(demo: Project) -> None:
    client = TestClient(create_app(demo))
    r = client.get("/api/sources/99999")
    assert r.status_code == 404
    assert r.json()["ok"] is False and r.json()["error"]["code"] == "E089"
    csrf = client.get("/api/me").json()["csrf"]
    r = client.post("/api/codings", json={"source_id": "one"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and r.json()["ok"] is False and r.json()["error"]["code"] == "E060"
    r = client.post(
        "/api/codings",
        json={"source_id": 1, "start": 5, "end": 10**7, "code": "x"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "E060"
    page = client.get("/sources/99999")
    assert page.status_code == 404 and "E089" in page.text


def test_openapi_documents_the_api(demo: Project) -> None:
    schema = TestClient(create_app(demo)).get("/api/openapi.json").json()
    for path in ("/api/codings", "/api/review", "/api/sources/{source_id}", "/api/audit/verify"):
        assert path in schema["paths"]


# -- safety -----------------------------------------------------------------------------------------
PAYLOAD = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> <b onmouseover=alert(1)>bold</b>'


def test_document_text_is_always_escaped(demo: Project, tmp_path: Path) -> None:
    html = tmp_path / "hostile.html"
    html.write_text(
        f"<html><head><title>Hostile {PAYLOAD}</title></head><body><article>"
        f"<p>Cultural cooperation between Kazakhstan and China grows every year. {PAYLOAD}</p>"
        f"<p>{'Scholarships and language centres are the main instruments. ' * 3}</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    txt = tmp_path / "hostile.txt"
    txt.write_text(f"Plain text carrying markup: {PAYLOAD} and more words about youth exchanges.\n")
    results = list(
        ingest(
            demo.store,
            [IngestItem(html, SourceMeta(actors=(("China", "author"),))), IngestItem(txt)],
            languages=demo.languages,
        )
    )
    assert all(r.status == "added" for r in results), results
    client = TestClient(create_app(demo))
    for r in results:
        page = client.get(f"/sources/{r.source_id}").text
        assert "<script>window.pwned" not in page
        assert "<img src=x" not in page and 'onerror="window' not in page
        assert "<b onmouseover" not in page
        tags = _tags(page)
        assert not [a for _, attrs in tags for a, _ in attrs if a.startswith("on")]
        assert [dict(attrs).get("src") for tag, attrs in tags if tag == "script"] == [
            "/static/app.js"
        ]
        corpus = client.get("/").text
        assert "<script>window.pwned" not in corpus
    txt_page = client.get(f"/sources/{results[1].source_id}")
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in txt_page.text
    csp = txt_page.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def test_uploads_go_through_ingestion_with_limits(demo: Project, monkeypatch) -> None:
    client = TestClient(create_app(demo))
    csrf = client.get("/api/me").json()["csrf"]
    monkeypatch.setattr(web_app, "MAX_UPLOAD_MB", 0.01)  # 10 KB
    files = [
        (
            "files",
            (
                "../../../../etc/passwd.txt",
                b"Youth exchanges and scholarships in Almaty and Bishkek.",
            ),
        ),
        ("files", ("empty.txt", b"")),
        ("files", ("big.txt", b"word " * 5000)),
        ("files", ("notes.txt", "Қазақстан мен Қытай арасындағы мәдени ынтымақтастық.".encode())),
    ]
    r = client.post(
        "/api/upload",
        files=files,
        data={"actor": "China", "group": "analytical", "date": "2024-05"},
        headers={"X-CSRF-Token": csrf},
    )
    results = r.json()["results"]
    by_file = {x["file"]: x for x in results}
    assert by_file["passwd.txt"]["status"] == "added"  # the path is dropped, only the name kept
    assert (
        by_file["empty.txt"]["status"] == "failed"
        and by_file["empty.txt"]["error"]["code"] == "E001"
    )
    assert (
        by_file["big.txt"]["status"] == "failed" and by_file["big.txt"]["error"]["code"] == "E002"
    )
    assert by_file["notes.txt"]["status"] == "added" and by_file["notes.txt"]["language"] == "kk"
    added = client.get("/api/sources", params={"actor": "China", "group": "analytical"}).json()
    assert added["total"] >= 2
    assert not Path("/etc/passwd.txt").exists()
    r = client.post(
        "/api/upload",
        files=[("files", ("a.txt", b"Some text here about culture."))],
        data={"group": "propaganda"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "E025"


def test_corpus_filters_and_full_text_search(demo: Project) -> None:
    client = TestClient(create_app(demo))
    everything = client.get("/api/sources").json()["total"]
    kk = client.get("/api/sources", params={"language": "kk"}).json()
    assert 0 < kk["total"] < everything and all(s["language"] == "kk" for s in kk["sources"])
    # case-insensitive Cyrillic search (SQLite's own lower() folds ASCII only)
    sample = next(s for s in kk["sources"])
    word = client.get(f"/api/sources/{sample['id']}").json()["source"]["text"].split()[0]
    upper = client.get("/api/sources", params={"q": word.upper()}).json()
    assert sample["id"] in {s["id"] for s in upper["sources"]}
    years = client.get("/api/sources", params={"year_from": 2020, "year_to": 2022}).json()[
        "sources"
    ]
    assert years and all(2020 <= s["date_year"] <= 2022 for s in years)
    coded = client.get("/api/sources", params={"has_codings": True}).json()["total"]
    uncoded = client.get("/api/sources", params={"has_codings": False}).json()["total"]
    assert coded + uncoded == everything
    # the page's form and the API share one parser: empty fields mean "any", junk is E060
    assert client.get("/api/sources", params={"year_from": ""}).json()["total"] == everything
    bad = client.get("/api/sources", params={"year_from": "soon"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "E060"
    assert "E060" in client.get("/", params={"has_codings": "maybe"}).text


@pytest.mark.parametrize(
    ("path", "params", "code", "mentions"),
    [
        ("/api/sources", {"group": "offical"}, "E025", "official, academic"),
        ("/api/sources", {"language": "de"}, "E024", "en, ru, kk"),
        ("/api/sources", {"year_from": 2030, "year_to": 2020}, "E120", "2030-2020"),
        ("/api/sources", {"actor": "Chna"}, "E103", "did you mean 'China'"),
        ("/api/retrieve", {"code": "trust", "group": "blogs"}, "E025", "official"),
        ("/api/review", {"code": "no.such.code"}, "E060", "scholarships_mobility"),
        ("/api/review", {"min_score": 0.9, "max_score": 0.1}, "E121", "0.9-0.1"),
        ("/api/review", {"min_score": 2}, "E060", "[0, 1]"),
        ("/api/review", {"language": "de"}, "E024", "en, ru, kk"),
        ("/api/review", {"actor": "Rusia"}, "E103", "'Russia'"),
    ],
)
def test_a_bad_filter_is_a_422_listing_the_valid_values(
    demo: Project, path, params, code, mentions
) -> None:
    """Regression (#9): a misspelt group filtered everything out instead of saying so."""
    r = TestClient(create_app(demo)).get(path, params=params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["ok"] is False and body["error"]["code"] == code
    assert mentions in body["error"]["what"] + " " + body["error"]["fix"]


def test_filter_errors_on_pages_in_the_users_language_and_only_after_login(
    demo: Project,
) -> None:
    client = TestClient(create_app(demo))
    page = client.get("/", params={"group": "offical"})
    assert page.status_code == 422 and "E025" in page.text
    r = client.get(
        "/api/sources",
        params={"year_from": 2030, "year_to": 2020},
        headers={"Accept-Language": "ru"},
    )
    assert r.json()["error"]["what_local"].startswith("year_from/year_to: период 2030-2020")
    # an actor by any of its names
    china = client.get("/api/sources", params={"actor": "China"}).json()
    assert china["total"] > 0
    assert client.get("/api/sources", params={"actor": "Қытай"}).json()["total"] == china["total"]
    # nobody learns the project's codes or actors before logging in
    anonymous = TestClient(create_app(demo, team=True))
    assert anonymous.get("/api/sources", params={"group": "offical"}).status_code == 401
    assert anonymous.get("/api/review", params={"actor": "Chna"}).status_code == 401


# -- concurrency ----------------------------------------------------------------------------------------
def test_two_coders_coding_the_same_source_at_once_lose_nothing(demo: Project) -> None:
    app = create_app(demo, team=True)
    clients = [login(app, "coder"), login(app, "coder2")]
    keys = [c.key for c in demo.codebook()[1].codes()][:10]
    statuses: list[int] = []
    lock = threading.Lock()

    def work(client: TestClient, csrf: str, offset: int) -> None:
        for i in range(25):
            r = client.post(
                "/api/codings",
                json={
                    "source_id": 5,
                    "start": offset + i,
                    "end": offset + i + 8,
                    "code": keys[i % 10],
                },
                headers={"X-CSRF-Token": csrf},
            )
            with lock:
                statuses.append(r.status_code)

    threads = [
        threading.Thread(target=work, args=(c, t, n * 40)) for n, (c, t) in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 50
    with demo.store.read() as conn:
        n = conn.execute(
            select(func.count()).where(
                codings.c.source_id == 5, codings.c.created_by.in_(["coder", "coder2"])
            )
        ).scalar()
        assert n == 50
        assert audit.verify(conn) == []


def test_serve_refuses_a_public_address_without_team_mode(project: Project, db_url: str) -> None:
    from typer.testing import CliRunner

    from diplocode.cli import app as cli

    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "-p", db_url])
    assert result.exit_code == 2
    assert "E060" in result.output and "--team" in result.output


def test_coding_the_same_passage_twice_is_a_clear_conflict(demo: Project) -> None:
    client = TestClient(create_app(demo))
    csrf = client.get("/api/me").json()["csrf"]
    body = {
        "source_id": 4,
        "start": 3,
        "end": 30,
        "code": next(iter(demo.codebook()[1].codes())).key,
    }
    first = client.post("/api/codings", json=body, headers={"X-CSRF-Token": csrf})
    assert first.status_code == 200
    again = client.post("/api/codings", json=body, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 409 and again.json()["error"]["code"] == "E090"
    with demo.store.read() as conn:
        assert audit.verify(conn) == []


def test_racing_reviewers_never_both_win(demo: Project) -> None:
    """Two coders accept and reject the same suggestions at the same moment: exactly one
    wins each time (on PostgreSQL a read-then-write check would let both through)."""
    app = create_app(demo, team=True)
    (alice, a_csrf), (bob, b_csrf) = login(app, "coder"), login(app, "coder2")
    targets = [i["id"] for i in alice.get("/api/review", params={"limit": 30}).json()["items"]]
    outcomes: dict[int, list[int]] = {t: [] for t in targets}
    barrier = threading.Barrier(2)
    lock = threading.Lock()

    def review(client: TestClient, csrf: str, action: str) -> None:
        for target in targets:
            barrier.wait()
            r = client.post(
                f"/api/codings/{target}/{action}", json={}, headers={"X-CSRF-Token": csrf}
            )
            with lock:
                outcomes[target].append(r.status_code)

    threads = [
        threading.Thread(target=review, args=(alice, a_csrf, "accept")),
        threading.Thread(target=review, args=(bob, b_csrf, "reject")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(sorted(codes) == [200, 409] for codes in outcomes.values()), outcomes
    with demo.store.read() as conn:
        events = [
            e
            for e in audit.log(conn, limit=None)
            if e["kind"] in ("coding.accepted", "coding.rejected")
        ]
        assert len(events) == len(targets)
        assert audit.verify(conn) == []


def test_upload_errors_name_the_uploaded_file_not_a_server_path(demo: Project) -> None:
    client = TestClient(create_app(demo))
    csrf = client.get("/api/me").json()["csrf"]
    r = client.post(
        "/api/upload",
        files=[("files", ("empty notes.txt", b""))],
        headers={"X-CSRF-Token": csrf},
    )
    (result,) = r.json()["results"]
    assert result["error"]["code"] == "E001"
    assert "'empty_notes.txt'" in result["error"]["what"]
    assert "diplocode-upload-" not in str(result)


def test_worker_listener_keeps_tcp_nodelay() -> None:
    """`serve --workers N` makes its own listening socket with IPPROTO_TCP: with uvicorn's
    (protocol 0) asyncio leaves Nagle on and each keep-alive request waits ~40 ms."""
    import socket

    from diplocode.web.app import _TcpConfig

    config = _TcpConfig(
        "diplocode.web.app:app_from_environment", factory=True, host="127.0.0.1", port=0
    )
    listener = config.bind_socket()
    try:
        assert listener.proto == socket.IPPROTO_TCP
        listener.listen()
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        assert accepted.proto == socket.IPPROTO_TCP  # what asyncio checks before TCP_NODELAY
        accepted.close()
        client.close()
    finally:
        listener.close()
