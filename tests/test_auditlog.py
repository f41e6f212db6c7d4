"""The readable audit log (issue #10): every event as a sentence in English, Russian or
Kazakh, exported as text, JSON Lines or CSV with the chain head, in the CLI
(``diplocode audit log``) and the workbench (``/audit``, ``/api/audit``)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from diplocode import audit, auditlog, coding, workbench
from diplocode.cli import app
from diplocode.codebook.io import loads
from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.engine import run_coder
from diplocode.project import Project
from diplocode.store.schema import audit_head, codings
from diplocode.users import add_user

runner = CliRunner()

BOOK = """\
name: mini
version: "1"
dimensions:
  - key: channel
    label: {en: Channel, ru: Канал, kk: Арна}
    codes:
      - key: scholarships_mobility
        label: {en: Scholarships, ru: Стипендии, kk: Шәкіртақылар}
        lexicon:
          en: [scholarship]
          ru: [стипендия]
      - key: language_programs
        label: {en: Language programs, ru: Языковые программы, kk: Тіл бағдарламалары}
        lexicon:
          en: [confucius institute]
"""

EN = "China offers scholarships to students from Kazakhstan. Confucius Institutes teach Chinese."
RU = "Россия выделяет стипендии студентам из Казахстана. Погода была хорошей."
MEMO = "Қазақстан мен Қытай арасындағы білім беру ынтымақтастығы: шәкіртақылар маңызды."
PASSWORD = "a long enough password"


@dataclass
class Setup:
    project: Project
    url: str
    accepted: int
    rejected: int


@pytest.fixture
def proj(db_url: str, tmp_path: Path) -> Iterator[Setup]:
    """Two sources coded by the lexicon coder; suggestions accepted and rejected, a human
    coding, a Kazakh memo, a deleted coding, a user and blind coding turned on."""
    project = Project.init(db_url, codebook=loads(BOOK))
    (tmp_path / "china.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "russia.txt").write_text(RU, encoding="utf-8")
    results = list(
        ingest(
            project.store,
            [
                IngestItem(tmp_path / "china.txt", SourceMeta(title="China and Kazakhstan")),
                IngestItem(tmp_path / "russia.txt", SourceMeta(title="Россия и Казахстан")),
            ],
            languages=project.languages,
            who="aigerim",
        )
    )
    assert [r.source_id for r in results] == [1, 2]
    version_id, codebook = project.codebook()
    run_coder(project.store, LexiconCoder(codebook), version_id, who="aigerim")
    with project.store.read() as conn:
        first = conn.execute(
            select(func.min(codings.c.id)).where(codings.c.source_id == 1)
        ).scalar_one()
        second = conn.execute(
            select(func.min(codings.c.id)).where(codings.c.source_id == 2)
        ).scalar_one()
    coding.accept(project, first, "aigerim", "clear case")
    coding.reject(project, second, "dana")
    coding.create(project, 1, 0, 5, "scholarships_mobility", "dana", memo="the actor")
    coding.write_memo(project, MEMO, "aigerim", source_id=1)
    gone = coding.create(project, 2, 0, 6, "language_programs", "dana")
    coding.delete(project, gone, "dana", "wrong code")
    add_user(project, "bob", PASSWORD, "coder", by="owner")
    workbench.set_blind_coding(project, True, "owner")
    try:
        yield Setup(project, db_url, first, second)
    finally:
        project.close()


def run(setup: Setup, *args: str):
    return runner.invoke(
        app, ["audit", "log", "--project", setup.url, *args], catch_exceptions=False
    )


def _events(setup: Setup) -> list[dict]:
    with setup.project.store.read() as conn:
        return list(audit.events(conn))


def _head(setup: Setup) -> dict:
    with setup.project.store.read() as conn:
        row = conn.execute(select(audit_head).where(audit_head.c.id == 1)).mappings().one()
    return {"last_id": row["last_id"], "last_hash": row["last_hash"]}


# -- text --------------------------------------------------------------------------------------
def test_text_has_one_sentence_per_event_naming_actor_source_and_code(proj: Setup) -> None:
    result = run(proj, "--limit", "0")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    events = _events(proj)
    assert len(lines) == len(events) + 1  # and the chain head
    for line, event in zip(lines, events, strict=False):
        assert line.startswith(f"#{event['id']}  {event['ts'][:10]} ")
        assert event["actor"] in line
        if event["source_id"] is not None:
            assert f"#{event['source_id']}" in line
        if event["code_key"] is not None:
            assert event["code_key"] in line
    by_kind: dict[str, str] = {}  # the first event of each kind
    for event, line in zip(events, lines, strict=False):
        by_kind.setdefault(event["kind"], line)
    accepted = by_kind["coding.accepted"]
    assert f"aigerim accepted coding #{proj.accepted}" in accepted
    assert "scholarships_mobility “Scholarships”" in accepted
    assert "“China and Kazakhstan”" in accepted
    assert "“China offers scholarships to students from Kazakhstan.”" in accepted  # the passage
    assert "note: “clear case”" in accepted
    assert "dana coded a passage of source #1" in by_kind["coding.created"]
    assert "memo: “the actor”" in by_kind["coding.created"]
    deleted = by_kind["coding.deleted"]
    assert "dana deleted coding" in deleted and "language_programs" in deleted
    assert "“Россия”" in deleted and "reason: “wrong code”" in deleted
    assert "aigerim added source #1 “China and Kazakhstan”" in by_kind["source.added"]
    assert "aigerim added source #2 “Россия и Казахстан”" in result.stdout
    assert "owner turned blind coding on" in by_kind["project.setting_changed"]
    assert "owner added user bob with the role coder" in by_kind["user.added"]
    assert "codebook “mini”, version 1" in by_kind["codebook.imported"]
    assert "ran coder diplocode.lexicon.v1" in by_kind["coder.run"]


def test_a_kazakh_memo_is_shown_in_kazakh_letters(proj: Setup) -> None:
    for fmt in ("text", "jsonl", "csv"):
        out = run(proj, "--format", fmt, "--kind", "memo.").stdout
        assert MEMO in out, fmt
        assert "\\u04" not in out, fmt
    with TestClient(create_app(proj.project)) as client:
        page = client.get("/audit").text
    assert MEMO in page and "\\u04" not in page and "<details" in page


def test_russian_and_kazakh_sentences(proj: Setup) -> None:
    ru = run(proj, "--lang", "ru", "--limit", "0").stdout
    assert "aigerim добавил(а) источник #2 «Россия и Казахстан»" in ru
    assert "принял(а) кодировку" in ru and "scholarships_mobility «Стипендии»" in ru
    assert f"aigerim написал(а) заметку к источнику #1 «China and Kazakhstan»: «{MEMO}»" in ru
    assert "Вершина цепочки" in ru
    kk = run(proj, "--lang", "kk", "--limit", "0").stdout
    assert "aigerim #2 «Россия и Казахстан» дереккөзін қосты" in kk
    assert "қабылдады" in kk and "scholarships_mobility «Шәкіртақылар»" in kk
    assert f"ескертпе жазды: «{MEMO}»" in kk
    assert "owner жасырын кодтауды қосты" in kk
    for text in (ru, kk):
        assert not re.search(r"\b(added|accepted|rejected|deleted|wrote|turned)\b", text)


# -- exports -----------------------------------------------------------------------------------
def test_jsonl_round_trips_and_ends_with_the_head(proj: Setup) -> None:
    lines = run(proj, "--format", "jsonl", "--limit", "0").stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    *events, last = rows
    stored = _events(proj)
    assert [e["id"] for e in events] == [e["id"] for e in stored]
    for row, event in zip(events, stored, strict=True):
        assert set(row) == set(auditlog.COLUMNS)
        assert row["sentence"] and json.loads(row["payload"]) == event["payload"]
        assert (row["kind"], row["actor"], row["ts"]) == (
            event["kind"],
            event["actor"],
            event["ts"],
        )
        # the export is enough to recompute each event's hash
        assert row["hash"] == audit._digest(
            row["prev_hash"],
            row["ts"],
            row["actor"],
            row["kind"],
            row["source_id"],
            row["code_key"],
            row["payload"],
        )
    assert last["head"] == _head(proj)
    assert events[-1]["id"] == last["head"]["last_id"]
    assert events[-1]["hash"] == last["head"]["last_hash"]


def test_csv_parses_and_ends_with_the_head(proj: Setup) -> None:
    text = run(proj, "--format", "csv", "--limit", "0").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    *events, last = rows
    assert len(events) == len(_events(proj))
    assert list(rows[0]) == list(auditlog.COLUMNS)
    memo = next(r for r in events if r["kind"] == "memo.written")
    assert json.loads(memo["payload"])["text"] == MEMO and MEMO in memo["sentence"]
    assert last["kind"] == auditlog.HEAD_KIND
    assert json.loads(last["payload"]) == _head(proj)


def test_the_text_head_line_matches_audit_head(proj: Setup, tmp_path: Path) -> None:
    out = tmp_path / "audit.txt"
    result = run(proj, "--limit", "0", "--out", str(out))
    assert result.exit_code == 0 and "wrote" in result.output
    last = out.read_text(encoding="utf-8").splitlines()[-1]
    match = re.fullmatch(r"Chain head: event #(\d+), hash ([0-9a-f]{64}) .*", last)
    assert match, last
    assert {"last_id": int(match[1]), "last_hash": match[2]} == _head(proj)
    assert "intact" in runner.invoke(app, ["audit", "verify", "--project", proj.url]).output


def test_kind_is_a_prefix_and_limit_takes_the_last(proj: Setup) -> None:
    rows = [
        json.loads(x)
        for x in run(proj, "--format", "jsonl", "--kind", "coding.").stdout.split("\n")
        if x
    ]
    kinds = {r["kind"] for r in rows if "kind" in r}
    assert kinds == {"coding.accepted", "coding.rejected", "coding.created", "coding.deleted"}
    two = run(proj, "--format", "jsonl", "--limit", "2").stdout.splitlines()
    assert [json.loads(x)["id"] for x in two[:-1]] == [e["id"] for e in _events(proj)[-2:]]
    legacy = json.loads(run(proj, "--format", "json", "--kind", "source.added").stdout)
    assert [e["kind"] for e in legacy] == ["source.added"] * 2 and legacy[0]["sentence"]


@pytest.mark.parametrize(
    ("args", "code", "mentions"),
    [
        (["--format", "xml"], "E060", "text, jsonl, csv, table, json"),
        (["--lang", "de"], "E060", "en, ru, kk"),
        (["--limit", "-1"], "E060", ">= 0"),
        (["--kind", "codng"], "E060", "coding.accepted"),
        (["--source", "0"], "E060", "--source"),
        (["--since", "yesterday"], "E023", "--since"),
        (["--until", "2026-02-30"], "E023", "--until"),
        (["--out", "/nonexistent-folder/x.txt"], "E060", "an existing folder"),
    ],
)
def test_a_bad_option_is_a_coded_error(proj: Setup, args, code, mentions) -> None:
    result = run(proj, *args)
    assert result.exit_code == 2, result.output
    flat = " ".join(result.output.split())
    assert f"[{code}]" in flat and mentions.replace("--source", "source") in flat, flat


# -- robustness and blind coding ---------------------------------------------------------------
def test_unknown_kinds_and_odd_payloads_get_a_generic_sentence(proj: Setup) -> None:
    with proj.project.store.begin() as conn:
        audit.append(conn, "plugin.thing_done", "zhan", {"what": "Қазақша мәтін"}, source_id=1)
        audit.append(conn, "coding.accepted", "zhan", {"unexpected": True})
        audit.append(conn, "codebook.imported", "zhan", {"name": 3})
    for lang in auditlog.LANGUAGES:
        events = auditlog.entries(proj.project, lang=lang, limit=3).events
        assert [e["kind"] for e in events] == [
            "plugin.thing_done",
            "coding.accepted",
            "codebook.imported",
        ]
        assert all(e["sentence"].startswith("zhan") for e in events)
        assert "plugin.thing_done" in events[0]["sentence"]
        assert "Қазақша мәтін" in events[0]["sentence"] and "#1" in events[0]["sentence"]
    with proj.project.store.read() as conn:
        assert auditlog.describe(conn, [], "kk") == []


def test_every_kind_diplocode_appends_has_its_own_sentence(proj: Setup) -> None:
    """Every event kind, made by the library itself, gets its sentence (not the generic
    one) in every language; and KINDS lists every kind the source code appends."""
    from diplocode.attribution import gazetteer as gz
    from diplocode.attribution import reattribute
    from diplocode.codebook import edit as cbedit
    from diplocode.corpus import edit as srcedit
    from diplocode.users import set_password, set_role

    project = proj.project
    coding.change_code(project, proj.accepted, "language_programs", "aigerim", "not a grant")
    coding.reopen(project, proj.accepted, "aigerim")
    memo = coding.write_memo(project, "a note on the code", "aigerim", code_key="language_programs")
    coding.edit_memo(project, memo, "Кодқа ескертпе", "aigerim")
    coding.delete_memo(project, memo, "aigerim")
    gz.create_actor(project.store, "Turkic Council", "aigerim", kind="organization")
    gz.name_actor(project.store, "Turkic Council", "Түркі кеңесі", "kk", "aigerim")
    gz.unname_actor(project.store, "Turkic Council", "Түркі кеңесі", "aigerim")
    reattribute(project.store, "aigerim")
    cbedit.rename_code(project, "language_programs", "language_courses", by="aigerim")
    srcedit.edit_source(project, 2, "aigerim", title="Russia and Kazakhstan", date="2015")
    srcedit.delete_source(project, 2, "aigerim", "a duplicate")
    set_role(project, "bob", "viewer", by="owner")
    set_password(project, "bob", "another long password", by="owner")
    workbench.set_blind_coding(project, False, "owner")
    stored = {e["kind"] for e in _events(proj)}
    assert stored == set(auditlog.KINDS), set(auditlog.KINDS) ^ stored
    for lang in auditlog.LANGUAGES:
        generic = auditlog._T[lang]["generic"].split("{kind}")[0].replace("{who}", "")
        for e in auditlog.entries(project, lang=lang, limit=0).events:
            assert e["sentence"].startswith(e["actor"]), (lang, e["sentence"])
            assert not e["sentence"].startswith(e["actor"] + generic), (lang, e["kind"])
    sentences = {e["kind"]: e["sentence"] for e in auditlog.entries(project, limit=0).events}
    assert "“language_programs” → “language_courses”" not in sentences["codebook.imported"]
    assert "renamed: language_programs → language_courses" in sentences["codebook.imported"]
    assert "edited source #2 “Russia and Kazakhstan”: date, title" in sentences["source.edited"]
    assert (
        "deleted source #2 “Russia and Kazakhstan” with 1 coding and 0 memos"
        in sentences["source.deleted"]
    )
    assert "the name “Түркі кеңесі” (all languages)" in sentences["actor.unnamed"]
    assert (
        "scholarships_mobility" in sentences["coding.changed"]
        and "→" in sentences["coding.changed"]
    )
    assert "“Кодқа ескертпе”" in sentences["memo.deleted"]
    # every kind the source appends is one KINDS describes
    src = Path(auditlog.__file__).parent
    appended = set()
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        appended |= set(re.findall(r"append\(\s*conn,\s*\"([a-z_]+\.[a-z_]+)\"", text))
        appended |= set(re.findall(r"\"(coding\.[a-z]+)\"", text)) & {
            "coding.created",
            "coding.accepted",
            "coding.rejected",
            "coding.changed",
            "coding.reopened",
            "coding.deleted",
        }
    assert appended and appended <= set(auditlog.KINDS), appended - set(auditlog.KINDS)


def test_blind_coding_quotes_only_the_passages_a_viewer_may_see(proj: Setup) -> None:
    project = proj.project
    carol = add_user(project, "carol", PASSWORD, "coder")
    olga = add_user(project, "olga", PASSWORD, "owner")
    as_coder = auditlog.entries(project, viewer=carol, limit=0).events
    as_owner = auditlog.entries(project, viewer=olga, limit=0).events
    # the same events as the raw log: nothing is hidden, nothing more is shown
    assert [e["id"] for e in as_coder] == [e["id"] for e in as_owner]
    assert [e["id"] for e in as_coder] == [e["id"] for e in _events(proj)]
    created_coder = next(e for e in as_coder if e["kind"] == "coding.created")
    created_owner = next(e for e in as_owner if e["kind"] == "coding.created")
    assert "“China”" in created_owner["sentence"]  # dana's coding, quoted for an owner
    assert "“China”" not in created_coder["sentence"]  # not for another coder
    assert created_coder["sentence"].startswith("dana coded a passage of source #1")
    # carol did not review the accepted suggestion: its passage is not quoted for her
    accepted = next(e for e in as_coder if e["kind"] == "coding.accepted")
    assert "“China offers" not in accepted["sentence"]
    workbench.set_blind_coding(project, False, "olga")
    revealed = auditlog.entries(project, viewer=carol, kind="coding.created", limit=0).events
    assert "“China”" in revealed[0]["sentence"]


def test_the_workbench_shows_sentences(proj: Setup) -> None:
    with TestClient(create_app(proj.project)) as client:
        api = client.get("/api/audit", params={"kind": "memo"}).json()
        assert api["ok"] and [e["kind"] for e in api["events"]] == ["memo.written"]
        assert MEMO in api["events"][0]["sentence"]
        client.cookies.set("dc_lang", "kk")
        page = client.get("/audit").text
        api_kk = client.get("/api/audit", params={"limit": 500}).json()
    assert "дереккөзін қосты" in page and "<summary>" in page
    assert all(e["sentence"] for e in api_kk["events"])
    assert len(api_kk["events"]) == len(_events(proj))


def create_app(project: Project):
    from diplocode.web.app import create_app as make

    return make(project, local_user="owner")
