"""End-to-end tests of the workbench in a real headless Chromium.

Debian's ``chromium`` driven by Playwright (see ``conftest.py``); the workbench runs with
uvicorn in a background thread over the test project (SQLite, or PostgreSQL with
``DIPLOCODE_TEST_DB``). Every page a test visits is saved as a screenshot under
``$DIPLOCODE_SCREENSHOTS/<test name>/NN-step.png`` (default ``build/screenshots``, the
top 4000 px of the page), and a
failing test adds ``NN-failure-...png`` of each open page: CI keeps them as artifacts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from diplocode import audit, coding
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.manifest import read_manifest
from diplocode.corpus.metadata import SourceMeta
from diplocode.demo import CORPUS, code_demo_project
from diplocode.project import Project
from diplocode.store.schema import codes, codings, sources
from diplocode.users import add_user

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the dev group installs it
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("Playwright is not installed; the browser tests run in CI", allow_module_level=True)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("DIPLOCODE_SCREENSHOTS") or REPO / "build" / "screenshots")
if not SCREENSHOTS.is_absolute():
    SCREENSHOTS = REPO / SCREENSHOTS

MAX_SHOT_HEIGHT = 4000
PASSWORD = "correct horse battery"
EN_SOURCE = "Illustrative statement on the Silk Road Economic Belt"


# -- fixtures ---------------------------------------------------------------------------------
class Shots:
    """``shots(page, "step")`` saves a full-page screenshot as ``NN-step.png`` in the
    test's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.n = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Any, step: str) -> Path:
        self.n += 1
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", step).strip("-")
        path = self.folder / f"{self.n:02d}-{name}.png"
        # the whole page, cut at MAX_SHOT_HEIGHT px (long queues make slow, huge images)
        width, height = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, MAX_SHOT_HEIGHT)}
        page.screenshot(path=str(path), full_page=True, clip=clip)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    return Shots(SCREENSHOTS / name)


class Pages:
    """Opens pages, each in its own browser context (own cookies); records JavaScript
    errors and dialogs (dismissed). A test that passes with either still fails."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def new(self) -> Any:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page


@pytest.fixture
def pages(browser: Any, shots: Shots, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(browser)
    yield opened
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for i, context in enumerate(opened.contexts):
            for page in context.pages:
                with contextlib.suppress(Exception):  # a crashed page: the test's error says more
                    shots(page, f"failure-{i}")
    for context in opened.contexts:
        context.close()
    if report is not None and report.passed and (opened.errors or opened.dialogs):
        found = opened.errors + [f"dialog {d}" for d in opened.dialogs]
        pytest.fail("JavaScript errors or dialogs in the pages:\n" + "\n".join(found))


@pytest.fixture
def demo(project: Project) -> Project:
    """The test project (SQLite or PostgreSQL) with the demo corpus, not yet coded."""
    parsed = read_manifest(CORPUS / "manifest.csv", project.languages)
    assert not parsed.errors
    items = [IngestItem(r.path, r.meta) for r in parsed.rows]
    results = list(ingest(project.store, items, languages=project.languages, who="demo"))
    assert all(r.status == "added" for r in results), results
    return project


@pytest.fixture
def coded_demo(demo: Project) -> Project:
    """The demo corpus with the lexicon coder's suggestions."""
    summary = code_demo_project(demo)
    assert summary is not None
    return demo


# -- helpers ----------------------------------------------------------------------------------
def source_by_title(project: Project, title: str) -> tuple[int, str]:
    with project.store.read() as conn:
        row = conn.execute(
            select(sources.c.id, sources.c.text).where(sources.c.title == title)
        ).one()
    return row.id, row.text


def coding_rows(project: Project, **where: Any) -> list[dict[str, Any]]:
    query = select(
        codings.c.id,
        codings.c.source_id,
        codings.c.start,
        codings.c.end,
        codings.c.status,
        codings.c.memo,
        codings.c.created_by,
        codings.c.updated_by,
        codes.c.key.label("code"),
    ).join(codes, codes.c.id == codings.c.code_id)
    for column, value in where.items():
        query = query.where(codings.c[column] == value)
    with project.store.read() as conn:
        return [dict(r) for r in conn.execute(query.order_by(codings.c.id)).mappings()]


def audit_problems(project: Project) -> list[Any]:
    with project.store.read() as conn:
        return audit.verify(conn)


