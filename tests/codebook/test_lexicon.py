"""Lexicon semantics (quanteda-like): fixed, glob, regex, phrases, lemmas/stems, longest match."""

from __future__ import annotations

import pytest

from diplocode.codebook.lexicon import compile_lexicon
from diplocode.codebook.model import Codebook


def book(**lexicons: dict[str, list[str]]) -> Codebook:
    return Codebook(
        name="t",
        version="1",
        dimensions=[
            {
                "key": "d",
                "label": {"en": "D"},
                "codes": [
                    {"key": k, "label": {"en": k}, "lexicon": v} for k, v in lexicons.items()
                ],
            }
        ],
    )


def hits(cb: Codebook, lang: str, text: str) -> list[tuple[str, str, str]]:
    return [(m.code, m.entry, text[m.start : m.end]) for m in compile_lexicon(cb, lang).match(text)]


def test_russian_entries_match_inflected_forms_via_lemmas() -> None:
    cb = book(
        scholarships={"ru": ["стипендия", "академическая мобильность"]},
        compatriots={"ru": ["соотечественник"]},
    )
    text = "Стипендиями и академической мобильностью пользуются соотечественники."
    assert hits(cb, "ru", text) == [
        ("scholarships", "стипендия", "Стипендиями"),
        ("scholarships", "академическая мобильность", "академической мобильностью"),
        ("compatriots", "соотечественник", "соотечественники"),
    ]


def test_yo_and_e_are_the_same_letter() -> None:
    cb = book(c={"ru": ["шёлковый путь"]})
    assert hits(cb, "ru", "Шелковый путь") == [("c", "шёлковый путь", "Шелковый путь")]


def test_english_entries_match_via_snowball_stems_and_case() -> None:
    cb = book(c={"en": ["university partnership", "exchange program"]})
    assert [
        h[2] for h in hits(cb, "en", "New University Partnerships and exchange programmes")
    ] == ["University Partnerships"]
    assert [h[2] for h in hits(cb, "en", "exchange programs")] == ["exchange programs"]


def test_globs_match_prefixes_and_suffixes() -> None:
    cb = book(c={"kk": ["шәкіртақы*", "*стипендия"], "en": ["scholar*"]})
    assert [h[2] for h in hits(cb, "kk", "Шәкіртақылары мен стипендия берілді")] == [
        "Шәкіртақылары",
        "стипендия",
    ]
    assert [h[2] for h in hits(cb, "en", "scholarly scholarships")] == ["scholarly", "scholarships"]


def test_longest_match_wins_within_a_code_and_codes_are_independent() -> None:
    cb = book(
        a={"en": ["silk road", "silk road economic belt", "road"]}, b={"en": ["economic belt"]}
    )
    found = hits(cb, "en", "The Silk Road Economic Belt and a road")
    assert ("a", "silk road economic belt", "Silk Road Economic Belt") in found
    assert (
        "a",
        "silk road",
        "Silk Road",
    ) not in found  # nested in the longer match of the same code
    assert ("b", "economic belt", "Economic Belt") in found  # another code still counts
    assert ("a", "road", "road") in found


def test_regex_entries() -> None:
    cb = book(c={"en": [r"re:c5\s*\+\s*1"]})
    assert [h[2] for h in hits(cb, "en", "The C5+1 format and the c5 + 1 platform")] == [
        "C5+1",
        "c5 + 1",
    ]


def test_chinese_entries_match_characters() -> None:
    cb = book(a={"zh": ["民心相通", "一带一路"]}, b={"zh": ["孔子学院"]})
    text = "民心相通是共建一带一路的社会根基，孔子学院也在发展。"
    assert [(h[0], h[2]) for h in hits(cb, "zh", text)] == [
        ("a", "民心相通"),
        ("a", "一带一路"),
        ("b", "孔子学院"),
    ]


def test_a_language_without_entries_matches_nothing() -> None:
    assert hits(book(c={"en": ["sovereignty"]}), "ru", "суверенитет") == []


@pytest.mark.parametrize("text", ["", "   ", "—", "2013 2025"])
def test_degenerate_text(text: str) -> None:
    assert hits(book(c={"en": ["sovereignty"]}), "en", text) == []


def test_regex_entries_are_found_anywhere_in_long_texts() -> None:
    """Anchored regex entries run only around their literal (#9: speed); matches far into
    a long paragraph, lookbehinds before the window and case-sensitive entries hold."""
    from diplocode.codebook.lexicon import CompiledLexicon, _required_anchor
    from diplocode.lang.analysis import analyzer

    lex = CompiledLexicon("en", analyzer("en"))
    lex.add("korea", r"re:(?<!north )\bkorea\b")
    lex.add("us", r"re:(?-i:\bUS\b)")
    lex.add("west", r"re:(?-i:\b[Tt]he West\b)(?!\s+Bank)")
    lex.finish()
    filler = "Nothing to see in this sentence at all. " * 200
    text = (
        filler + "Korea and North Korea met; the US and us; the West Bank and the West. " + filler
    )
    found = sorted((m.code, text[m.start : m.end]) for m in lex.match(text))
    assert found == [("korea", "Korea"), ("us", "US"), ("west", "the West")]
    assert _required_anchor(r"(?-i:\bUS\b)") == ("US", True)
    assert _required_anchor(r"(?<!latin )\bamerica(?!s\b)") == ("america", False)


def test_regex_shortcuts_keep_every_match() -> None:
    """The regex shortcuts (#9: speed) change no result: the anchor is the literal the
    fewest entries share, the other literals are tested first, a bounded entry runs in a
    window as wide as its longest match (plus room for a lookahead), and folding follows
    ``re.IGNORECASE`` (``ı`` matches ``i``, ``ſ`` matches ``s``)."""
    import re

    from diplocode.codebook.lexicon import CompiledLexicon, _fold_like_re, _reach_of
    from diplocode.lang.analysis import analyzer

    entries = {
        f"pair{k}": rf"re:\bCentral Asia(?:n)?\b\s*[-–—+]\s*{partner}\b"
        for k, partner in enumerate(["China", "Japan", "India", "Korea", "Germany"])
    }
    entries["look"] = r"re:\bsilk road\b(?!\s+(?:fund|bank))"
    entries["turk"] = r"re:\bTürkiye\b"
    entries["long"] = r"re:\bsoft\s+power\b"
    lex = CompiledLexicon("en", analyzer("en"))
    for code, entry in entries.items():
        lex.add(code, entry)
    lex.finish()
    filler = "Words that name nothing at all in this sentence. " * 30
    text = (
        f"{filler}Central Asia–China talks; the Central Asian + Japan format; "
        f"the Silk Road Fund, then the Silk Road itself; TÜRKIYE and Türkıye; "
        f"soft{' ' * 100}power. {filler}Central Asia - Germany."
    )
    got = sorted((m.code, m.start, m.end) for m in lex.match(text))
    expected = sorted(
        (code, m.start(), m.end())
        for code, entry in entries.items()
        for m in re.compile(entry[3:], re.IGNORECASE).finditer(text)
    )
    assert got == expected
    assert {c for c, _, _ in got} >= {"pair0", "pair1", "pair4", "look", "turk", "long"}
    assert _fold_like_re("Türkıye ſ") == "türkiye s"
    assert _reach_of(r"\bkorea\b") == 5 + 32 and _reach_of(r"\bsoft\s+power\b") == 256
