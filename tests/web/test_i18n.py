"""The workbench's interface translations (English source, Russian, Kazakh).

- every user-visible string in the templates is marked for translation;
- every marked string has a checked (non-empty, non-fuzzy) Russian and Kazakh translation
  with the same %-placeholders, and messages.pot is in step with the templates;
- the catalogues load, pick the right plural forms, and ``negotiate`` chooses the language;
- pages really render in Kazakh and Russian (cookie, Accept-Language, the switch).

No network; the rendering tests use SQLite files under ``tmp_path``.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from fastapi.testclient import TestClient
from jinja2 import Environment
from jinja2.ext import extract_from_ast

from diplocode.project import Project
from diplocode.web.app import create_app
from diplocode.web.i18n import LANGUAGES, negotiate, translations

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "src" / "diplocode" / "web"
TEMPLATES = WEB / "templates"
LOCALE = WEB / "locale"
TRANSLATED = ("ru", "kk")
TEMPLATE_FILES = sorted(TEMPLATES.glob("*.html"))

#: Attribute values shown to the user that are deliberately NOT translated. They are
#: example inputs (a coder name, an actor, ISO dates, an audit event kind) in the form
#: the filter or field expects, so they must stay exactly as the data spells them.
ALLOWED_ATTRIBUTE_VALUES = {
    "diplocode.lexicon.v1",  # review.html: a coder name, as stored
    "China",  # corpus.html: an actor name, as the manifests spell it
    "2023-05-19",  # corpus.html: date format the upload expects
    "coding.accepted",  # audit.html: an audit event kind, as stored
    "2026-01-01",  # audit.html: date format the filter expects
}
#: Words allowed in template text: the product name (page title, brand, footer).
ALLOWED_WORDS = {"diplocode"}
#: attributes a user reads (tooltips, screen readers, empty fields, images)
VISIBLE_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
#: Kazakh translations that are the same word as the Russian one (international terms)
SAME_IN_RU_AND_KK = {"Actor", "Code", "Corpus", "File"}

PLACEHOLDER = re.compile(r"%(?:\((?P<name>\w+)\))?[#0 +\-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


# -- helpers ---------------------------------------------------------------------------------


def _env() -> Environment:
    return Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)


def strip_jinja(source: str) -> str:
    """``source`` without its ``{{ ... }}``, ``{% ... %}`` and ``{# ... #}`` blocks: the
    literal HTML only. Jinja's own lexer finds the blocks, so strings containing ``}}``
    or ``%}`` inside an expression cannot fool it."""
    return "".join(value for _, kind, value in _env().lex(source) if kind == "data")


class _Literals(HTMLParser):
    """Collects text nodes (outside <style>/<script>) and visible attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        values = dict(attrs)
        names = list(VISIBLE_ATTRIBUTES)
        if tag == "input" and (values.get("type") or "") in ("submit", "button", "reset"):
            names.append("value")
        for name in names:
            if values.get(name):
                self.attributes.append((tag, name, values[name] or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def unmarked(source: str) -> list[str]:
    """Literal user-visible text in a template that is not marked for translation."""
    parser = _Literals()
    parser.feed(strip_jinja(source))
    parser.close()
    found = []
    for text in parser.texts:
        words = [w for w in text.split() if w not in ALLOWED_WORDS]
        if _has_letters(" ".join(words)):
            found.append(f"text {text!r}")
    for tag, name, value in parser.attributes:
        if value.strip() not in ALLOWED_ATTRIBUTE_VALUES and _has_letters(value):
            found.append(f"<{tag} {name}={value!r}>")
    return found


@functools.cache
def template_messages() -> dict[str | tuple[str, str], set[str]]:
    """msgid (a tuple for ngettext) -> templates using it, read from the templates' ASTs."""
    env = _env()
    used: dict[str | tuple[str, str], set[str]] = {}
    for path in TEMPLATE_FILES:
        ast = env.parse(path.read_text(encoding="utf-8"))
        for lineno, func, message in extract_from_ast(ast, babel_style=True):
            args = message if isinstance(message, tuple) else (message,)
            wanted = 2 if func == "ngettext" else 1
            strings = args[:wanted]
            assert len(strings) == wanted and all(isinstance(s, str) for s in strings), (
                f"{path.name}:{lineno}: {func}() needs literal strings to be extractable"
            )
            key = strings[0] if wanted == 1 else (strings[0], strings[1])
            used.setdefault(key, set()).add(path.name)  # type: ignore[arg-type]
    return used


def load(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "diplocode.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def _key(msgid: str | tuple[str, str]) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


# -- a. nothing left unmarked -----------------------------------------------------------------


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.name)
def test_template_has_no_unmarked_text(path: Path) -> None:
    found = unmarked(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.name}: user-visible text not marked for translation (wrap it in "
        f'{{{{ _("...") }}}}): {found}'
    )


def test_templates_exist() -> None:
    names = {p.name for p in TEMPLATE_FILES}
    assert {"base.html", "corpus.html", "review.html", "source.html"} <= names


def test_unmarked_text_check_catches_what_it_should() -> None:
    assert unmarked("<p>Hello {{ name }}</p>") == ["text 'Hello'"]
    assert unmarked('<input placeholder="Search codes">') == ["<input placeholder='Search codes'>"]
    assert unmarked('<button title="Close">×</button>') == ["<button title='Close'>"]
    assert unmarked('<img alt="Logo" src="x.png">') == ["<img alt='Logo'>"]
    assert unmarked('<div aria-label="Dialog"></div>') == ["<div aria-label='Dialog'>"]
    assert unmarked('<input type="submit" value="Send">') == ["<input value='Send'>"]
    assert unmarked("<p>Қазақша</p>") == ["text 'Қазақша'"]
    # marked text, symbols, code, comments, style and script are fine
    assert unmarked('<p>{{ _("Hello") }}: {{ n }} · 50% → «{{ q }}» #{{ i }}</p>') == []
    assert unmarked("<p>{# a note for developers #}{% if x %}-{% endif %}</p>") == []
    assert unmarked("<p title=\"{{ _('Role') }}: {{ r }}\">{{ a }}</p>") == []
    assert unmarked("<style>.dim-{{ d }} { --dim: red; }</style>") == []
    assert unmarked('<script>const label = "text";</script>') == []
    assert unmarked('<input placeholder="2026-01-01"><input placeholder="China">') == []
    assert unmarked('<p>{{ "}} and %} in a string" }}</p>') == []


# -- b. every marked string is translated -----------------------------------------------------


def test_templates_use_messages() -> None:
    used = template_messages()
    assert "Corpus" in used and ("%(num)d source", "%(num)d sources") in used
    assert len(used) > 50


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_translates_every_template_message(lang: str) -> None:
    catalog = load(lang)
    problems = []
    for msgid, where in sorted(template_messages().items(), key=lambda kv: _key(kv[0])):
        message: Message | None = catalog.get(_key(msgid))
        label = f"{_key(msgid)!r} ({', '.join(sorted(where))})"
        if message is None:
            problems.append(f"missing: {label}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy (check it, then remove the flag): {label}")
        if isinstance(msgid, tuple):
            if not isinstance(message.id, tuple) or message.id[1] != msgid[1]:
                problems.append(f"not a plural entry with msgid_plural {msgid[1]!r}: {label}")
                continue
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            if len(forms) != catalog.num_plurals:
                problems.append(f"{len(forms)} plural forms, want {catalog.num_plurals}: {label}")
            wanted = (placeholders(msgid[0]), placeholders(msgid[1]))
        else:
            forms = (message.string,)
            wanted = (placeholders(msgid),)
        for form in forms:
            if not isinstance(form, str) or not form.strip():
                problems.append(f"empty translation: {label}")
            elif placeholders(form) not in wanted:
                problems.append(
                    f"placeholders {placeholders(form)} in {form!r}, want {wanted[-1]}: {label}"
                )
    assert not problems, f"{lang} catalogue:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_header(lang: str) -> None:
    catalog = load(lang)
    assert str(catalog.locale) == lang
    assert catalog.num_plurals == {"ru": 3, "kk": 2}[lang]
    assert not catalog.fuzzy
    assert catalog.charset == "utf-8"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_are_in_cyrillic_without_mixed_scripts(lang: str) -> None:
    """A Latin letter inside a Cyrillic word (Latin ``i`` for ``і``, ``a`` for ``а``) looks
    right on screen but breaks search and sorting."""
    bad = []
    for message in load(lang):
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            for word in re.findall(r"\w+", form):
                cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in word)
                latin = any(ch.isascii() and ch.isalpha() for ch in word)
                if cyrillic and latin:
                    bad.append(f"{word!r} in {form!r}")
    assert not bad, bad


def test_kazakh_is_kazakh_not_russian() -> None:
    ru, kk = load("ru"), load("kk")
    letters = "".join(str(m.string) for m in kk if m.id)
    for ch in "әғқңөұүі":  # (һ is rare in Kazakh; no current message needs it)
        assert ch in letters, f"no {ch!r} anywhere in the Kazakh catalogue"
    copied = [
        m.id
        for m in kk
        if m.id and m.string == ru.get(m.id).string and _key(m.id) not in SAME_IN_RU_AND_KK
    ]
    assert not copied, f"Kazakh entries identical to the Russian ones: {copied}"


def test_messages_pot_matches_the_templates() -> None:
    with (LOCALE / "messages.pot").open("rb") as handle:
        pot = read_po(handle)
    in_pot = {m.id for m in pot if m.id}
    assert in_pot == set(template_messages()), "run: python scripts/extract_messages.py"


# -- the extraction script --------------------------------------------------------------------


def test_extraction_script_is_up_to_date_and_deterministic(extractor: ModuleType) -> None:
    first = extractor.outputs()
    assert first == extractor.outputs()
    for path, content in first.items():
        assert path.read_bytes() == content, (
            f"{path.relative_to(REPO)} is out of date: run python scripts/extract_messages.py"
        )
    assert b"Generated-By" not in first[extractor.POT]
    assert set(extractor.extract()._messages) == {_key(m) for m in template_messages()}


def test_extraction_script_merge(extractor: ModuleType) -> None:
    old = Catalog(locale="ru")
    old.add("Corpus", "Корпус")
    old.add("Review the suggestions", "Проверить предложения")
    old.add("Gone", "Ушло")
    old.obsolete["Back"] = Message("Back", "Назад")
    buffer = io.BytesIO()
    write_po(buffer, old)
    template = Catalog()
    for msgid in ("Corpus", "Review these suggestions", "Brand new", "Back"):
        template.add(msgid)
    merged = extractor.merge(template, buffer.getvalue(), "ru")
    text = extractor.render(merged).decode("utf-8")
    again = read_po(io.BytesIO(text.encode("utf-8")), locale="ru")
    assert again.get("Corpus").string == "Корпус" and not again.get("Corpus").fuzzy
    assert again.get("Brand new").string == ""
    changed = again.get("Review these suggestions")
    assert changed.fuzzy and changed.string == "Проверить предложения"
    assert again.get("Back").string == "Назад"  # back from obsolete
    assert again.get("Gone") is None and "Gone" in again.obsolete
    assert again.num_plurals == 3


# -- c. catalogues and language choice --------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "english", "expected"),
    [
        ("ru", "Corpus", "Корпус"),
        ("ru", "Review", "Проверка"),
        ("ru", "Codebook", "Кодовая книга"),
        ("ru", "Audit log", "Журнал аудита"),
        ("kk", "Corpus", "Корпус"),
        ("kk", "Review", "Тексеру"),
        ("kk", "Codebook", "Кодтар кітабы"),
        ("kk", "Audit log", "Аудит журналы"),
        ("en", "Corpus", "Corpus"),
        ("de", "Corpus", "Corpus"),  # no catalogue: the English text
    ],
)
def test_gettext(lang: str, english: str, expected: str) -> None:
    assert translations(lang).gettext(english) == expected