def login(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")


def select_phrase(page: Any, phrase: str, block: str = "center", up: int = 0) -> None:
    """Select ``phrase`` in the source text with a real mouse drag (press just inside its
    first character, release just inside its last), its text scrolled to the ``block``
    (center, start, end) of the window and then ``up`` px higher; the picker opens."""
    box = page.evaluate(
        """([phrase, block, up]) => {
          for (const el of document.querySelectorAll('#text span[data-o]')) {
            const node = el.firstChild;
            const i = node ? node.textContent.indexOf(phrase) : -1;
            if (i < 0) continue;
            el.scrollIntoView({block});
            window.scrollBy(0, up);
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + phrase.length);
            const rects = range.getClientRects();
            const a = rects[0], z = rects[rects.length - 1];
            return {x1: a.left + 1, y1: (a.top + a.bottom) / 2, x2: z.right - 1, y2: (z.top + z.bottom) / 2};
          }
          return null;
        }""",
        [phrase, block, up],
    )
    assert box is not None, f"{phrase!r} is not in an uncoded piece of the text"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()
    expect(page.locator("#picker")).to_be_visible()
    expect(page.locator("#picker .selected-text")).to_have_text(phrase)


def pick_code(page: Any, key: str, memo: str) -> None:
    """In the open picker: search for the code, choose it, write the memo."""
    page.fill("#picker-search", key.split(".")[-1].replace("_", " ")[:12])
    item = page.locator(f"#picker-list li[data-key='{key}']")
    expect(item).to_be_visible()
    item.click()
    expect(item).to_have_class(re.compile(r"\bchosen\b"))
    page.fill("#picker-memo", memo)
    expect(page.locator("#picker-save")).to_be_enabled()


def span_of(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


# -- tests ------------------------------------------------------------------------------------
def test_login_rejects_a_wrong_password_and_accepts_the_right_one(
    project: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    add_user(project, "alice", PASSWORD, "coder")
    base = live_server(project, team=True)
    page = pages.new()

    page.goto(f"{base}/review")
    expect(page).to_have_url(re.compile(r"/login\?next=/review$"))
    expect(page.locator("form[action='/login']")).to_be_visible()
    shots(page, "login-form")

    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "not the password")
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    expect(page.locator(".login .error")).to_be_visible()
    expect(page.locator(".login .error")).to_contain_text("E082")
    expect(page.locator("header nav")).to_have_count(0)
    shots(page, "wrong-password")

    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(f"{base}/review")  # back where the user was going
    page.click("header nav a[href='/']")
    expect(page).to_have_url(f"{base}/")
    expect(page.locator("main h1")).to_contain_text("Corpus")
    expect(page.locator("header .who")).to_contain_text("alice")
    shots(page, "corpus")

    with page.expect_navigation():
        page.click("header form[action='/logout'] button")
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))


