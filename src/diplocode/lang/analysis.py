"""Tokens with normal forms: what lexicon matching (and later classifiers) work on.

Each language has one :class:`Analyzer` (built lazily by :func:`analyzer`):

============  ==========================================  ==========================
language      tokens                                      normal form (``norm``)
============  ==========================================  ==========================
``ru``        words (letters, digits, inner ``-``/``'``)  pymorphy3 lemma
``en``        same                                        Snowball (PyStemmer) stem
``kk``        same                                        diplocode's Kazakh stemmer
``zh``        jieba words                                 the word itself
others        same as ``ru``                              lower-cased word
============  ==========================================  ==========================

Words are runs of letters and digits (with inner apostrophes); hyphens separate words, so
an entry ``people-to-people bonds`` matches both "people-to-people bonds" and "people to
people bonds", and ``English language`` matches "English-language".

``surface`` is the token lower-cased with ``ё`` folded to ``е``; normal forms are cached
per distinct word, so running text costs a dictionary look-up per token.

>>> [t.norm for t in analyzer("ru").tokens("Стипендиями в университетах")]
['стипендия', 'в', 'университет']
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["Analyzer", "Token", "analyzer", "fold"]

_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``[start, end)`` offsets into the text, folded surface and normal form."""

    start: int
    end: int
    surface: str
    norm: str


def fold(word: str) -> str:
    """Lower-case and fold ``ё`` to ``е`` (Russian texts use both).

    >>> fold("Шёлковый")
    'шелковый'
    """
    word = word.lower()
    return word.replace("ё", "е") if "ё" in word else word


class Analyzer:
    """Tokenizer plus normaliser for one language.

    Parameters
    ----------
    code:
        ISO 639-1 code.
    method:
        A short description of the normal form, recorded in coder parameters.
    normalise:
        Maps a word to its normal form (lemma or stem); results are cached.
    sees_case:
        Whether ``normalise`` gets the word as written (a lemmatiser can treat a
        capitalised word as a name) rather than folded.
    """

    def __init__(
        self,
        code: str,
        method: str,
        normalise: Callable[[str], str] | None = None,
        sees_case: bool = False,
    ) -> None:
        self.code = code
        self.method = method
        self._normalise = normalise
        self._sees_case = sees_case
        self._cache: dict[str, str] = {}

    def norm(self, word: str) -> str:
        """The normal form of one word, folded (lower case, ё as е)."""
        key = word if self._sees_case else fold(word)
        cached = self._cache.get(key)
        if cached is None:
            cached = fold(self._normalise(key)) if self._normalise else fold(key)
            if len(self._cache) < 2_000_000:  # bound memory on huge vocabularies
                self._cache[key] = cached
        return cached

    def tokens(self, text: str, start: int = 0, end: int | None = None) -> list[Token]:
        """Tokens of ``text[start:end]`` with absolute offsets."""
        end = len(text) if end is None else end
        norm = self.norm
        out = []
        for m in _WORD.finditer(text, start, end):
            word = m.group()
            out.append(Token(m.start(), m.end(), fold(word), norm(word)))
        return out

    def phrase(self, text: str) -> list[str]:
        """Normal forms of the words of a lexicon entry (same analysis as running text)."""
        return [t.norm for t in self.tokens(text)]

    @property
    def stop_words(self) -> frozenset[str]:
        """Function words of the language (``lang/<code>/stop_words.py``; empty if none)."""
        try:
            module = importlib.import_module(f"{__package__}.{self.code}.stop_words")
        except ModuleNotFoundError:
            return frozenset()
        words: frozenset[str] = module.STOP_WORDS
        return words

    def describe(self) -> dict[str, Any]:
        return {"language": self.code, "normal_form": self.method}


class ChineseAnalyzer(Analyzer):
    """jieba word segmentation; a word's normal form is the word."""

    def __init__(self) -> None:
        super().__init__("zh", f"jieba {_version('jieba')} words")

    def tokens(self, text: str, start: int = 0, end: int | None = None) -> list[Token]:
        import jieba

        end = len(text) if end is None else end
        out = []
        for word, s, e in jieba.tokenize(text[start:end]):
            if word.strip() and _WORD.match(word):
                folded = fold(word)
                out.append(Token(start + s, start + e, folded, folded))
        return out


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


@cache
def analyzer(code: str) -> Analyzer:
    """The analyzer for a language: ``diplocode.lang.<code>.analysis.make()`` if the
    language has one, else lower-casing only."""
    from . import get

    get(code)  # unknown codes raise E024 with the valid options
    try:
        module = importlib.import_module(f"{__package__}.{code}.analysis")
    except ModuleNotFoundError:
        return Analyzer(code, "lower-case")
    made: Analyzer = module.make()
    return made
