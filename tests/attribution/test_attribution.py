"""Who a passage is about: the gazetteer, the resolver's rules, every write path, and
re-attribution when the gazetteer changes (#9)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from diplocode import coding
from diplocode.analysis.compare import Spec, compare
from diplocode.attribution import ensure_attributed
from diplocode.attribution.gazetteer import Matcher, gazetteer_hash, load_builtin, name_actor
from diplocode.attribution.resolver import SourceContext
from diplocode.cli import app
from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.engine import run_coder
from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.store.schema import actors, audit_events, coding_actors, codings, source_actors

CASES = yaml.safe_load((Path(__file__).with_name("gazetteer_cases.yaml")).read_text("utf-8"))


def _builtin_matcher() -> tuple[Matcher, dict[int, str]]:
    entries = load_builtin()
    keys = {i: e.key for i, e in enumerate(entries)}
    rows = [(i, n, lang, kind) for i, e in enumerate(entries) for n, lang, kind in e.names]
    return Matcher(rows), keys


@pytest.mark.parametrize("lang", ["en", "ru", "kk", "zh", "tr"])
def test_the_builtin_gazetteer_finds_inflected_names(lang: str) -> None:
    """The gazetteer's own cases: inflected forms (Қытайдың, Китаем, 中方), group names
    (C5+1), negatives (the bare region "Central Asia" names no actor)."""
    matcher, keys = _builtin_matcher()
    cases = [c for c in CASES if c["lang"] == lang and not c.get("known_limit")]
    assert len(cases) >= 10
    wrong = []
    for case in cases:
        found = {keys[m.actor_id] for m in matcher.find(case["text"], case["lang"])}
        if found != set(case["actors"]):
            wrong.append((case["text"], sorted(found), case["actors"]))
    assert wrong == []


def _add(project: Project, tmp_path: Path, name: str, text: str, actors_: tuple) -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    [result] = ingest(
        project.store,
        [IngestItem(path, SourceMeta(actors=actors_, date=(2020, None, None)))],
        languages=project.languages,
    )
    assert result.status == "added", result.error
    return int(result.source_id)


def _about(project: Project) -> dict[int, set[tuple[str, str]]]:
    out: dict[int, set[tuple[str, str]]] = {}
    with project.store.read() as conn:
        for coding_id, name, rule in conn.execute(
            select(coding_actors.c.coding_id, actors.c.name, coding_actors.c.rule).join(
                actors, actors.c.id == coding_actors.c.actor_id
            )
        ):
            out.setdefault(coding_id, set()).add((name, rule))
    return out


TEXT = (
    "Scholarships for Kazakh students are offered by Confucius Institutes.\n\n"
    "Scholarship programmes keep growing. Beijing funds them generously.\n\n"
    "Scholarships matter for the region.\n\n"
    "China builds roads and railways, while Russia keeps the Russian-language space alive."
)


def test_the_rules_in_order(project: Project, tmp_path: Path) -> None:
    """clause, then sentence, then paragraph, then subject, then author; the rule and the
    mention are stored with each coding."""
    sid = _add(
        project,
        tmp_path,
        "a.txt",
        TEXT,
        (("Kazakhstan", "author"), ("United States", "subject")),
    )
    with project.store.read() as conn:
        from diplocode.attribution.gazetteer import matcher_for

        context = SourceContext(conn, sid, matcher_for(conn)[1])
    text = context.text

    def resolve(phrase: str, hits=()) -> set[tuple[str, str]]:
        start = text.index(phrase)
        end = start + len(phrase)
        with project.store.read() as conn:
            names = dict(conn.execute(select(actors.c.id, actors.c.name)).all())
        return {(names[a], rule) for a, rule, _ in context.resolve(start, end, hits)}

    first = "Scholarships for Kazakh students are offered by Confucius Institutes."
    assert resolve(first) == {("China", "sentence"), ("Kazakhstan", "sentence")}
    assert resolve("Scholarship programmes keep growing.") == {("China", "paragraph")}
    assert resolve("Scholarships matter for the region.") == {("United States", "subject")}
    last = "China builds roads and railways, while Russia keeps the Russian-language space alive."
    roads = text.index("roads")
    assert resolve(last, hits=[(roads, roads + 5)]) == {("China", "clause")}
    space = text.index("Russian-language space")
    assert resolve(last, hits=[(space, space + 22)]) == {("Russia", "clause")}
    assert resolve(last) == {("China", "sentence"), ("Russia", "sentence")}
    # a person's selection of part of the sentence: the actors the selection names
    assert resolve("China builds roads") == {("China", "clause")}
    assert resolve("roads and railways") == {("China", "sentence"), ("Russia", "sentence")}
    # no subject: the author
    with project.store.begin() as conn:
        conn.execute(delete(source_actors).where(source_actors.c.role == "subject"))
    with project.store.read() as conn:
        bare = SourceContext(conn, sid, matcher_for(conn)[1])
    start = text.index("Scholarships matter")
    with project.store.read() as conn:
        kz = conn.execute(select(actors.c.id).where(actors.c.key == "kazakhstan")).scalar()
    assert bare.resolve(start, start + 35) == [(kz, "author", None)]


def test_machine_and_human_codings_are_attributed_when_written(
    project: Project, tmp_path: Path
) -> None:
    sid = _add(project, tmp_path, "a.txt", TEXT, (("Kazakhstan", "author"),))
    version_id, codebook = project.codebook()
    summary = run_coder(project.store, LexiconCoder(codebook), version_id)
    assert summary.suggestions > 0 and sum(summary.attribution.values()) == summary.suggestions
    about = _about(project)
    with project.store.read() as conn:
        ids = list(conn.execute(select(codings.c.id)).scalars())
    assert set(ids) == set(about)  # every suggestion, in the same transaction
    with project.store.read() as conn:
        mentions = list(
            conn.execute(
                select(coding_actors.c.evidence).where(coding_actors.c.rule == "sentence")
            ).scalars()
        )
    assert mentions and all(ev["surface"] and ev["end"] > ev["start"] for ev in mentions)
    start = TEXT.index("Beijing funds them generously.")
    coding_id = coding.create(project, sid, start, start + 30, "development_assistance", "aigerim")
    assert _about(project)[coding_id] == {("China", "sentence")}


def test_one_actor_many_names_and_near_duplicates(project: Project, tmp_path: Path) -> None:
    a = _add(project, tmp_path, "a.txt", "Бірінші мәтін.", (("Туркменистан", "author"),))
    b = _add(project, tmp_path, "b.txt", "Second text here.", (("Turkmenistan", "author"),))
    c = _add(project, tmp_path, "c.txt", "Үшінші мәтін.", (("Түрікменстан", "author"),))
    with project.store.read() as conn:
        linked = {
            sid: aid
            for sid, aid in conn.execute(
                select(source_actors.c.source_id, source_actors.c.actor_id)
            )
        }
    assert linked[a] == linked[b] == linked[c]
    path = tmp_path / "d.txt"
    path.write_text("Fourth text.", encoding="utf-8")
    meta = SourceMeta(actors=(("Turkmenstan", "author"),))
    [refused] = ingest(project.store, [IngestItem(path, meta)], languages=project.languages)
    assert refused.status == "failed" and refused.error is not None
    assert refused.error.code == "E100" and "Turkmenistan" in str(refused.error)
    [confirmed] = ingest(
        project.store,
        [IngestItem(path, meta)],
        languages=project.languages,
        new_actors=("Turkmenstan",),
    )
    assert confirmed.status == "added" and confirmed.extra["new_actors"] == ["Turkmenstan"]


def test_a_gazetteer_edit_reattributes_every_coding(project: Project, tmp_path: Path) -> None:
    _add(
        project,
        tmp_path,
        "a.txt",
        "The Fooland Institute awards scholarships to students.",
        (("Kazakhstan", "author"),),
    )
    version_id, codebook = project.codebook()
    run_coder(project.store, LexiconCoder(codebook), version_id)
    assert {n for s in _about(project).values() for n, _ in s} == {"Kazakhstan"}
    assert ensure_attributed(project.store) is None  # up to date: nothing done
    name_actor(project.store, "Japan", "Fooland Institute", "en", "tester", kind="institution")
    result = compare(project, Spec(include_suggested=True))  # brings attribution up to date
    assert set(result.frame["actor"]) == {"Japan"}
    with project.store.read() as conn:
        kinds = [k for (k,) in conn.execute(select(func.distinct(audit_events.c.kind)))]
    assert "actor.named" in kinds and "codings.attributed" in kinds


def test_codings_lacking_attribution_are_attributed_on_first_use(
    project: Project, tmp_path: Path
) -> None:
    """A project upgraded from before attribution: codings without rows and no state."""
    _add(project, tmp_path, "a.txt", TEXT, (("Kazakhstan", "author"),))
    version_id, codebook = project.codebook()
    run_coder(project.store, LexiconCoder(codebook), version_id)
    before = _about(project)
    with project.store.begin() as conn:
        conn.execute(delete(coding_actors))
        project.store.set_meta(conn, "attribution", None)
    summary = ensure_attributed(project.store)
    assert summary is not None and summary.codings == len(before)
    assert _about(project) == before


def test_unknown_gazetteer_entries_are_coded_errors(project: Project) -> None:
    with pytest.raises(DiplocodeError) as e:
        name_actor(project.store, "China", "a*b", "en", "tester")
    assert e.value.code == "E101"
    with pytest.raises(DiplocodeError) as e:
        name_actor(project.store, "Chinaa Republic", "Foo", "en", "tester")
    assert e.value.code == "E103"


def test_actors_commands(db_url: str) -> None:
    Project.init(db_url).close()
    runner = CliRunner()
    listed = runner.invoke(app, ["actors", "list", "-p", db_url, "--format", "json"])
    assert listed.exit_code == 0 and '"key": "china"' in listed.output
    shown = runner.invoke(app, ["actors", "show", "Қытай", "-p", db_url])
    assert shown.exit_code == 0 and "China" in shown.output and "Confucius" in shown.output
    named = runner.invoke(
        app,
        [
            "actors",
            "name",
            "russia",
            "Русский дом",
            "--lang",
            "ru",
            "--kind",
            "institution",
            "-p",
            db_url,
        ],
    )
    assert named.exit_code == 0, named.output
    unknown = runner.invoke(app, ["actors", "show", "Chnia", "-p", db_url])
    assert unknown.exit_code == 2 and "E103" in unknown.output and "China" in unknown.output
    added = runner.invoke(
        app, ["actors", "add", "Asian Development Bank", "--kind", "organization", "-p", db_url]
    )
    assert added.exit_code == 0
    again = runner.invoke(app, ["actors", "add", "Asian Development Bank", "-p", db_url])
    assert again.exit_code == 2 and "E102" in again.output


def test_the_gazetteer_hash_changes_with_any_name() -> None:
    rows = [(1, "China", "en", "name"), (1, "Китай", "ru", "name")]
    assert gazetteer_hash(rows) == gazetteer_hash(list(reversed(rows)))
    assert gazetteer_hash(rows) != gazetteer_hash(rows[:1])


def test_paragraph_mentions_from_sentences_equal_the_whole_paragraph(
    project: Project, tmp_path: Path
) -> None:
    """A paragraph's mentions are its sentences' (each matched once, #9: speed): the same
    mentions as matching the paragraph whole, in every paragraph of a mixed text."""
    text = (
        "Confucius Institutes opened in Almaty. Russia answered; the US and the West "
        "watched.\n\nҚытай мен Ресей туралы. Түркия да бар.\n\n"
        "Китай и США обсуждали Центральную Азию. Россотрудничество тоже.\n\n"
        "Nothing here names anyone at all."
    )
    sid = _add(project, tmp_path, "mixed.txt", text, (("Kazakhstan", "author"),))
    with project.store.read() as conn:
        matcher = matcher_for_test(conn)
        context = SourceContext(conn, sid, matcher)
    assert context.sentences and len(context.paragraphs) == 4
    for index, (start, end, lang) in enumerate(context.paragraphs):
        whole = matcher.find(context.text, lang, start, end)
        assert context._paragraph_mentions(index) == whole
    named = {m.actor_id for p in range(4) for m in context._paragraph_mentions(p)}
    assert len(named) >= 4  # China, Russia, the United States, the West, Turkey ...


def matcher_for_test(conn):  # the project's compiled gazetteer
    from diplocode.attribution.gazetteer import matcher_for

    return matcher_for(conn)[1]