def test_code_a_selected_phrase_with_a_memo(
    demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    add_user(demo, "alice", PASSWORD, "coder")
    base = live_server(demo, team=True)
    source_id, text = source_by_title(demo, EN_SOURCE)
    page = pages.new()

    login(page, base, "alice")
    expect(page.locator("main h1")).to_contain_text("Corpus")
    shots(page, "corpus")
    with page.expect_navigation():
        page.click(f"table.sources a[href='/sources/{source_id}']")
    expect(page.locator("article.source h1")).to_have_text(EN_SOURCE)
    expect(page.locator("#text mark.coded")).to_have_count(0)
    shots(page, "source")

    phrase = "shared development"
    memo = "Development framed as shared: the partnership frame, not aid."
    select_phrase(page, phrase)
    pick_code(page, "connectivity_development", memo)
    shots(page, "picker")
    with page.expect_navigation():
        page.click("#picker-save")

    mark = page.locator("#text mark.coded")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text(phrase)
    expect(mark).to_have_class(re.compile(r"\bdim-legitimacy\b"))
    item = page.locator(".coding-list li.coding")
    expect(item).to_have_count(1)
    expect(item.locator("code")).to_have_text("connectivity_development")
    expect(item.locator(".memo")).to_have_text(memo)
    expect(item).to_contain_text("alice")
    expect(item).to_have_class(re.compile(r"\bfocus\b"))  # the page scrolled to it
    shots(page, "coded")

    rows = coding_rows(demo, source_id=source_id)
    start, end = span_of(text, phrase)
    assert [
        (r["start"], r["end"], r["code"], r["memo"], r["status"], r["created_by"]) for r in rows
    ] == [(start, end, "connectivity_development", memo, "final", "alice")]
    assert audit_problems(demo) == []


def test_review_suggestions_with_the_keyboard(
    coded_demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    base = live_server(coded_demo, local_user="rita")
    page = pages.new()
    page.goto(f"{base}/review")
    items = page.locator("#queue li.item")
    expect(items.first).to_have_class(re.compile(r"\bcurrent\b"))
    assert items.count() >= 3
    ids = [int(items.nth(i).get_attribute("data-id")) for i in range(3)]
    alternative = items.nth(2).locator("button.alt[data-n='1']").get_attribute("data-key")
    assert alternative
    shots(page, "queue")

    page.keyboard.press("j")
    expect(items.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("k")
    expect(items.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))

    page.keyboard.press("a")
    expect(items.nth(0)).to_have_class(re.compile(r"\bdone-accept\b"))
    expect(items.nth(0)).to_have_class(re.compile(r"\bdone\b"))
    expect(items.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))  # on to the next open one
    shots(page, "accepted")

    page.keyboard.press("r")
    expect(items.nth(1)).to_have_class(re.compile(r"\bdone-reject\b"))
    expect(items.nth(2)).to_have_class(re.compile(r"\bcurrent\b"))
    shots(page, "rejected")

    page.keyboard.press("1")
    expect(items.nth(2)).to_have_class(re.compile(r"\bdone-change\b"))
    expect(items.nth(2).locator(".state")).to_contain_text(alternative)
    shots(page, "changed")

    (accepted,) = coding_rows(coded_demo, id=ids[0])
    (rejected,) = coding_rows(coded_demo, id=ids[1])
    (changed,) = coding_rows(coded_demo, id=ids[2])
    assert (accepted["status"], accepted["updated_by"]) == ("accepted", "rita")
    assert (rejected["status"], rejected["updated_by"]) == ("rejected", "rita")
    assert (changed["status"], changed["code"], changed["updated_by"]) == (
        "final",
        alternative,
        "rita",
    )
    assert audit_problems(coded_demo) == []

    # the counters follow each action without a reload
    expect(page.locator("#progress")).to_contain_text(re.compile(r"Reviewed 3 of \d+"))
    expect(page.locator("#progress")).to_contain_text(
        re.compile(r"accepted 1,\s+rejected 1,\s+changed 1")
    )
    page.reload()  # the reviewed ones have left the queue; the progress counts them
    expect(page.locator("#queue li.item").first).to_be_visible()
    shown = {
        int(x)
        for x in page.locator("#queue li.item").evaluate_all("xs => xs.map(x => x.dataset.id)")
    }
    assert not shown & set(ids)
    expect(page.locator("#progress")).to_contain_text(re.compile(r"Reviewed 3 of \d+"))
    expect(page.locator("#progress")).to_contain_text(
        re.compile(r"accepted 1,\s+rejected 1,\s+changed 1")
    )
    shots(page, "queue-after")


def test_switch_to_kazakh(
    coded_demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    base = live_server(coded_demo)
    source_id, _ = source_by_title(coded_demo, EN_SOURCE)
    page = pages.new()
    page.goto(f"{base}/codebook")
    expect(page.locator("header nav a[href='/']")).to_have_text("Corpus")
    shots(page, "english")

    with page.expect_navigation():
        page.click("header a.lang-kk")
    expect(page).to_have_url(f"{base}/codebook")  # the switch stays on the page
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("header a.lang-kk")).to_have_class(re.compile(r"\bcurrent\b"))
    corpus_link = page.locator("header nav a[href='/']")
    expect(corpus_link).not_to_have_text("Corpus")
    expect(corpus_link).not_to_be_empty()
    shots(page, "codebook-kk")

    for path, step in [
        ("/", "corpus-kk"),
        (f"/sources/{source_id}", "source-kk"),
        ("/review", "review-kk"),
        ("/compare?include_suggested=true", "compare-kk"),
        ("/audit", "audit-kk"),
        ("/settings", "settings-kk"),
    ]:
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("lang", "kk")
        expect(page.locator("header nav a[href='/']")).not_to_have_text("Corpus")
        shots(page, step)
    expect(page.locator("header nav a[href='/compare']")).not_to_have_text("Compare")

    with page.expect_navigation():
        page.click("header a.lang-en")
    expect(page.locator("header nav a[href='/']")).to_have_text("Corpus")


def test_compare_shows_the_models_table_and_the_heatmap(
    coded_demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    base = live_server(coded_demo, local_user="rita")
    page = pages.new()
    page.goto(f"{base}/compare")
    # nothing reviewed yet: reviewed codings only, by default
    expect(page.locator("table.models")).to_have_count(0)
    shots(page, "nothing-reviewed")

    page.check("form.filters input[name=include_suggested]")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    expect(page.locator("main .warn")).to_be_visible()
    table = page.locator("table.models")
    expect(table).to_be_visible()
    actors = table.locator("tbody th[scope=row]").all_inner_texts()
    assert {"China", "Russia", "United States"} <= set(actors)
    assert table.locator("thead th").count() >= 2
    expect(table.locator("blockquote.quote a").first).to_have_attribute(
        "href", re.compile(r"^/sources/\d+#coding-\d+$")
    )
    heatmap = page.locator(".figure svg")
    expect(heatmap).to_be_visible()
    box = heatmap.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    shots(page, "with-suggestions")

    # accept the open suggestions of one source: the default view now counts them
    source_id, _ = source_by_title(coded_demo, EN_SOURCE)
    suggested = coding_rows(coded_demo, source_id=source_id, status="suggested")
    assert suggested
    for row in suggested:
        coding.accept(coded_demo, row["id"], "rita")
    page.goto(f"{base}/compare")
    # rows are who the accepted passages are about (#9) ...
    from sqlalchemy import select

    from diplocode.store.schema import actors as actor_table
    from diplocode.store.schema import coding_actors

    with coded_demo.store.read() as conn:
        about = sorted(
            set(
                conn.execute(
                    select(actor_table.c.name)
                    .join(coding_actors, coding_actors.c.actor_id == actor_table.c.id)
                    .where(coding_actors.c.coding_id.in_([r["id"] for r in suggested]))
                ).scalars()
            )
        )
    expect(page.locator("table.models tbody th[scope=row]")).to_have_text(about)
    expect(page.locator(".figure svg")).to_be_visible()
    shots(page, "reviewed-only")
    # ... or, chosen in the form, the sources' authors: the one source's author
    page.select_option("form.filters select[name=actor_role]", "author")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    expect(page.locator("table.models tbody th[scope=row]")).to_have_text(["China"])
    expect(page.locator("p.note")).to_contain_text("the sources' authors")
    shots(page, "rows-by-author")

    # the quote links lead to the coding in its source
    with page.expect_navigation():
        page.locator("table.models blockquote.quote a").first.click()
    expect(page.locator("article.source")).to_be_visible()
    expect(page.locator(".coding-list li.coding.focus")).to_have_count(1)
    shots(page, "quote-source")


PAYLOAD_TEXT = (
    "This illustrative English paragraph is about cultural exchange and universities. "
    "<script>window.__pwned = 'script'</script> "
    "<img src=x onerror=\"window.__pwned = 'img'; alert('img')\"> "
    "The rest of the text continues about scholarships for students and youth exchanges.\n"
)
PAYLOAD_TITLE = "<img src=x onerror=alert('title')>Payload <script>alert('t')</script>"
PAYLOAD_MEMO = "<b onmouseover=alert('memo')>bold?</b><script>window.__pwned='memo'</script>"


def test_source_text_with_markup_is_shown_as_text_and_never_run(
    project: Project, live_server: Any, pages: Pages, shots: Shots, tmp_path: Path
) -> None:
    path = tmp_path / "payload.txt"
    path.write_text(PAYLOAD_TEXT, encoding="utf-8")
    meta = SourceMeta(title=PAYLOAD_TITLE, actors=(("China", "author"),), language="en")
    (result,) = ingest(project.store, [IngestItem(path, meta)], languages=project.languages)
    assert result.status == "added", result.error
    source_id = result.source_id
    assert source_id is not None
    _, text = source_by_title(project, PAYLOAD_TITLE)
    script = "<script>window.__pwned = 'script'</script>"
    start, end = span_of(text, script)
    coding.create(project, source_id, start, end, "cultural_centers", "tess", memo=PAYLOAD_MEMO)

    base = live_server(project, local_user="tess")
    page = pages.new()
    page.add_init_script("window.__pwned = undefined;")

    def assert_inert() -> None:
        assert page.evaluate("window.__pwned") is None
        injected = page.evaluate(
            """() => document.querySelectorAll(
                 'main img[src="x"], main script, main [onerror], main [onmouseover]').length"""
        )
        assert injected == 0
        assert pages.dialogs == []

    page.goto(f"{base}/")
    expect(page.locator("table.sources a").first).to_have_text(PAYLOAD_TITLE)
    assert_inert()
    shots(page, "corpus")

    page.goto(f"{base}/sources/{source_id}")
    expect(page.locator("article.source h1")).to_have_text(PAYLOAD_TITLE)
    expect(page.locator("#text")).to_contain_text(script)
    expect(page.locator("#text")).to_contain_text("<img src=x onerror=")
    expect(page.locator("#text mark.coded")).to_have_text(script)
    expect(page.locator(".coding-list .memo")).to_have_text(PAYLOAD_MEMO)
    expect(page).to_have_title(re.compile(re.escape(PAYLOAD_TITLE)))
    page.hover("#text mark.coded")
    page.hover(".coding-list .memo")
    assert_inert()
    shots(page, "source")

    page.goto(f"{base}/audit")
    expect(page.locator("table.audit tbody tr", has_text="coding.created")).to_have_count(1)
    assert_inert()
    shots(page, "audit")

    page.goto(f"{base}/review")
    assert_inert()
    page.goto(f"{base}/compare")
    assert_inert()
    shots(page, "compare")


def test_two_coders_coding_the_same_source_at_once_lose_nothing(
    demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    add_user(demo, "alice", PASSWORD, "coder")
    add_user(demo, "bob", "another long password", "coder")
    base = live_server(demo, team=True)
    source_id, text = source_by_title(demo, EN_SOURCE)
    alice, bob = pages.new(), pages.new()
    login(alice, base, "alice")
    login(bob, base, "bob", "another long password")

    plan = {
        "alice": [
            ("shared development", "connectivity_development", "alice: a shared-gains frame"),
            ("government scholarships", "scholarships_mobility", "alice: scholarships"),
        ],
        "bob": [
            ("people-to-people bonds", "civilizational_dialogue", "bob: people-to-people"),
            ("Confucius Institutes", "cultural_centers", "bob: cultural centres"),
        ],
    }
    for page in (alice, bob):
        page.goto(f"{base}/sources/{source_id}")
    shots(alice, "alice-source")
    shots(bob, "bob-source")

    # each round: both select and fill the picker on the same page state, then both save
    # at once (the clicks are dispatched without waiting for the first save to finish)
    for round_no, (a, b) in enumerate(zip(plan["alice"], plan["bob"], strict=True), 1):
        for page, (phrase, key, memo) in ((alice, a), (bob, b)):
            select_phrase(page, phrase)
            pick_code(page, key, memo)
        shots(alice, f"round{round_no}-alice-picker")
        shots(bob, f"round{round_no}-bob-picker")
        with alice.expect_navigation(), bob.expect_navigation():
            alice.evaluate("document.getElementById('picker-save').click()")
            bob.evaluate("document.getElementById('picker-save').click()")
        expect(alice.locator("#picker-error")).to_be_hidden()
        expect(bob.locator("#picker-error")).to_be_hidden()

    want = sorted(
        (*span_of(text, phrase), key, memo, "final", who)
        for who, steps in plan.items()
        for phrase, key, memo in steps
    )
    rows = coding_rows(demo, source_id=source_id)
    got = sorted(
        (r["start"], r["end"], r["code"], r["memo"], r["status"], r["created_by"]) for r in rows
    )
    assert got == want
    assert audit_problems(demo) == []

    # blind coding is off: each coder now sees all four codings
    for who, page in (("alice", alice), ("bob", bob)):
        page.reload()
        marks = page.locator("#text mark.coded").all_inner_texts()
        assert sorted(marks) == sorted(p for steps in plan.values() for p, _, _ in steps)
        expect(page.locator(".coding-list li.coding")).to_have_count(4)
        for _, _, memo in plan["alice"] + plan["bob"]:
            expect(page.locator(".coding-list .memo", has_text=memo)).to_have_count(1)
        shots(page, f"{who}-after")

    alice.goto(f"{base}/audit?verify=true")
    expect(alice.locator("main .good")).to_be_visible()
    expect(alice.locator("table.audit tbody tr", has_text="coding.created")).to_have_count(4)
    shots(alice, "audit-verified")


def test_two_coders_saving_many_codings_concurrently_lose_nothing(
    demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    """Both coders log in with the browser, then their sessions post codings from two
    threads at full speed; every coding and its audit event arrive."""
    import httpx

    add_user(demo, "alice", PASSWORD, "coder")
    add_user(demo, "bob", "another long password", "coder")
    base = live_server(demo, team=True)
    source_id, text = source_by_title(demo, EN_SOURCE)
    sessions: dict[str, tuple[dict[str, str], str]] = {}
    for who, password in (("alice", PASSWORD), ("bob", "another long password")):
        page = pages.new()
        login(page, base, who, password)
        page.goto(f"{base}/sources/{source_id}")
        csrf = page.get_attribute("meta[name=csrf-token]", "content")
        assert csrf
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        sessions[who] = (cookies, csrf)

    words = [m.span() for m in re.finditer(r"[A-Za-z]{4,}", text)][:40]
    n = len(words) // 2
    barrier = threading.Barrier(2)
    failures: list[str] = []

    def code(who: str, spans: list[tuple[int, int]]) -> None:
        cookies, csrf = sessions[who]
        with httpx.Client(base_url=base, cookies=cookies, headers={"X-CSRF-Token": csrf}) as client:
            barrier.wait()
            for start, end in spans:
                body = {"source_id": source_id, "start": start, "end": end}
                body |= {"code": "cultural_centers", "memo": f"{who} {start}"}
                response = client.post("/api/codings", json=body, timeout=60)
                if response.status_code != 200 or not response.json().get("ok"):
                    failures.append(f"{who} {start}-{end}: {response.status_code} {response.text}")

    threads = [
        threading.Thread(target=code, args=("alice", words[:n])),
        threading.Thread(target=code, args=("bob", words[n : 2 * n])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert failures == []

    rows = coding_rows(demo, source_id=source_id)
    got = sorted((r["created_by"], r["start"], r["end"], r["memo"]) for r in rows)
    want = sorted(
        [("alice", s, e, f"alice {s}") for s, e in words[:n]]
        + [("bob", s, e, f"bob {s}") for s, e in words[n : 2 * n]]
    )
    assert got == want
    assert audit_problems(demo) == []

    page = pages.contexts[0].pages[0]
    page.reload()
    expect(page.locator(".coding-list li.coding")).to_have_count(2 * n)
    shots(page, "source-after")


def test_retrieve_lists_the_passages_of_a_code_and_links_to_them(
    coded_demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    """Code and retrieve (#9): pick a code in the grouped list, include suggestions, read
    the passages with their citations, follow one into its source."""
    base = live_server(coded_demo, local_user="rita")
    page = pages.new()
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.click("header nav a[href='/retrieve']")
    expect(page.locator("select[name=code] optgroup").first).to_be_attached()
    page.select_option("select[name=code]", "students")
    page.check("input[name=include_suggested]")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    expect(page.locator("main .warn")).to_be_visible()
    items = page.locator("ol.passages li.item")
    assert items.count() > 0
    expect(items.first.locator("cite")).to_have_text(
        re.compile(r"\(\d{4}(-\d\d){0,2}(, p\. \d+)?\)$")
    )
    expect(page.locator("a[href^='/retrieve.docx?code=students']")).to_be_visible()
    shots(page, "passages")
    with page.expect_navigation():
        items.first.locator("a.passage-text").click()
    expect(page.locator("article.source")).to_be_visible()
    expect(page.locator(".coding-list li.coding.focus")).to_have_count(1)
    shots(page, "passage-in-source")


# -- ergonomics (#10) ---------------------------------------------------------------------------
def press(page: Any, key: str, code: str, on: str = "focused", **modifiers: bool) -> None:
    """Dispatch a keydown as a keyboard with another layout sends it: ``key`` is what the
    layout types, ``code`` the physical key (``page.keyboard.press`` sends key values
    only). ``on``: the focused element (bubbling to the document) or the document."""
    page.evaluate(
        """([key, code, on, modifiers]) => {
          const target = on === "document" ? document : (document.activeElement || document.body);
          target.dispatchEvent(new KeyboardEvent("keydown",
            {key, code, bubbles: true, cancelable: true, ...modifiers}));
        }""",
        [key, code, on, modifiers],
    )


def test_review_keys_work_with_a_russian_layout(
    coded_demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    """The review keys go by physical key (KeyboardEvent.code): with a Russian layout the
    a key types "ф" and still accepts; keys with modifiers or typed in a field do nothing;
    each item shows its paragraph with the coded span marked, and its buttons their keys."""
    base = live_server(coded_demo, local_user="rita")
    page = pages.new()
    page.goto(f"{base}/review")
    items = page.locator("#queue li.item")
    expect(items.first).to_have_class(re.compile(r"\bcurrent\b"))
    assert items.count() >= 3
    ids = [int(items.nth(i).get_attribute("data-id")) for i in range(3)]
    alternative = items.nth(2).locator("button.alt[data-n='1']").get_attribute("data-key")
    assert alternative
    first = items.first
    expect(first.locator("button.decide[data-action=accept]")).to_have_text("Accept A")
    expect(first.locator("button.decide[data-action=accept] kbd")).to_have_text("A")
    expect(first.locator("button.decide[data-action=reject] kbd")).to_have_text("R")
    expect(first.locator("button.alt[data-n='1'] kbd")).to_have_text("1")
    # the paragraph, with the coded span in it marked
    (row,) = coding_rows(coded_demo, id=ids[0])
    with coded_demo.store.read() as conn:
        text = conn.execute(
            select(sources.c.text).where(sources.c.id == row["source_id"])
        ).scalar_one()
    context = first.locator("blockquote.context")
    expect(context.locator("mark.span")).to_have_text(text[row["start"] : row["end"]])
    paragraph = context.inner_text()
    assert text[row["start"] : row["end"]] in paragraph and paragraph in text
    shots(page, "queue")

    press(page, "о", "KeyJ")  # j
    expect(items.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))
    press(page, "л", "KeyK")  # k
    expect(items.nth(0)).to_have_class(re.compile(r"\bcurrent\b"))
    press(page, "ф", "KeyA", ctrlKey=True)  # Ctrl+A (select all) decides nothing
    press(page, "Ф", "KeyA", shiftKey=True)
    press(page, "ф", "KeyA")  # a: accept
    expect(items.nth(0)).to_have_class(re.compile(r"\bdone-accept\b"))
    expect(items.nth(1)).to_have_class(re.compile(r"\bcurrent\b"))
    expect(items.nth(1)).not_to_have_class(re.compile(r"\bdone\b"))
    shots(page, "accepted")

    page.focus("form.filters input[name=coder]")
    press(page, "к", "KeyR")  # typed into the field: not a review key
    page.evaluate("document.activeElement.blur()")
    press(page, "к", "KeyR", on="document")  # r: reject
    expect(items.nth(1)).to_have_class(re.compile(r"\bdone-reject\b"))
    expect(items.nth(2)).to_have_class(re.compile(r"\bcurrent\b"))
    press(page, "1", "Numpad1")  # the first alternative code
    expect(items.nth(2)).to_have_class(re.compile(r"\bdone-change\b"))
    expect(items.nth(2).locator(".state")).to_contain_text(alternative)
    expect(page.locator("#progress")).to_contain_text(
        re.compile(r"accepted 1,\s+rejected 1,\s+changed 1")
    )
    shots(page, "decided")

    (accepted,) = coding_rows(coded_demo, id=ids[0])
    (rejected,) = coding_rows(coded_demo, id=ids[1])
    (changed,) = coding_rows(coded_demo, id=ids[2])
    assert (accepted["status"], accepted["updated_by"]) == ("accepted", "rita")
    assert (rejected["status"], rejected["updated_by"]) == ("rejected", "rita")
    assert (changed["status"], changed["code"]) == ("final", alternative)
    assert len(coding_rows(coded_demo, updated_by="rita")) == 3  # nothing else was decided
    assert audit_problems(coded_demo) == []


def test_the_code_picker_opens_in_view_near_the_bottom_of_a_long_source(
    project: Project, live_server: Any, pages: Pages, shots: Shots, tmp_path: Path
) -> None:
    paragraphs = [
        f"Paragraph {i} of a long statement on scholarships, exchanges and cultural centres "
        f"in the region, closing with marker phrase {i:03d}."
        for i in range(60)
    ]
    path = tmp_path / "long.txt"
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    meta = SourceMeta(title="A long statement", actors=(("China", "author"),), language="en")
    (result,) = ingest(project.store, [IngestItem(path, meta)], languages=project.languages)
    assert result.status == "added" and result.source_id is not None
    _, text = source_by_title(project, "A long statement")
    base = live_server(project, local_user="tess")
    page = pages.new()
    page.goto(f"{base}/sources/{result.source_id}")
    viewport = page.viewport_size
    assert page.evaluate("document.documentElement.scrollHeight") > 3 * viewport["height"]

    phrase = "marker phrase 040"
    # the passage on the window's last lines (not the very last: a drag there scrolls)
    select_phrase(page, phrase, block="end", up=90)
    selection = page.evaluate(
        """(phrase) => {
          for (const el of document.querySelectorAll('#text span[data-o]')) {
            const node = el.firstChild;
            const i = node ? node.textContent.indexOf(phrase) : -1;
            if (i < 0) continue;
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + phrase.length);
            const r = range.getBoundingClientRect();
            return {top: r.top, bottom: r.bottom};
          }
        }""",
        phrase,
    )
    assert selection["bottom"] > viewport["height"] - 150
    box = page.locator("#picker").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    # near the selection, and the search field ready to type in
    assert box["y"] + box["height"] <= selection["top"] or box["y"] >= selection["bottom"]
    expect(page.locator("#picker-search")).to_be_focused()
    shots(page, "picker-in-view")

    pick_code(page, "cultural_centers", "picked near the bottom")
    with page.expect_navigation():
        page.click("#picker-save")
    (row,) = coding_rows(project, source_id=result.source_id)
    assert (row["start"], row["end"], row["code"]) == (*span_of(text, phrase), "cultural_centers")


def _apart(row: dict[str, Any], rows: list[dict[str, Any]]) -> bool:
    return all(
        r["id"] == row["id"] or r["end"] <= row["start"] or r["start"] >= row["end"] for r in rows
    )


def test_suggestions_and_human_codings_differ_on_screen_and_in_print(
    coded_demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    """Suggestions are dashed with a marker, accepted and human work solid, in print too
    (black, no colour); rejected suggestions show, struck through, behind a checkbox; a
    decided suggestion has an Undo button."""
    # a source with three suggestions that overlap no other coding
    source_id, text = source_by_title(
        coded_demo, "Illustrative address on the anniversary of Victory"
    )
    everything = coding_rows(coded_demo, source_id=source_id)
    lone = [r for r in everything if _apart(r, everything)]
    assert len(lone) >= 3
    kept, accepted, rejected = lone[:3]
    coding.accept(coded_demo, accepted["id"], "rita")
    coding.reject(coded_demo, rejected["id"], "rita")
    free = next(
        m.span()
        for m in re.finditer(r"[A-Za-z]{6,}", text)
        if all(r["end"] <= m.start() or r["start"] >= m.end() for r in everything)
    )
    human = coding.create(coded_demo, source_id, *free, "cultural_centers", "rita")

    base = live_server(coded_demo, local_user="rita")
    page = pages.new()
    page.goto(f"{base}/sources/{source_id}")

    def mark(coding_id: int) -> Any:
        return page.locator(f"#text mark[data-codings='{coding_id}']").first

    def style(coding_id: int, prop: str, pseudo: str | None = None) -> str:
        return mark(coding_id).evaluate(
            "(el, [prop, pseudo]) => getComputedStyle(el, pseudo).getPropertyValue(prop)",
            [prop, pseudo],
        )

    expect(mark(kept["id"])).to_have_class(re.compile(r"\bhas-suggested\b.*\bopens-suggestion\b"))
    expect(mark(accepted["id"])).to_have_class(re.compile(r"\bhas-coded\b"))
    expect(mark(human)).to_have_class(re.compile(r"\bhas-coded\b"))
    assert style(kept["id"], "border-bottom-style") == "dashed"
    assert style(kept["id"], "content", "::before") == '"◇"'
    for solid in (accepted["id"], human):
        assert style(solid, "border-bottom-style") == "solid"
        assert style(solid, "content", "::before") in ("none", "normal")
    expect(page.locator(f"#text mark[data-codings~='{rejected['id']}']")).to_have_count(0)
    expect(page.locator(f"#coding-{rejected['id']}")).to_have_count(0)
    legend = page.locator("#legend-kinds .sample")
    expect(legend).to_have_count(2)
    expect(page.locator("#legend-kinds")).to_contain_text("dashed: machine suggestion")
    expect(page.locator(f"#coding-{accepted['id']} button[data-action=reopen]")).to_have_attribute(
        "data-expect", "accepted"
    )
    expect(page.locator(f"#coding-{kept['id']} button[data-action=reopen]")).to_have_count(0)
    expect(page.locator(f"#coding-{human} button[data-action=reopen]")).to_have_count(0)
    shots(page, "screen")

    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("#show-rejected")).to_be_hidden()
    assert style(kept["id"], "border-bottom-style") == "dashed"
    assert style(accepted["id"], "border-bottom-style") == "solid"
    for coding_id in (kept["id"], accepted["id"], human):  # black lines, no background
        assert style(coding_id, "border-bottom-color") == "rgb(0, 0, 0)"
        assert style(coding_id, "background-color") == "rgba(0, 0, 0, 0)"
    assert style(kept["id"], "content", "::before") == '"◇"'
    shots(page, "print")
    page.emulate_media(media="screen")

    with page.expect_navigation():
        page.check("#show-rejected input[name=include_rejected]")
    expect(page).to_have_url(re.compile(r"include_rejected=true"))
    expect(page.locator("#show-rejected input[name=include_rejected]")).to_be_checked()
    expect(legend).to_have_count(3)
    expect(mark(rejected["id"])).to_have_class(re.compile(r"\bhas-rejected\b"))
    assert "line-through" in style(rejected["id"], "text-decoration-line")
    item = page.locator(f"#coding-{rejected['id']}")
    expect(item).to_have_class(re.compile(r"\bstatus-rejected\b"))
    undo = item.locator("button[data-action=reopen]")
    expect(undo).to_have_attribute("data-expect", "rejected")
    shots(page, "with-rejected")

    with page.expect_navigation():
        undo.click()
    expect(page).to_have_url(re.compile(r"include_rejected=true"))
    expect(mark(rejected["id"])).to_have_class(re.compile(r"\bhas-suggested\b"))
    expect(page.locator(f"#coding-{rejected['id']} button[data-action=accept]")).to_be_visible()
    (row,) = coding_rows(coded_demo, id=rejected["id"])
    assert row["status"] == "suggested"
    with page.expect_navigation():
        page.click(f"#coding-{accepted['id']} button[data-action=reopen]")
    (row,) = coding_rows(coded_demo, id=accepted["id"])
    assert row["status"] == "suggested"
    expect(mark(accepted["id"])).to_have_class(re.compile(r"\bhas-suggested\b"))
    shots(page, "undone")
    assert audit_problems(coded_demo) == []


def test_api_docs_render_offline_under_the_csp(
    project: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    """/api/docs: Swagger UI from the workbench's own files, started by an external
    script: every request goes to the workbench, and the CSP stays strict."""
    from urllib.parse import urlparse

    base = live_server(project, local_user="tess")
    page = pages.new()
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    response = page.goto(f"{base}/api/docs")
    assert response is not None and response.ok
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp
    assert "<script>" not in response.text()  # no inline script
    docs = page.locator("#swagger-ui")
    expect(docs.locator(".info .title")).to_contain_text("diplocode workbench")
    operation = docs.locator(".opblock", has_text="/api/codings/{coding_id}/reopen")
    expect(operation).to_have_count(1)
    assert docs.locator(".opblock").count() > 20
    operation.locator(".opblock-summary").first.click()
    expect(operation.locator(".parameters-container, .opblock-body").first).to_be_visible()
    expect(operation).to_contain_text("coding_id")
    shots(page, "api-docs")

    hosts = {urlparse(url).hostname for url in requested if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, requested
    assert any(url.endswith("/api/openapi.json") for url in requested)
    assert any("/api/docs/assets/swagger-ui-bundle.js" in url for url in requested)
    assert refused == []


def test_correct_a_source_on_its_page_and_the_comparison_follows(
    demo: Project, live_server: Any, pages: Pages, shots: Shots
) -> None:
    """#10: the source page's metadata form changes the date, the actors and a custom
    attribute (one PATCH, only what changed); the page and the store show the new values."""
    from diplocode.store.schema import source_actors, sources

    base = live_server(demo, local_user="tess")
    page = pages.new()
    page.goto(f"{base}/sources/1")
    page.locator("details.source-edit summary").click()
    form = page.locator("form.source-edit-form")
    form.locator("input[name=date]").fill("2022-05")
    form.locator("input[name=actors]").fill("Russia:author; Kazakhstan:subject")
    form.locator("textarea[name=attributes]").fill("outlet=TASS")
    shots(page, "edit-form")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("p.attributes")).to_contain_text("TASS")
    expect(page.locator("header .meta").first).to_contain_text("2022")
    shots(page, "edited")
    with demo.store.read() as conn:
        row = conn.execute(
            select(sources.c.date_year, sources.c.date_month, sources.c.extra).where(
                sources.c.id == 1
            )
        ).one()
        roles = set(
            conn.execute(
                select(source_actors.c.role).where(source_actors.c.source_id == 1)
            ).scalars()
        )
    assert (row.date_year, row.date_month, row.extra["outlet"]) == (2022, 5, "TASS")
    assert roles == {"author", "subject"}


def test_the_kazakh_report_reads_in_kazakh(
    coded_demo: Project, pages: Pages, shots: Shots, tmp_path: Path
) -> None:
    """#10: ``diplocode report --lang kk`` opened in the browser: Kazakh headings, banner
    and table headers, no English left in them."""
    from typer.testing import CliRunner

    from diplocode.cli import app

    out = tmp_path / "report-kk"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "-p",
            coded_demo.store.where,
            "--out",
            str(out),
            "--lang",
            "kk",
            "--include-suggested",
            "--format",
            "html",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    page = pages.new()
    page.goto((out / "report.html").as_uri())
    body = page.locator("body")
    for english in (
        "Table 2",
        "Models of influence",
        "Machine suggestions are included",
        "Quoted passages",
    ):
        expect(body).not_to_contain_text(english)
    expect(page.locator("h2#table2")).to_contain_text("2-кесте")
    expect(page.locator("table").first).to_contain_text("Қытай")
    shots(page, "report-kk")