def test_every_template_message_is_translated_at_runtime() -> None:
    """The catalogues compile (in memory, as the app does) and give a translation for
    every template message: nothing falls back to English."""
    for lang in TRANSLATED:
        t = translations(lang)
        for msgid in template_messages():
            if isinstance(msgid, tuple):
                assert t.ngettext(msgid[0], msgid[1], 5) not in msgid, (lang, msgid)
            else:
                assert t.gettext(msgid) != msgid, (lang, msgid)


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("ru", 0, "0 источников"),
        ("ru", 1, "1 источник"),
        ("ru", 2, "2 источника"),
        ("ru", 4, "4 источника"),
        ("ru", 5, "5 источников"),
        ("ru", 11, "11 источников"),
        ("ru", 12, "12 источников"),
        ("ru", 21, "21 источник"),
        ("ru", 22, "22 источника"),
        ("ru", 111, "111 источников"),
        ("kk", 1, "1 дереккөз"),
        ("kk", 5, "5 дереккөз"),
        ("en", 1, "1 source"),
        ("en", 5, "5 sources"),
    ],
)
def test_plural_forms(lang: str, n: int, expected: str) -> None:
    template = translations(lang).ngettext("%(num)d source", "%(num)d sources", n)
    assert template % {"num": n} == expected


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "en"),
        (None, "", "en"),
        (None, "kk", "kk"),
        (None, "kk-KZ,kk;q=0.9,ru;q=0.8,en;q=0.5", "kk"),
        (None, "ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
        (None, "en-US,en;q=0.9,ru;q=0.8", "en"),
        (None, "RU", "ru"),
        (None, "en;q=0.5, kk;q=0.9, ru;q=0.7", "kk"),
        (None, "ru, kk", "ru"),  # equal quality: the first listed
        (None, "de-DE,kk;q=0.3", "kk"),  # skips languages the interface lacks
        (None, "de-DE,fr;q=0.8", "en"),
        (None, "ru;q=oops, kk;q=0.2", "kk"),  # an unreadable quality ranks last
        ("ru", "kk-KZ", "ru"),  # the switch wins over the browser
        ("kk", None, "kk"),
        ("en", "ru", "en"),
        ("xx", "kk", "kk"),  # an unknown cookie value is ignored
    ],
)
def test_negotiate(cookie: str | None, accept: str | None, expected: str) -> None:
    assert negotiate(cookie, accept) == expected


