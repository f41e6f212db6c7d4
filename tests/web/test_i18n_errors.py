"""The coded error messages in Russian and Kazakh (the gettext domain ``errors``).

- every what/fix template of ``diplocode.errors.CATALOGUE`` has a checked Russian and
  Kazakh translation with exactly the same ``{...}`` placeholders, and keeps commands,
  options and variable names as users type them; errors.pot is in step with the catalogue;
- :func:`diplocode.errors.localized` fills the translations, and falls back to English when
  a translation is broken;
- the workbench shows them: ``what_local``/``fix_local`` in the API (``what``/``fix`` stay
  English), the error page, the login page and the upload results in the user's language.

No network; the web tests use SQLite files under ``tmp_path``.
"""

from __future__ import annotations

import doctest
import io
import re
import string
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

import diplocode.errors
from diplocode.errors import (
    CATALOGUE,
    REQUEST_INVALID,
    DiplocodeError,
    localized,
    translate,
)
from diplocode.project import Project
from diplocode.web.app import create_app
from diplocode.web.i18n import error_translations, translations

REPO = Path(__file__).resolve().parents[2]
LOCALE = REPO / "src" / "diplocode" / "web" / "locale"
TRANSLATED = ("ru", "kk")

#: (code, "what"/"fix", template) for every message of the domain, in catalogue order
TEMPLATES = [
    (code, part, template)
    for code, pair in [*CATALOGUE.items(), ("E060 (request)", REQUEST_INVALID)]
    for part, template in zip(("what", "fix"), pair, strict=True)
]
#: messages whose translation is the msgid itself (nothing but a placeholder)
SAME_IN_EVERY_LANGUAGE = {"{detail}"}
#: what users type and must therefore stay as written: options, quoted commands,
#: environment variables, URLs and file names
VERBATIM = re.compile(
    r"--[a-z][\w-]*"
    r"|'diplocode [^']*'"
    r"|\bDIPLOCODE_\w+"
    r"|pip install -U diplocode"
    r"|postgresql://\S+"
    r"|/api/docs"
    r"|\bdiplocode(?:\.db|\[postgres\])"
    r"|\bocrmypdf\b"
)


def load(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "errors.po").open("rb") as handle:
        return read_po(handle, locale=lang, domain="errors")


def placeholders(template: str) -> set[str]:
    """The ``{...}`` fields of a ``str.format`` template, as written (``{value!r}``,
    ``{size_mb:.1f}``)."""
    found = set()
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is not None:
            found.add(
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
    return found


# -- the catalogues ---------------------------------------------------------------------------


def test_the_domain_covers_the_whole_catalogue() -> None:
    assert len(CATALOGUE) >= 45
    assert len({t for _, _, t in TEMPLATES}) == len(TEMPLATES) == 2 * len(CATALOGUE) + 2
    assert placeholders("{size_mb:.1f} {value!r} {path}") == {
        "{size_mb:.1f}",
        "{value!r}",
        "{path}",
    }


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_template_is_translated_with_the_same_placeholders(lang: str) -> None:
    catalog = load(lang)
    problems = []
    for code, part, template in TEMPLATES:
        label = f"{code} {part}: {template!r}"
        message = catalog.get(template)
        if message is None:
            problems.append(f"missing: {label}")
            continue
        translated = message.string
        if message.fuzzy:
            problems.append(f"fuzzy (check it, then remove the flag): {label}")
        if not isinstance(translated, str) or not translated.strip():
            problems.append(f"empty translation: {label}")
            continue
        try:
            found = placeholders(translated)
        except ValueError as exc:
            problems.append(f"unbalanced braces ({exc}) in {translated!r}: {label}")
            continue
        if found != placeholders(template):
            problems.append(
                f"placeholders {sorted(found)} in {translated!r}, want "
                f"{sorted(placeholders(template))}: {label}"
            )
        if translated == template and template not in SAME_IN_EVERY_LANGUAGE:
            problems.append(f"left in English: {label}")
        missing = [v for v in VERBATIM.findall(template) if v not in translated]
        if missing:
            problems.append(f"{missing} must stay as written (users type them): {label}")
    assert not problems, f"{lang} errors.po:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_header_and_nothing_extra(lang: str) -> None:
    catalog = load(lang)
    assert str(catalog.locale) == lang and catalog.charset == "utf-8" and not catalog.fuzzy
    assert [m.id for m in catalog if m.id] == [t for _, _, t in TEMPLATES]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_are_in_cyrillic_without_mixed_scripts(lang: str) -> None:
    bad = []
    for message in load(lang):
        if not message.id:
            continue
        # placeholders and what users type are Latin on purpose
        text = VERBATIM.sub(" ", re.sub(r"\{[^{}]*\}", " ", str(message.string)))
        for word in re.findall(r"\w+", text):
            cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in word)
            latin = any(ch.isascii() and ch.isalpha() for ch in word)
            if cyrillic and latin:
                bad.append(f"{word!r} in {message.string!r}")
    assert not bad, bad


