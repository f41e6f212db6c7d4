"""Lexicons compiled for matching, with quanteda's dictionary semantics.

Entry syntax (per language, per code):

* ``word`` or ``multi word phrase`` — matched on normal forms (Russian lemmas, English
  Snowball stems, Kazakh stems; Chinese: characters), case-insensitive; the entry is
  analysed exactly like running text, so inflected forms match dictionary forms;
* ``stem*`` / ``*suffix`` — a wildcard on one word, tested against the folded surface
  form and the normal form of each token (``*`` needs >= 3 letters beside it);
* ``re:PATTERN`` — a case-insensitive regular expression over the segment's text.

Matches are found in one pass: a trie over word patterns walked from every token (each
token's set of matching patterns is computed once per distinct token and cached);
Chinese entries go into an Aho-Corasick automaton over characters. As in quanteda, within
one code the longest match wins and nested or overlapping matches of the same code count
once; different codes match independently.

>>> from diplocode.codebook.model import Codebook
>>> cb = Codebook(name="t", version="1", dimensions=[{"key": "channel", "label": {"en": "Channel"},
...     "codes": [{"key": "scholarships_mobility", "label": {"en": "Scholarships"},
...                "lexicon": {"ru": ["стипендия", "академическая мобильность"]}}]}])
>>> lex = compile_lexicon(cb, "ru")
>>> [(m.code, m.entry) for m in lex.match("Студенты получают стипендии для академической мобильности.")]
[('scholarships_mobility', 'стипендия'), ('scholarships_mobility', 'академическая мобильность')]
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..lang.analysis import Analyzer, Token, analyzer, fold
from .model import Codebook

__all__ = ["CompiledLexicon", "Match", "compile_lexicon"]

_MIN_AFFIX = 3


@dataclass(frozen=True, slots=True)
class Match:
    """One lexicon hit: which code, which entry, and where (offsets into the text)."""

    code: str
    entry: str
    start: int
    end: int


@dataclass
class _Node:
    children: dict[tuple[str, str], _Node] = field(default_factory=dict)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (code, entry)


class CompiledLexicon:
    """All entries of one codebook version for one language, ready to match."""

    def __init__(self, lang: str, text_analyzer: Analyzer | None) -> None:
        self.lang = lang
        self.analyzer = text_analyzer
        self._root = _Node()
        self._exact: set[str] = set()
        self._prefixes: set[str] = set()
        self._suffixes: set[str] = set()
        self._regexes: list[tuple[re.Pattern[str], str, str]] = []
        self._automaton: Any = None  # Chinese: pyahocorasick over characters
        self._token_keys: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
        self.n_entries = 0

    # -- building -------------------------------------------------------------------------
    def add(self, code: str, entry: str) -> None:
        self.n_entries += 1
        if entry.startswith("re:"):
            self._regexes.append((re.compile(entry[3:], re.IGNORECASE), code, entry))
            return
        if self.lang == "zh":
            self._add_chinese(code, entry)
            return
        node = self._root
        for key in self._entry_keys(entry):
            node = node.children.setdefault(key, _Node())
        if node is not self._root:
            node.outputs.append((code, entry))

    def _entry_keys(self, entry: str) -> list[tuple[str, str]]:
        keys = []
        for word in entry.split():
            if word.endswith("*") and not word.startswith("*"):
                prefix = fold(word[:-1])
                self._prefixes.add(prefix)
                keys.append(("prefix", prefix))
            elif word.startswith("*") and not word.endswith("*"):
                suffix = fold(word[1:])
                self._suffixes.add(suffix)
                keys.append(("suffix", suffix))
            else:
                assert self.analyzer is not None
                # a hyphenated or apostrophised word may analyse into several tokens
                for norm in self.analyzer.phrase(word.strip("*")):
                    self._exact.add(norm)
                    keys.append(("exact", norm))
        return keys

    def _add_chinese(self, code: str, entry: str) -> None:
        import ahocorasick

        if self._automaton is None:
            self._automaton = ahocorasick.Automaton()
        key = fold(entry.replace("*", ""))
        existing = self._automaton.get(key, None)
        outputs = [*(existing[1] if existing else []), (code, entry)]
        self._automaton.add_word(key, (len(key), outputs))

    def finish(self) -> CompiledLexicon:
        if self._automaton is not None:
            self._automaton.make_automaton()
        return self

    # -- matching -------------------------------------------------------------------------
    def _keys_of(self, token: Token) -> tuple[tuple[str, str], ...]:
        cache_key = (token.surface, token.norm)
        keys = self._token_keys.get(cache_key)
        if keys is None:
            found: list[tuple[str, str]] = []
            if token.norm in self._exact:
                found.append(("exact", token.norm))
            if token.surface != token.norm and token.surface in self._exact:
                found.append(("exact", token.surface))
            for form in {token.surface, token.norm}:
                for n in range(_MIN_AFFIX, len(form) + 1):
                    if form[:n] in self._prefixes:
                        found.append(("prefix", form[:n]))
                    if form[-n:] in self._suffixes:
                        found.append(("suffix", form[-n:]))
            keys = tuple(dict.fromkeys(found))
            if len(self._token_keys) < 1_000_000:
                self._token_keys[cache_key] = keys
        return keys

    def match(self, text: str, start: int = 0, end: int | None = None) -> list[Match]:
        """All hits in ``text[start:end]`` (absolute offsets), longest per code, in order."""
        end = len(text) if end is None else end
        raw: list[Match] = []
        if self._automaton is not None:
            raw.extend(self._match_chinese(text, start, end))
        if self._root.children:
            assert self.analyzer is not None
            raw.extend(self._match_tokens(self.analyzer.tokens(text, start, end)))
        for pattern, code, entry in self._regexes:
            raw.extend(
                Match(code, entry, m.start(), m.end())
                for m in pattern.finditer(text, start, end)
                if m.end() > m.start()
            )
        return _longest_per_code(raw)

    def _match_tokens(self, tokens: list[Token]) -> list[Match]:
        out: list[Match] = []
        keys = [self._keys_of(t) for t in tokens]
        for i in range(len(tokens)):
            if not keys[i]:
                continue
            frontier = [self._root]
            j = i
            while frontier and j < len(tokens):
                nxt = [
                    child
                    for node in frontier
                    for key in keys[j]
                    if (child := node.children.get(key)) is not None
                ]
                for node in nxt:
                    out.extend(
                        Match(code, entry, tokens[i].start, tokens[j].end)
                        for code, entry in node.outputs
                    )
                frontier = nxt
                j += 1
        return out

    def _match_chinese(self, text: str, start: int, end: int) -> list[Match]:
        chunk = text[start:end]
        folded = chunk.lower()
        if len(folded) != len(chunk):  # lower() changed lengths (rare letters): keep offsets true
            folded = chunk
        out: list[Match] = []
        for last, (length, outputs) in self._automaton.iter(folded):
            s = start + last - length + 1
            out.extend(Match(code, entry, s, start + last + 1) for code, entry in outputs)
        return out


def _longest_per_code(matches: list[Match]) -> list[Match]:
    """Per code, keep leftmost-longest non-overlapping matches (quanteda's nested scope)."""
    by_code: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        by_code[m.code].append(m)
    kept: list[Match] = []
    for code_matches in by_code.values():
        code_matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
        last_end = -1
        for m in code_matches:
            if m.start >= last_end:
                kept.append(m)
                last_end = m.end
    kept.sort(key=lambda m: (m.start, m.end, m.code))
    return kept


def compile_lexicon(codebook: Codebook, lang: str) -> CompiledLexicon:
    """Compile every code's entries for ``lang`` (codes without entries add nothing)."""
    lexicon = CompiledLexicon(lang, None if lang == "zh" else analyzer(lang))
    for code in codebook.codes():
        for entry in code.lexicon.get(lang, []):
            lexicon.add(code.key, entry)
    return lexicon.finish()
