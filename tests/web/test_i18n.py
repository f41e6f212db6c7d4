"""The workbench's interface translations (English source, Russian, Kazakh).

- every user-visible string in the templates (the workbench's and the report's) and in the
  Python modules that write visible text (the comparison's notes, titles and legends, the
  report's headings and tables, the charts' labels) is marked for translation;
- every marked string has a checked (non-empty, non-fuzzy) Russian and Kazakh translation
  with the same placeholders (%-style in templates, {name} in Python), and messages.pot is
  in step with the templates and the modules;
- the catalogues load, pick the right plural forms, and ``negotiate`` chooses the language;
- pages really render in Kazakh and Russian (cookie, Accept-Language, the switch), the
  Compare and Actors pages with source groups, labels and actors' names in Kazakh.

No network; the rendering tests use SQLite files under ``tmp_path``.
"""

from __future__ import annotations

import ast
import functools
import io
import re
from collections.abc import Collection, Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po
from fastapi.testclient import TestClient
from jinja2 import Environment
from jinja2.ext import extract_from_ast

from diplocode.project import Project
from diplocode.web.app import create_app
from diplocode.web.i18n import LANGUAGES, negotiate, translations

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "src" / "diplocode"
WEB = PACKAGE / "web"
TEMPLATES = WEB / "templates"
LOCALE = WEB / "locale"
TRANSLATED = ("ru", "kk")
#: the workbench's templates, then the report's
TEMPLATE_FILES = sorted(TEMPLATES.glob("*.html")) + sorted(
    (PACKAGE / "report" / "templates").glob("*.j2")
)
#: the Python modules that write text a reader sees (as scripts/extract_messages.py reads)
PYTHON_MODULES = [
    PACKAGE / name
    for name in (
        "i18n.py",
        "analysis/compare.py",
        "analysis/models.py",
        "report/__init__.py",
        "report/charts.py",
        "report/display.py",
        "report/export.py",
        "report/html.py",
        "report/tables.py",
    )
]
#: the gettext calls of those modules (``N_`` marks a constant, translated where shown)
PYTHON_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}

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
SAME_IN_RU_AND_KK = {
    "Actor",
    "Code",
    "Corpus",
    "File",
    "actor",
    "code",
    "author",
    "bloc",
    "Actor × code",
    "Triangulation",
}
#: Python literals with words in them that a reader never sees as they are (module name
#: -> literals): values the code compares data with, options of matplotlib, file names.
ALLOWED_PYTHON_LITERALS: dict[str, set[str]] = {
    "report/display.py": {
        "share >= 1/k of its dimension",  # stats.overlap_zones' measure, matched to translate it
        "share >= (?P<value>[0-9.]+)",  # ... and its other form
    },
    "report/charts.py": {"outside lower center"},  # matplotlib's legend position
    "report/tables.py": {
        "Cultural diplomacy in Central Asia: tables",  # write_docx's default title (callers pass one)
        "Table Grid",  # python-docx's table style name
    },
}
#: calls whose string arguments are not shown as they are: the coded errors (their text is
#: the errors domain's) and programming errors (for developers, in English)
PYTHON_EXEMPT_CALLS = {"DiplocodeError", "ValueError", "TypeError", "KeyError", "RuntimeError"}
#: calls whose literal string arguments are shown (chart and document text)
PYTHON_TEXT_CALLS = {
    "set_title",
    "set_xlabel",
    "set_ylabel",
    "set_label",
    "suptitle",
    "text",
    "add_heading",
    "add_run",
    "add_paragraph",
}

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
    for path in TEMPLATE_FILES:  # the workbench's and the report's
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