def test_kazakh_is_kazakh_not_russian() -> None:
    ru, kk = load("ru"), load("kk")
    letters = "".join(str(m.string) for m in kk if m.id)
    for ch in "әғқңөұүі":
        assert ch in letters, f"no {ch!r} anywhere in the Kazakh error catalogue"
    copied = [
        m.id
        for m in kk
        if m.id and m.string == ru.get(m.id).string and m.id not in SAME_IN_EVERY_LANGUAGE
    ]
    assert not copied, f"Kazakh entries identical to the Russian ones: {copied}"


def test_errors_pot_matches_the_catalogue() -> None:
    with (LOCALE / "errors.pot").open("rb") as handle:
        pot = read_po(handle, domain="errors")
    messages = [m for m in pot if m.id]
    assert [m.id for m in messages] == [t for _, _, t in TEMPLATES], (
        "run: python scripts/extract_messages.py"
    )
    assert all(m.string == "" for m in messages)
    first = messages[0]
    assert first.auto_comments == ["E001: what happened"]


def test_extraction_script_writes_the_errors_domain(extractor: ModuleType) -> None:
    out = extractor.outputs()
    for lang in TRANSLATED:
        path = LOCALE / lang / "LC_MESSAGES" / "errors.po"
        assert out[path] == path.read_bytes(), "run: python scripts/extract_messages.py"
    assert out[extractor.ERRORS_POT] == (LOCALE / "errors.pot").read_bytes()
    assert b"Generated-By" not in out[extractor.ERRORS_POT]
    assert extractor.main(["--check"]) == 0


def test_extraction_script_merges_a_changed_template(extractor: ModuleType) -> None:
    """A changed English template keeps its old translation as fuzzy (not used), a new
    one is added empty, and a new catalogue gets the errors header."""
    template = extractor.extract_errors()
    existing = (LOCALE / "ru" / "LC_MESSAGES" / "errors.po").read_bytes()
    first = next(m.id for m in template if m.id)
    changed = Catalog()
    for message in template:
        if message.id:
            changed.add(message.id if message.id != first else first.replace("empty", "void"))
    changed.add("A brand new message about {thing}.")
    merged = extractor.merge(changed, existing, "ru", extractor.ERRORS_DOMAIN)
    again = read_po(io.BytesIO(extractor.render(merged, sort=False)), locale="ru")
    fuzzy = again.get(first.replace("empty", "void"))
    assert fuzzy.fuzzy and fuzzy.string == load("ru").get(first).string
    assert again.get("A brand new message about {thing}.").string == ""
    fresh = extractor.merge(template, None, "kk", extractor.ERRORS_DOMAIN, extractor.ERRORS_HEADER)
    text = extractor.render(fresh, sort=False).decode("utf-8")
    assert text.startswith("# Kazakh translation of the coded error messages")
    assert fresh.domain == "errors" and fresh.num_plurals == 2


# -- localized() ------------------------------------------------------------------------------


def _gettext(lang: str) -> Callable[[str], str]:
    return error_translations(lang).gettext


