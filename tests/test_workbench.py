"""Library functions under the web pages: highlight pieces, and the source page on a long
source with many overlapping codings."""

from __future__ import annotations

import doctest
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplocode import workbench
from diplocode.demo import build_demo_project, code_demo_project
from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.workbench import split_pieces


def test_doctests() -> None:
    assert doctest.testmod(workbench).failed == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 30), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(0, 120), st.integers(1, 40)), max_size=12),
)
def test_pieces_cover_the_text_and_every_coding_exactly(lengths, raw_spans) -> None:
    text = "".join(chr(ord("a") + i % 26) * n for i, n in enumerate(lengths))
    spans = [
        (i + 1, s, min(s + n, len(text)), "d")
        for i, (s, n) in enumerate(raw_spans)
        if s < len(text)
    ]
    pieces = split_pieces(text, 0, len(text), spans)
    assert "".join(p.text for p in pieces) == text
    assert all(p.start < p.end for p in pieces)
    for cid, s, e, _ in spans:
        covered = [(p.start, p.end) for p in pieces if cid in p.coding_ids]
        if s < e:
            assert covered[0][0] == s and covered[-1][1] == e
            assert sum(b - a for a, b in covered) == e - s


def test_source_page_with_many_overlapping_codings(project, tmp_path) -> None:
    from diplocode import coding
    from diplocode.corpus.ingest import IngestItem, ingest

    paragraphs = [
        f"Paragraph {i} about scholarships and language centres in Astana." for i in range(200)
    ]
    path = tmp_path / "long.txt"
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    (result,) = ingest(project.store, [IngestItem(path)], languages=project.languages)
    key = next(iter(project.codebook()[1].codes())).key
    text_len = len("\n\n".join(paragraphs))
    made = []
    for i in range(0, text_len - 200, 97):  # spans crossing paragraph breaks, overlapping
        made.append(coding.create(project, result.source_id, i, i + 150, key, "tester"))
    page = workbench.source_page(project, result.source_id, None)
    assert {c["id"] for c in page["codings"]} == set(made)
    seen: dict[int, int] = {}
    for para in page["paragraphs"]:
        assert "".join(p.text for p in para["pieces"]) == page["text"][para["start"] : para["end"]]
        for piece in para["pieces"]:
            for cid in piece.coding_ids:
                seen[cid] = seen.get(cid, 0) + piece.end - piece.start
    by_id = {c["id"]: c for c in page["codings"]}
    for cid, n in seen.items():
        c = by_id[cid]
        inside = sum(
            max(0, min(c["end"], p["end"]) - max(c["start"], p["start"]))
            for p in page["paragraphs"]
        )
        assert n == inside  # every character of the coding inside a paragraph is highlighted once


# -- the review queue's filter validates itself (issue #9) ---------------------------------------
@pytest.fixture
def coded_demo(db_url: str) -> Iterator[Project]:
    project, results = build_demo_project(db_url)
    assert all(r.status == "added" for r in results)
    code_demo_project(project)
    try:
        yield project
    finally:
        project.close()


@pytest.mark.parametrize(
    ("fields", "code", "mentions"),
    [
        ({"code": "no.such.code"}, "E060", "scholarships_mobility"),
        ({"coder": "diplocode.magic.v9"}, "E060", "diplocode.lexicon.v1"),
        ({"language": "de"}, "E024", "en, ru, kk"),
        ({"min_score": 1.5}, "E060", "[0, 1]"),
        ({"max_score": -0.1}, "E060", "[0, 1]"),
        ({"min_score": 0.8, "max_score": 0.2}, "E121", "0.8-0.2"),
        ({"actor": "Rusia"}, "E103", "did you mean 'Russia'"),
    ],
)
def test_review_filter_rejects_bad_values(coded_demo: Project, fields, code, mentions) -> None:
    with pytest.raises(DiplocodeError) as info:
        workbench.ReviewFilter(**fields).validate(coded_demo)
    assert info.value.code == code and mentions in str(info.value)


def test_review_filter_finds_the_actor_by_any_name(coded_demo: Project) -> None:
    key = workbench.review_queue(coded_demo, workbench.ReviewFilter(), limit=1)[0]["code"]
    flt = workbench.ReviewFilter(
        code=key, min_score=0, max_score=1, language="ru", actor="Ресей"
    ).validate(coded_demo)
    assert flt.actor_id is not None and flt.language == "ru"
    by_name = workbench.ReviewFilter(actor="Russia").validate(coded_demo)
    items = workbench.review_queue(coded_demo, by_name, limit=1000)
    assert items and all("Russia" in i["actors"] for i in items)
    again = workbench.ReviewFilter(actor="Россия").validate(coded_demo)
    assert [i["id"] for i in workbench.review_queue(coded_demo, again, limit=1000)] == [
        i["id"] for i in items
    ]


# -- review items show their paragraph (issue #10) -------------------------------------------------
def test_review_items_carry_the_paragraph_holding_them(coded_demo: Project) -> None:
    from sqlalchemy import event, select

    from diplocode.store.schema import segments, sources

    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(coded_demo.store.engine, "before_cursor_execute", count)
    try:
        items = workbench.review_queue(coded_demo, workbench.ReviewFilter(), limit=40)
    finally:
        event.remove(coded_demo.store.engine, "before_cursor_execute", count)
    assert len(items) == 40
    # the page, its actors and its paragraphs: a fixed number of queries, not one per item
    assert len(statements) <= 4, statements
    assert sum("segments" in s for s in statements) == 1
    with coded_demo.store.read() as conn:
        texts = dict(conn.execute(select(sources.c.id, sources.c.text)).all())
        paragraphs = {
            (sid, start): end
            for sid, start, end in conn.execute(
                select(segments.c.source_id, segments.c.start, segments.c.end).where(
                    segments.c.kind == "paragraph"
                )
            )
        }
    for item in items:
        context = item["context"]
        assert context is not None, item
        start, end = context["start"], context["end"]
        assert paragraphs[(item["source_id"], start)] == end  # a paragraph of its source
        assert start <= item["start"] < end
        assert context["text"] == texts[item["source_id"]][start:end]
        assert context["span_start"] == item["start"] - start
        span = context["text"][context["span_start"] : context["span_end"]]
        assert item["text"].startswith(span) and span
        if item["end"] <= end:
            assert span == item["text"]


def test_a_span_past_its_paragraph_is_cut_at_the_paragraph_end(project: Project, tmp_path) -> None:
    from diplocode import coding
    from diplocode.corpus.ingest import IngestItem, ingest

    path = tmp_path / "two.txt"
    path.write_text("First paragraph about scholarships.\n\nSecond one on centres.", "utf-8")
    (result,) = ingest(project.store, [IngestItem(path)], languages=project.languages)
    assert result.source_id is not None
    key = next(iter(project.codebook()[1].codes())).key
    across = coding.create(project, result.source_id, 22, 45, key, "tester")
    between = coding.create(project, result.source_id, 35, 40, key, "tester")  # the break
    with project.store.read() as conn:
        found = workbench._paragraphs_of(conn, [across, between])
        assert workbench._paragraphs_of(conn, []) == {}
    assert found[across] == {
        "text": "First paragraph about scholarships.",
        "start": 0,
        "end": 35,
        "span_start": 22,
        "span_end": 35,
    }
    assert between not in found