def _module_name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@functools.cache
def python_messages() -> dict[str | tuple[str, str], set[str]]:
    """msgid (a tuple for ngettext) -> marked Python modules using it (Babel's extractor,
    as scripts/extract_messages.py runs it)."""
    used: dict[str | tuple[str, str], set[str]] = {}
    for path in PYTHON_MODULES:
        for _lineno, message, _comments, _context in extract_from_file(
            "python", path, keywords=PYTHON_KEYWORDS
        ):
            used.setdefault(message, set()).add(_module_name(path))  # type: ignore[arg-type]
    return used


def all_messages() -> dict[str | tuple[str, str], set[str]]:
    """Every message of the interface domain: the templates' and the Python modules'."""
    out = {k: set(v) for k, v in template_messages().items()}
    for key, where in python_messages().items():
        out.setdefault(key, set()).update(where)
    return out


_PROSE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def unmarked_python(source: str, allowed: Collection[str] = ()) -> list[str]:
    """Literal text in Python ``source`` that looks shown to a reader and is not marked:
    a string (or an f-string's literal parts) with two words or more, or any literal with
    letters given to a call that draws or writes text (:data:`PYTHON_TEXT_CALLS`).
    Docstrings, ``__all__``, marked calls (``_``, ``gettext``, ``ngettext``, ``N_``) and
    the arguments of error calls are not shown text; ``allowed`` lists the exceptions."""
    tree = ast.parse(source)
    skip: set[int] = set()
    marks = {"_", "gettext", "ngettext", "N_"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in marks | PYTHON_EXEMPT_CALLS:
            skip.update(id(sub) for sub in ast.walk(node))
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            skip.update(id(sub) for sub in ast.walk(node.value))
    found = []

    def literal(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
        return None

    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)  # judged as a whole
        if id(node) in skip:
            continue
        text = literal(node)
        if text is not None and text.strip() not in allowed and _PROSE.search(text):
            found.append(f"line {node.lineno}: {text!r}")  # type: ignore[attr-defined]
        if isinstance(node, ast.Call) and _call_name(node) in PYTHON_TEXT_CALLS:
            for arg in node.args:
                text = literal(arg)
                if (
                    id(arg) not in skip
                    and text is not None
                    and text.strip() not in allowed
                    and _has_letters(text)
                    and not _PROSE.search(text)  # reported above
                ):
                    found.append(f"line {arg.lineno}: {text!r}")
    return found


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
    assert {"base.html", "corpus.html", "review.html", "source.html", "report.html.j2"} <= names


@pytest.mark.parametrize("path", PYTHON_MODULES, ids=_module_name)
def test_python_module_has_no_unmarked_text(path: Path) -> None:
    name = _module_name(path)
    found = unmarked_python(path.read_text(encoding="utf-8"), ALLOWED_PYTHON_LITERALS.get(name, ()))
    assert not found, (
        f"{name}: text a reader sees not marked for translation (write "
        f'_("... {{name}} ...").format(name=...) with _ = translations(lang).gettext, or '
        f"N_() for a constant): {found}"
    )


def test_python_modules_are_the_extraction_scripts(extractor: ModuleType) -> None:
    assert list(extractor.PYTHON_SOURCES) == PYTHON_MODULES
    assert extractor.PYTHON_KEYWORDS == PYTHON_KEYWORDS


def test_unmarked_python_check_catches_what_it_should() -> None:
    def found(source: str) -> list[str]:
        return [f.split(": ", 1)[1] for f in unmarked_python(source)]

    assert found('title = "Codes by actor"') == ["'Codes by actor'"]
    assert found('title = f"Codes by {by}"') == ["'Codes by '"]
    assert found('ax.set_xlabel("Year")') == ["'Year'"]
    assert found('ax.text(0.5, 0.5, "No data", ha="center")') == ["'No data'"]
    assert found('legend = ["count: coded passages."]') == ["'count: coded passages.'"]
    # marked text, docstrings, __all__, keys, symbols and errors are fine
    assert found('_ = t.gettext\ntitle = _("Codes by {by}").format(by=by)') == []
    assert found('x = ngettext("{n} coding", "{n} codings", n).format(n=n)') == []
    assert found('NAMES = {"official": N_("official")}') == []
    assert found('def f():\n    """A docstring with words."""\n    return frame["code"]') == []
    assert found('__all__ = ["the module names"]') == []
    assert found('raise DiplocodeError("E060", owner="the comparison")') == []
    assert found('raise ValueError(f"no column {by!r} to select")') == []
    assert found('ax.set_xlabel(_("Year")); label = f"{a} ({n}, {s:.0%})"') == []
    assert found('fig.legend(loc="outside lower center")') == ["'outside lower center'"]
    assert unmarked_python('fig.legend(loc="outside lower center")', {"outside lower center"}) == []


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


def test_python_modules_use_messages() -> None:
    used = python_messages()
    assert "Share within dimension" in used and "official" in used
    assert ("{n} coding counted", "{n} codings counted") in used
    assert len(used) > 100


def brace_placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in re.finditer(r"\{\w*(?:![rsa])?(?::[^{}]*)?\}", text))


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_translates_every_template_message(lang: str) -> None:
    """Every message of the templates and of the Python modules: translated, checked, with
    the same placeholders (%-style where a template uses it, {name} where Python does)."""
    catalog = load(lang)
    problems = []
    in_python = python_messages()
    for msgid, where in sorted(all_messages().items(), key=lambda kv: _key(kv[0])):
        message: Message | None = catalog.get(_key(msgid))
        label = f"{_key(msgid)!r} ({', '.join(sorted(where))})"
        styles = [placeholders] if msgid in template_messages() else []
        styles += [brace_placeholders] if msgid in in_python else []
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
            sources = (msgid[0], msgid[1])
        else:
            forms = (message.string,)
            sources = (msgid,)
        for form in forms:
            if not isinstance(form, str) or not form.strip():
                problems.append(f"empty translation: {label}")
                continue
            for style in styles:
                wanted = [style(text) for text in sources]
                if style(form) not in wanted:
                    problems.append(
                        f"placeholders {style(form)} in {form!r}, want {wanted[-1]}: {label}"
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
    assert in_pot == set(all_messages()), "run: python scripts/extract_messages.py"


# -- the extraction script --------------------------------------------------------------------


def test_extraction_script_is_up_to_date_and_deterministic(extractor: ModuleType) -> None:
    first = extractor.outputs()
    assert first == extractor.outputs()
    for path, content in first.items():
        assert path.read_bytes() == content, (
            f"{path.relative_to(REPO)} is out of date: run python scripts/extract_messages.py"
        )
    assert b"Generated-By" not in first[extractor.POT]
    assert set(extractor.extract()._messages) == {_key(m) for m in all_messages()}


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
    """The catalogues compile (in memory, as the app and the report do) and give a
    translation for every message: nothing falls back to English."""
    for lang in TRANSLATED:
        t = translations(lang)
        for msgid in all_messages():
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
        "Memos",
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
        "Заметки",
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
        "Ескертпелер",
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
        for m in all_messages()
        if isinstance(m, str) and len(m.split()) > 1 and not re.search(r"[%{]", m) and m in text
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


# -- e. the comparison and the actors in Kazakh -------------------------------------------------


def test_compare_page_in_kazakh(demo_app: TestClient) -> None:
    """The Compare page in Kazakh: source groups, statuses, roles, the columns' and codes'
    labels, the legend the engine writes and the actors by their Kazakh names (the
    canonical name kept in a title, as filters and the data use it)."""
    demo_app.cookies.set("dc_lang", "kk")
    try:
        r = demo_app.get("/compare", params={"include_suggested": "true"})
    finally:
        demo_app.cookies.delete("dc_lang")
    assert r.status_code == 200, r.text[:500]
    text = visible_text(r.text)
    for group in ("ресми", "академиялық", "сараптамалық", "БАҚ", "сұхбат", "басқа"):
        assert f">{group}</option>" in r.text, group
    assert '<option value="official">' in r.text  # the value is the key the filter takes
    assert "есептелді: түпкілікті, қабылданды, ұсынылды" in text
    assert "үзінді қай актор туралы" in text
    assert '<th scope="row" title="China">Қытай</th>' in r.text
    assert '<th scope="row" title="Russia">Ресей</th>' in r.text
    assert ">China<" not in r.text and ">Russia<" not in r.text
    assert "Басым нарратив" in text and "Ықпал ету модельдері" in text  # the codebook's kk
    kk = translations("kk").gettext
    assert kk("the actor each passage is about") in text  # the engine's legend
    for english in ("Rows: actors", "95% interval", "Quotes: per code", ">official<", "Table 2"):
        assert english not in r.text, english


def test_actors_pages_in_kazakh(demo_app: TestClient) -> None:
    headers = {"Accept-Language": "kk"}
    page = demo_app.get("/actors", headers=headers)
    assert page.status_code == 200
    assert 'title="China">Қытай</a>' in page.text and ">мемлекет<" in page.text
    assert ">China<" not in page.text and ">state<" not in page.text
    one = demo_app.get("/actors/china", headers=headers)
    assert "<h1>Қытай" in one.text and ">атау<" in one.text
    listed = demo_app.get("/api/actors", headers=headers).json()["actors"]
    china = next(a for a in listed if a["key"] == "china")
    assert china["name"] == "China" and china["label"] == "Қытай"
    english = demo_app.get("/api/actors", headers={"Accept-Language": "en"}).json()["actors"]
    assert next(a for a in english if a["key"] == "china")["label"] == "China"


def test_compare_api_keeps_keys_and_adds_actor_labels(demo_app: TestClient) -> None:
    r = demo_app.get(
        "/api/compare",
        params={"table": "crosstab", "include_suggested": "true"},
        headers={"Accept-Language": "kk"},
    )
    body = r.json()
    row = next(x for x in body["rows"] if x["actor"] == "China")
    assert row["actor_label"] == "Қытай" and "share" in row and "count" in row
    assert body["title"] == "Кодтар: актор бойынша"
    models = demo_app.get(
        "/api/compare", params={"include_suggested": "true"}, headers={"Accept-Language": "kk"}
    ).json()
    cell = next(c for c in models["cells"] if c["actor"] == "China")
    assert cell["actor_label"] == "Қытай"


def test_display_names(tmp_path: Path) -> None:
    """The first 'name' in the language (patterns skipped), else the canonical name."""
    from diplocode.attribution.gazetteer import display_names, name_actor

    project = Project.init(tmp_path / "p.db")
    try:
        from diplocode.attribution import seed_if_new

        seed_if_new(project.store)
        kk, ru, en = (display_names(project.store, lang) for lang in ("kk", "ru", "en"))
        assert kk["China"] == "Қытай" and ru["China"] == "Китай" and en["China"] == "China"
        assert kk["Russia"] == "Ресей" and ru["United States"] == "Соединённые Штаты"
        assert display_names(project.store, "tk")["China"] == "China"  # none: the canonical
        name_actor(project.store, "china", "re:Қытай\\w*", "kk", "test")  # a pattern: skipped
        assert display_names(project.store, "kk")["China"] == "Қытай"
        with project.store.read() as conn:
            assert display_names(conn, "kk") == display_names(project.store, "kk")
    finally:
        project.close()


@pytest.mark.parametrize("path", ["/", "/retrieve"])
def test_source_groups_in_kazakh_on_the_filter_pages(demo_app: TestClient, path: str) -> None:
    r = demo_app.get(path, headers={"Accept-Language": "kk"})
    assert r.status_code == 200
    assert '<option value="official"' in r.text and ">ресми</option>" in r.text
    assert ">official</option>" not in r.text and ">media</option>" not in r.text