def test_interface_languages() -> None:
    assert set(LANGUAGES) == {"en", "ru", "kk"}
    for lang in TRANSLATED:
        assert (LOCALE / lang / "LC_MESSAGES" / "diplocode.po").is_file()


# -- d. pages in Kazakh and Russian -----------------------------------------------------------


class _Nav(HTMLParser):
    """The link texts of the header's main <nav>."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self._depth = 0
        self._done = False
        self._in_a = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "nav" and not self._done and not dict(attrs).get("class"):
            self._depth = 1
        elif tag == "a" and self._depth:
            self._in_a = True
            self.links.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._depth:
            self._depth, self._done = 0, True
        elif tag == "a":
            self._in_a = False

    def handle_data(self, data: str) -> None:
        if self._in_a:
            self.links[-1] += data.strip()


def nav_links(html: str) -> list[str]:
    parser = _Nav()
    parser.feed(html)
    return parser.links


NAV = {
    "en": [
        "Corpus",
        "Review",
        "Codebook",
        "Actors",
        "Compare",
        "Retrieve",
        "Audit log",
        "Settings",
    ],
    "ru": [
        "Корпус",
        "Проверка",
        "Кодовая книга",
        "Акторы",
        "Сравнение",
        "Выборка",
        "Журнал аудита",
        "Настройки",
    ],
    "kk": [
        "Корпус",
        "Тексеру",
        "Кодтар кітабы",
        "Акторлар",
        "Салыстыру",
        "Іріктеу",
        "Аудит журналы",
        "Баптаулар",
    ],
}


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[TestClient]:
    project = Project.init(tmp_path / "p.db")
    try:
        with TestClient(create_app(project), follow_redirects=False) as client:
            yield client
    finally:
        project.close()


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_page_in_language_from_cookie(empty_app: TestClient, lang: str) -> None:
    empty_app.cookies.set("dc_lang", lang)
    r = empty_app.get("/", headers={"Accept-Language": "en-US"})  # the cookie wins
    assert r.status_code == 200
    assert f'<html lang="{lang}">' in r.text
    assert nav_links(r.text) == NAV[lang]
    assert {"ru": "0 источников", "kk": "0 дереккөз"}[lang] in r.text
    heading = {"ru": "Поиск по тексту", "kk": "Мәтіннен іздеу"}[lang]
    assert heading in r.text and "Search the text" not in r.text


def test_page_in_kazakh_from_accept_language(empty_app: TestClient) -> None:
    r = empty_app.get("/", headers={"Accept-Language": "kk-KZ,kk;q=0.9,ru;q=0.8"})
    assert r.status_code == 200
    links = nav_links(r.text)
    assert "Корпус" in links and "Тексеру" in links
    assert "Review" not in links and "Проверка" not in links


def test_page_in_english_by_default(empty_app: TestClient) -> None:
    r = empty_app.get("/")
    assert '<html lang="en">' in r.text
    assert nav_links(r.text) == NAV["en"]


def test_language_switch_sets_the_cookie(empty_app: TestClient) -> None:
    r = empty_app.get("/lang/kk", params={"next": "/codebook"})
    assert r.status_code == 303 and r.headers["location"] == "/codebook"
    assert empty_app.cookies.get("dc_lang") == "kk"
    page = empty_app.get("/codebook")
    assert nav_links(page.text) == NAV["kk"]
    assert "<h1>Кодтар кітабы:" in page.text
    empty_app.get("/lang/ru")
    assert nav_links(empty_app.get("/").text) == NAV["ru"]
    empty_app.get("/lang/xx")  # not an interface language: ignored
    assert nav_links(empty_app.get("/").text) == NAV["ru"]


# every page of a project with data, in each language: (language, path, an English
# message on that page). The compare page with its table and heatmap takes seconds to
# draw, so it runs in Kazakh only.
PAGES = [
    (lang, path, english)
    for lang in TRANSLATED
    for path, english in [
        ("/", "Corpus"),
        ("/review", "Review machine suggestions"),
        ("/codebook", "Codebook"),
        ("/actors", "Actors"),
        ("/actors/china", "Names"),
        ("/compare", "Compare actors"),
        ("/audit", "Audit log"),
        ("/audit?verify=true", "Verified: the hash chain is intact and matches the data."),
        ("/settings", "Blind coding"),
        ("/sources/1", "Memos"),
    ]
] + [("kk", "/compare?include_suggested=true", "Table 2")]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from diplocode.demo import build_demo_project, code_demo_project

    project, _ = build_demo_project(tmp_path_factory.mktemp("demo") / "demo.db")
    try:
        code_demo_project(project)
        with TestClient(create_app(project), follow_redirects=False) as client:
            yield client
    finally:
        project.close()


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.chunks.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.chunks).split())


@pytest.mark.parametrize(
    ("lang", "path", "english"), PAGES, ids=[f"{lang}:{path}" for lang, path, _ in PAGES]
)
def test_every_page_renders_translated(
    demo_app: TestClient, lang: str, path: str, english: str
) -> None:
    r = demo_app.get(path, headers={"Accept-Language": lang})
    assert r.status_code == 200, r.text[:500]
    assert f'<html lang="{lang}">' in r.text
    text = visible_text(r.text)
    assert translations(lang).gettext(english) in text
    # no interface sentence left in English (single words could be data, so only
    # messages of two or more words are checked)
    leaked = [
        m
        for m in template_messages()
        if isinstance(m, str) and len(m.split()) > 1 and "%" not in m and m in text
    ]
    assert not leaked, f"English on the {lang} page {path}: {leaked}"
    assert "%(" not in text


@pytest.mark.parametrize("lang", TRANSLATED)
def test_error_page_and_upload_results_translated(demo_app: TestClient, lang: str) -> None:
    headers = {"Accept-Language": lang}
    missing = demo_app.get("/sources/999999", headers=headers)
    assert missing.status_code == 404
    assert translations(lang).gettext("Something needs attention") in missing.text
    assert translations(lang).gettext("Back to the corpus") in missing.text

    csrf = re.search(r'name="csrf-token" content="([^"]+)"', demo_app.get("/").text)
    assert csrf
    r = demo_app.post(
        "/upload",
        headers=headers,
        data={"csrf_token": csrf.group(1), "actor": "China", "group": "", "date": ""},
        files=[
            ("files", (f"note-{lang}.txt", f"A short note in {lang}.\n".encode(), "text/plain"))
        ],
    )
    assert r.status_code == 200, r.text[:500]
    assert f"<h1>{translations(lang).gettext('Upload')}</h1>" in r.text
    statuses = [translations(lang).gettext(s) for s in ("added", "failed")]
    assert any(s in visible_text(r.text) for s in statuses)