@pytest.mark.parametrize(
    ("error", "lang", "what", "fix"),
    [
        (
            DiplocodeError("E001", path="notes.txt"),
            "ru",
            "Файл 'notes.txt' пуст (0 байт содержимого).",
            "Убедитесь, что файл сохранён или экспортирован полностью, и добавьте его снова.",
        ),
        (
            DiplocodeError("E001", path="notes.txt"),
            "kk",
            "'notes.txt' файлы бос (мазмұны 0 байт).",
            "Файлдың толық сақталғанын немесе экспортталғанын тексеріп, оны қайта қосыңыз.",
        ),
        (
            DiplocodeError("E002", path="big.pdf", size_mb=73.456, limit_mb=50),
            "ru",
            "Размер файла 'big.pdf' — 73.5 МБ, это больше предела 50.0 МБ для одного файла.",
            "Разделите файл на части или увеличьте предел параметром --max-file-mb "
            "(или переменной DIPLOCODE_MAX_FILE_MB).",
        ),
        (
            DiplocodeError("E002", path="big.pdf", size_mb=73.456, limit_mb=50),
            "kk",
            "'big.pdf' файлының көлемі 73.5 МБ, бұл бір файлға рұқсат етілген 50.0 МБ "
            "шегінен асады.",
            "Файлды бөліктерге бөліңіз немесе шекті --max-file-mb параметрімен "
            "(не DIPLOCODE_MAX_FILE_MB айнымалысымен) арттырыңыз.",
        ),
        (
            DiplocodeError(
                "E060", param="score", owner="the review queue", constraint="a number", value="x1"
            ),
            "ru",
            "Параметр 'score' (the review queue) должен удовлетворять условию: a number. "
            "Получено: 'x1'.",
            "Передайте значение, удовлетворяющее условию: a number.",
        ),
        (
            DiplocodeError(
                "E060", param="score", owner="the review queue", constraint="a number", value="x1"
            ),
            "kk",
            "'score' параметрі (the review queue) мына шартқа сай болуы керек: a number. "
            "Берілген мән: 'x1'.",
            "Мына шартқа сай мән беріңіз: a number.",
        ),
        (
            DiplocodeError("E089", what="source", ref=7),
            "en",
            "No source #7 here.",
            "Go back to the list and pick one that exists.",
        ),
    ],
    ids=lambda v: v.code if isinstance(v, DiplocodeError) else None,
)
def test_localized(error: DiplocodeError, lang: str, what: str, fix: str) -> None:
    assert localized(error, _gettext(lang)) == (what, fix)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_translation_formats(lang: str) -> None:
    """Every translated template fills with sample values (numbers for the numeric
    formats) without falling back to English."""
    numbers = {"size_mb": 1.5, "limit_mb": 2.0, "expanded_mb": 900.0, "ratio": 450.0}
    for code, (what, fix) in CATALOGUE.items():
        names = _names(what) | _names(fix)
        error = DiplocodeError(code, **{n: numbers.get(n, f"<{n}>") for n in names})
        local = localized(error, _gettext(lang))
        for template, text, english in zip(
            (what, fix), local, (error.what, error.fix), strict=True
        ):
            assert "?" not in text, (code, text)  # no field left unfilled
            if template not in SAME_IN_EVERY_LANGUAGE:
                assert text != english, (code, text)
            assert all(f"<{n}>" in text for n in _names(template) - set(numbers)), (code, text)


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize(
    "broken",
    [
        "Файл '{path' пуст.",  # unbalanced brace
        "Файл '{путь}' пуст.",  # a renamed placeholder would print '?'
        "Файл '{path!x}' пуст.",  # an unknown conversion
        "Размер {size_mb:d} МБ.",  # a format spec that does not fit the value
        "Файл '{path.upper.oops}' пуст.",  # an attribute that does not exist
        "Файл '{0}' пуст.",  # a positional field
        "",  # an empty translation
    ],
)
def test_localized_falls_back_to_english_when_a_translation_is_broken(broken: str) -> None:
    error = DiplocodeError("E002", path="big.pdf", size_mb=73.456, limit_mb=50)
    assert localized(error, lambda template: broken) == (error.what, error.fix)


def test_localized_falls_back_per_message() -> None:
    """A broken fix does not take the (good) what with it."""
    error = DiplocodeError("E001", path="a.txt")
    what, fix = CATALOGUE["E001"]
    table = {what: "Файл '{path}' пуст.", fix: "Проверьте {oops"}
    assert localized(error, lambda t: table.get(t, t)) == ("Файл 'a.txt' пуст.", error.fix)


def test_untranslated_message_is_english() -> None:
    error = DiplocodeError("E045")
    assert localized(error, lambda template: template) == (error.what, error.fix)
    assert translate("'{path}' does not exist.", {}, lambda t: t) == "'?' does not exist."


def test_errors_module_doctests() -> None:
    assert doctest.testmod(diplocode.errors).failed == 0


def test_errors_module_does_not_need_the_web_package() -> None:
    source = (REPO / "src" / "diplocode" / "errors.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+\S*web", source, re.MULTILINE)
    code = "import sys, diplocode.errors; assert 'diplocode.web' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_error_translations_are_cached_and_separate_from_the_interface() -> None:
    assert error_translations("kk") is error_translations("kk")
    assert error_translations("en").gettext("{detail}") == "{detail}"
    assert error_translations("de").gettext("Log in again.") == "Log in again."
    assert error_translations("kk").gettext("Log in again.") == "Қайта кіріңіз."
    # the two domains do not mix
    assert translations("kk").gettext("Log in again.") == "Log in again."
    assert error_translations("ru").gettext("Corpus") == "Corpus"


