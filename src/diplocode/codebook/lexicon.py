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
from typing import Any, cast

from ..lang.analysis import _WORD, Analyzer, analyzer, fold
from .model import Codebook

__all__ = ["CompiledLexicon", "Match", "compile_lexicon"]

_MIN_AFFIX = 3
#: How far from its required literal a regex entry's match may reach (characters).
_REGEX_REACH = 256


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans merged, in order."""
    out: list[tuple[int, int]] = []
    for s0, s1 in sorted(spans):
        if out and s0 <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], s1))
        else:
            out.append((s0, s1))
    return out


@dataclass(frozen=True, slots=True)
class Match:
    """One lexicon hit: which code, which entry, and where (offsets into the text)."""

    code: str
    entry: str
    start: int
    end: int


_WordInfo = tuple[tuple[tuple[str, str], ...], tuple["_Node", ...]]


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
        self._anchors: Any = None  # literal each regex entry needs -> entry indices
        self._anchors_cased: Any = None  # the same for case-sensitive entries, as written
        self._unanchored: list[int] = []
        self._word_keys: dict[str, tuple[tuple[tuple[str, str], ...], tuple[_Node, ...]]] = {}
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
        if self._regexes:
            self._index_regexes()
        return self

    def _index_regexes(self) -> None:
        """Find each regex entry's longest required literal (from Python's own regex
        parser); an automaton of those literals tells which entries can match a text."""
        import ahocorasick

        by_anchor: dict[str, list[int]] = defaultdict(list)
        by_cased: dict[str, list[int]] = defaultdict(list)  # anchors that must match in case
        self._unanchored = []
        for i, (pattern, _, _) in enumerate(self._regexes):
            anchor, cased = _required_anchor(pattern.pattern)
            if anchor is not None and cased and len(anchor) >= 2:
                by_cased[anchor].append(i)  # "US": rare as written, common folded
            elif anchor is not None and len(anchor) >= 3:
                by_anchor[anchor.lower()].append(i)
            else:
                self._unanchored.append(i)
        for table, attr in ((by_anchor, "_anchors"), (by_cased, "_anchors_cased")):
            if table:
                automaton = ahocorasick.Automaton()
                for anchor, indices in table.items():
                    automaton.add_word(anchor, indices)
                automaton.make_automaton()
                setattr(self, attr, automaton)

    # -- matching -------------------------------------------------------------------------
    def _keys_of(self, word: str) -> tuple[tuple[tuple[str, str], ...], tuple[_Node, ...]]:
        """The word patterns a word (as written) matches, and the trie nodes where a match
        can start with it; computed once per distinct word."""
        cached = self._word_keys.get(word)
        if cached is None:
            assert self.analyzer is not None
            surface, norm = fold(word), self.analyzer.norm(word)
            found: list[tuple[str, str]] = []
            if norm in self._exact:
                found.append(("exact", norm))
            if surface != norm and surface in self._exact:
                found.append(("exact", surface))
            for form in {surface, norm}:
                for n in range(_MIN_AFFIX, len(form) + 1):
                    if form[:n] in self._prefixes:
                        found.append(("prefix", form[:n]))
                    if form[-n:] in self._suffixes:
                        found.append(("suffix", form[-n:]))
            keys = tuple(dict.fromkeys(found))
            firsts = tuple(self._root.children[k] for k in keys if k in self._root.children)
            cached = (keys, firsts)
            if len(self._word_keys) < 2_000_000:
                self._word_keys[word] = cached
        return cached

    def match(self, text: str, start: int = 0, end: int | None = None) -> list[Match]:
        """All hits in ``text[start:end]`` (absolute offsets), longest per code, in order."""
        end = len(text) if end is None else end
        raw: list[Match] = []
        if self._automaton is not None:
            raw.extend(self._match_chinese(text, start, end))
        if self._root.children:
            assert self.analyzer is not None
            raw.extend(self._match_words(text, start, end))
        if self._regexes:
            raw.extend(self._match_regexes(text, start, end))
        return _longest_per_code(raw)

    def _match_regexes(self, text: str, start: int, end: int) -> list[Match]:
        """Run the regex entries that can match: those whose required literal occurs
        (found for all of them in one Aho-Corasick pass), and those without one.

        An anchored entry is run only around the places its literal occurs (windows of
        :data:`_REGEX_REACH` characters either side, merged): a long paragraph is not
        scanned in full for every entry whose literal it holds once. An entry's match
        must therefore lie within that reach of its literal — any phrase does."""
        windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for automaton, chunk in (
            (self._anchors, None),
            (self._anchors_cased, text[start:end]),
        ):
            if automaton is None:
                continue
            haystack = chunk if chunk is not None else text[start:end].lower()
            for last, indices in automaton.iter(haystack):
                at = start + last
                for i in indices:
                    windows[i].append(
                        (max(start, at - _REGEX_REACH), min(end, at + 1 + _REGEX_REACH))
                    )
        for i in self._unanchored:
            windows[i].append((start, end))
        raw: list[Match] = []
        for i in sorted(windows):
            pattern, code, entry = self._regexes[i]
            seen: set[tuple[int, int]] = set()
            for w0, w1 in _merge(windows[i]):
                for m in pattern.finditer(text, w0, w1):
                    if m.end() > m.start() and (m.start(), m.end()) not in seen:
                        seen.add((m.start(), m.end()))
                        raw.append(Match(code, entry, m.start(), m.end()))
        return raw

    def _match_words(self, text: str, start: int, end: int) -> list[Match]:
        """Walk the pattern trie from every word that can start a match.

        Words come from one ``findall``; their patterns from a per-word cache. Only when
        some word can start a match are the words' offsets computed (a second pass).
        """
        words = _WORD.findall(text, start, end)
        looked_up = list(map(self._word_keys.get, words))  # C-speed look-ups; None = not seen
        info = (
            [
                x if x is not None else self._keys_of(w)
                for x, w in zip(looked_up, words, strict=True)
            ]
            if None in looked_up
            else cast("list[_WordInfo]", looked_up)
        )
        starts = [i for i, x in enumerate(info) if x[1]]
        if not starts:
            return []
        spans = [m.span() for m in _WORD.finditer(text, start, end)]
        out: list[Match] = []
        n = len(info)
        for i in starts:
            frontier: list[_Node] = list(info[i][1])
            j = i
            while True:
                for node in frontier:
                    for code, entry in node.outputs:
                        out.append(Match(code, entry, spans[i][0], spans[j][1]))
                j += 1
                if j >= n:
                    break
                keys = info[j][0]
                frontier = [
                    child
                    for node in frontier
                    if node.children
                    for key in keys
                    if (child := node.children.get(key)) is not None
                ]
                if not frontier:
                    break
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


def _required_literal(pattern: str) -> str | None:
    """The longest run of literal characters every match of ``pattern`` must contain
    (top level of the pattern only: nothing inside groups, branches or repeats)."""
    literal, _ = _required_anchor(pattern)
    return literal


def _required_anchor(pattern: str) -> tuple[str | None, bool]:
    """The longest literal run every match needs, and whether it must match in case: a
    pattern that is one group with scoped flags, ``(?-i:...)`` (a case-sensitive entry
    such as ``\bUS\b``), is looked into, and its literal is case-sensitive. Zero-width
    items (``\b``, lookarounds) keep a run going."""
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except Exception:  # an unparseable pattern has no shortcut
        return None, False
    zero_width = ("AT", "ASSERT", "ASSERT_NOT")
    items = [(op, arg) for op, arg in parsed if str(op) not in zero_width]
    case_sensitive = False
    if len(items) == 1 and str(items[0][0]) == "SUBPATTERN":
        _group, _add, dropped, inner = items[0][1]
        parsed, case_sensitive = inner, bool(dropped & re.IGNORECASE)
    runs: list[str] = []
    current: list[str] = []
    for op, arg in parsed:
        if str(op) == "LITERAL":
            current.append(chr(arg))
        elif str(op) in zero_width:  # no characters taken: a run continues
            continue
        else:
            runs.append("".join(current))
            current = []
    runs.append("".join(current))
    best = max(runs, key=len)
    return (best or None), case_sensitive


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
