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
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, cast

from ..lang.analysis import _WORD, Analyzer, analyzer, fold
from .model import Codebook

__all__ = ["CompiledLexicon", "Match", "compile_lexicon"]

_MIN_AFFIX = 3
#: Words (as :data:`diplocode.lang.analysis._WORD` finds them) and the text between them.
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")
#: How far from its required literal a regex entry's match may reach (characters).
_REGEX_REACH = 256
#: Characters past a bounded regex's longest match kept in its window, for lookaheads.
_LOOKAHEAD = 32


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
        self._reach: list[int] = []  # per regex entry: how far from its literal a match reaches
        self._starters: set[str] = set()  # words (as written) that can start a word match
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
        self._reach = [_reach_of(pattern.pattern) for pattern, _, _ in self._regexes]
        literals = [_required_literals(pattern.pattern) for pattern, _, _ in self._regexes]
        # the anchor of an entry: of the literals it needs, the one the fewest other
        # entries share (then the longest): "China" rather than "Central Asia" for
        # "Central Asia–China", where a hundred entries need "Central Asia"
        shared = Counter(lit for lits in literals for lit in set(lits))
        self._musts = []
        for i, lits in enumerate(literals):
            usable = [
                (lit, cased) for lit, cased in lits if len(lit) >= (2 if cased else 3)
            ]  # "US" as written is rare; "us" folded is everywhere
            if not usable:
                self._unanchored.append(i)
                self._musts.append(lits)
                continue
            anchor = min(usable, key=lambda x: (shared[x], -len(x[0])))
            (by_cased if anchor[1] else by_anchor)[anchor[0]].append(i)
            self._musts.append(tuple(x for x in lits if x != anchor))
        for table, attr in ((by_anchor, "_anchors"), (by_cased, "_anchors_cased")):
            if table:
                automaton = ahocorasick.Automaton()
                for literal, indices in table.items():
                    automaton.add_word(literal, indices)
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
            if firsts:
                self._starters.add(word)
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

        An anchored entry is run only around the places its literal occurs (windows as
        wide as its longest match either side, at most :data:`_REGEX_REACH` characters,
        merged): a long paragraph is not scanned in full for every entry whose literal
        it holds once. An unbounded entry's match must therefore lie within that reach
        of its literal — any phrase does."""
        windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
        chunk = text[start:end]
        folded = _fold_like_re(chunk)
        if len(folded) != len(chunk):  # lower() changed lengths (rare letters): no shortcut
            folded = ""
        for automaton, haystack in ((self._anchors, folded), (self._anchors_cased, chunk)):
            if automaton is None:
                continue
            if not haystack:  # see above: run these entries over the whole text
                for indices in automaton.values():
                    for i in indices:
                        windows[i].append((start, end))
                continue
            for last, indices in automaton.iter(haystack):
                at = start + last
                for i in indices:
                    reach = self._reach[i]
                    windows[i].append((max(start, at - reach), min(end, at + 1 + reach)))
        for i in self._unanchored:
            windows[i].append((start, end))
        raw: list[Match] = []
        for i in sorted(windows):
            pattern, code, entry = self._regexes[i]
            musts = self._musts[i] if folded else ()
            seen: set[tuple[int, int]] = set()
            for w0, w1 in _merge(windows[i]):
                # every other literal the entry needs must be in the window: a cheap test
                # that spares most runs ("Central Asia–China" where only "Central Asia" is)
                if any(
                    (text.find(lit, w0, w1) if cased else folded.find(lit, w0 - start, w1 - start))
                    < 0
                    for lit, cased in musts
                ):
                    continue
                for m in pattern.finditer(text, w0, w1):
                    if m.end() > m.start() and (m.start(), m.end()) not in seen:
                        seen.add((m.start(), m.end()))
                        raw.append(Match(code, entry, m.start(), m.end()))
        return raw

    def _match_words(self, text: str, start: int, end: int) -> list[Match]:
        """Walk the pattern trie from every word that can start a match.

        Words and the text between them come from one ``split``; their patterns from a
        per-word cache (words not seen before found with set operations). Only when some
        word can start a match are the words' offsets computed (by summing lengths).
        """
        parts = _WORD_SPLIT.split(text[start:end])
        words = parts[1::2]
        cache = self._word_keys
        looked_up = list(map(cache.get, words))  # C-speed look-ups; None = not seen
        if None in looked_up:
            for word in set(words).difference(cache):
                self._keys_of(word)
            looked_up = list(map(cache.get, words))
        if self._starters.isdisjoint(words):  # no word can start a match
            return []
        info = (
            [
                x if x is not None else self._keys_of(w)  # the cache is full
                for x, w in zip(looked_up, words, strict=True)
            ]
            if None in looked_up
            else cast("list[_WordInfo]", looked_up)
        )
        starts = [i for i, x in enumerate(info) if x[1]]
        # word k is parts[2k + 1]: it starts where the parts before it end
        offsets = list(accumulate(map(len, parts), initial=start))
        out: list[Match] = []
        n = len(info)
        for i in starts:
            frontier: list[_Node] = list(info[i][1])
            j = i
            while True:
                for node in frontier:
                    for code, entry in node.outputs:
                        out.append(Match(code, entry, offsets[2 * i + 1], offsets[2 * j + 2]))
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
        folded = _fold_like_re(chunk)
        if len(folded) != len(chunk):  # lower() changed lengths (rare letters): keep offsets true
            folded = chunk
        out: list[Match] = []
        for last, (length, outputs) in self._automaton.iter(folded):
            s = start + last - length + 1
            out.extend(Match(code, entry, s, start + last + 1) for code, entry in outputs)
        return out


def _case_table() -> dict[int, int]:
    """Characters ``re.IGNORECASE`` treats as one beyond what ``str.lower`` joins (``ı``
    and ``i``, ``ſ`` and ``s``, ``ς`` and ``σ`` ...), each mapped to one of its class."""
    try:
        from re import _casefix  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - an interpreter without the table
        return {}
    table: dict[int, int] = {}
    for char, others in _casefix._EXTRA_CASES.items():
        canonical = min(char, *others)
        for c in (char, *others):
            if c != canonical:
                table[c] = canonical
    return table


_CASE_TABLE = _case_table()


_CASE_CHARS = re.compile("[" + re.escape("".join(map(chr, _CASE_TABLE))) + "]")


def _fold_like_re(text: str) -> str:
    """``text`` folded so that equal results mean equal under ``re.IGNORECASE`` for the
    literal tests of :meth:`CompiledLexicon._match_regexes` (same length as ``lower()``)."""
    lowered = text.lower()
    return lowered.translate(_CASE_TABLE) if _CASE_CHARS.search(lowered) else lowered


def _required_literals(pattern: str) -> tuple[tuple[str, bool], ...]:
    """Every literal run (two characters or more) a match of ``pattern`` must contain, at
    its top level, with whether it must match in case (inside ``(?-i:...)``); folded
    when not. Empty for a pattern the parser cannot read."""
    try:
        parsed = re._parser.parse(pattern)  # type: ignore[attr-defined]
    except Exception:
        return ()
    zero_width = ("AT", "ASSERT", "ASSERT_NOT")
    items = [(op, arg) for op, arg in parsed if str(op) not in zero_width]
    cased = False
    if len(items) == 1 and str(items[0][0]) == "SUBPATTERN":
        _group, _add, dropped, inner = items[0][1]
        parsed, cased = inner, bool(dropped & re.IGNORECASE)
    runs: list[str] = []
    current: list[str] = []
    for op, arg in parsed:
        if str(op) == "LITERAL":
            current.append(chr(arg))
        elif str(op) in zero_width:
            continue
        else:
            runs.append("".join(current))
            current = []
    runs.append("".join(current))
    return tuple(
        dict.fromkeys(
            (run if cased else _fold_like_re(run), cased) for run in runs if len(run) >= 2
        )
    )


def _reach_of(pattern: str) -> int:
    """How far from its required literal a match of ``pattern`` can reach: its longest
    possible match (from Python's regex parser), plus room for a lookahead past the
    match's end, at most :data:`_REGEX_REACH`. (Lookbehinds and ``\b`` see the text
    before a window's start anyway: ``finditer(text, pos)`` does not cut the string.)"""
    try:
        _low, high = re._parser.parse(pattern).getwidth()  # type: ignore[attr-defined]
    except Exception:
        return _REGEX_REACH
    return int(min(high + _LOOKAHEAD, _REGEX_REACH))


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