# -- the workbench --------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    project = Project.init(tmp_path / "p.db")
    try:
        yield project
    finally:
        project.close()


@pytest.fixture
def client(project: Project) -> Iterator[TestClient]:
    with TestClient(create_app(project), follow_redirects=False) as client:
        yield client


def test_api_error_in_kazakh_keeps_english_what(client: TestClient) -> None:
    r = client.get("/api/sources/99999", headers={"Accept-Language": "kk"})
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["code"] == "E089"
    assert error["what"] == "No source #99999 here."
    assert error["fix"] == "Go back to the list and pick one that exists."
    assert error["what_local"] == "Нысан табылмады: source #99999."
    assert error["fix_local"] == "Тізімге оралып, бар нысанды таңдаңыз."


def test_api_error_language_from_the_cookie(client: TestClient) -> None:
    client.cookies.set("dc_lang", "ru")
    error = client.get("/api/sources/99999", headers={"Accept-Language": "kk"}).json()["error"]
    assert error["what_local"] == "Объект не найден: source #99999."
    assert error["what"] == "No source #99999 here."


def test_api_error_in_english_by_default(client: TestClient) -> None:
    error = client.get("/api/sources/99999").json()["error"]
    assert error["what_local"] == error["what"] and error["fix_local"] == error["fix"]


def test_api_validation_error_is_localized(client: TestClient) -> None:
    csrf = client.get("/api/me").json()["csrf"]
    r = client.post(
        "/api/codings",
        json={"source_id": "one"},
        headers={"X-CSRF-Token": csrf, "Accept-Language": "kk"},
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "E060"
    assert error["what"].startswith("The request's 'body.source_id' is not valid: ")
    assert error["fix"] == "Send the fields the API documents at /api/docs."
    assert error["what_local"].startswith("Сұраудың 'body.source_id' өрісі жарамсыз: ")
    assert error["fix_local"] == "API құжаттамасында (/api/docs) сипатталған өрістерді жіберіңіз."


def test_api_error_with_a_broken_translation_falls_back(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import diplocode.web.app as web_app

    class Broken:
        def gettext(self, message: str) -> str:
            return "Нысан {жоқ"

    monkeypatch.setattr(web_app, "error_translations", lambda lang: Broken())
    r = client.get("/api/sources/99999", headers={"Accept-Language": "kk"})
    error = r.json()["error"]
    assert (error["what_local"], error["fix_local"]) == (error["what"], error["fix"])


@pytest.mark.parametrize(
    ("lang", "what", "fix"),
    [
        (
            "ru",
            "Объект не найден: source #99999.",
            "Вернитесь к списку и выберите существующий объект.",
        ),
        ("kk", "Нысан табылмады: source #99999.", "Тізімге оралып, бар нысанды таңдаңыз."),
    ],
)
def test_error_page_in_the_users_language(
    client: TestClient, lang: str, what: str, fix: str
) -> None:
    r = client.get("/sources/99999", headers={"Accept-Language": lang})
    assert r.status_code == 404
    assert f'<html lang="{lang}">' in r.text
    assert "<strong>E089</strong>" in r.text
    assert what in r.text and fix in r.text
    assert "No source #99999 here." not in r.text
    assert translations(lang).gettext("Something needs attention") in r.text


def test_login_error_in_kazakh(project: Project) -> None:
    with TestClient(create_app(project, team=True), follow_redirects=False) as client:
        r = client.post(
            "/login",
            data={"username": "nobody", "password": "wrong password"},
            headers={"Accept-Language": "kk"},
        )
    assert r.status_code == 401
    assert "<strong>E082</strong>" in r.text
    assert "Пайдаланушы аты немесе құпиясөз қате." in r.text
    assert "Wrong user name or password." not in r.text


def test_upload_problem_in_russian(client: TestClient) -> None:
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text)
    assert csrf
    r = client.post(
        "/upload",
        headers={"Accept-Language": "ru"},
        data={"csrf_token": csrf.group(1), "actor": "", "group": "", "date": ""},
        files=[("files", ("empty.txt", b"", "text/plain"))],
    )
    assert r.status_code == 200, r.text[:500]
    problem = re.search(r"<strong>E001</strong> Файл (.*?)</td>", r.text)
    assert problem, r.text
    assert (
        "empty.txt&#39; пуст (0 байт содержимого). Убедитесь, что файл сохранён" in problem.group(1)
    )
    assert "is empty" not in r.text
