"""Library functions under the web pages: highlight pieces, and the source page on a long
source with many overlapping codings."""

from __future__ import annotations

import doctest

from hypothesis import given, settings
from hypothesis import strategies as st

from diplocode import workbench
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
