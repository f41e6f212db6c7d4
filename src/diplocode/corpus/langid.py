"""Language per paragraph, restricted to the project's configured languages.

Detection uses Google's Compact Language Detector 2 (``pycld2``: fast, and it knows the
Central Asian languages — Kazakh, Kyrgyz, Uzbek, Tajik, Turkmen — as well as Russian,
English, Chinese and Turkish). Its ranked guesses are filtered to the configured set;
when none of them is configured, or CLD2 cannot decide, ``py3langid`` (a naive Bayes
model over byte n-grams) restricted to the configured set decides instead. A
paragraph with fewer than ``min_chars`` letters inherits its neighbours' language
(Chinese script is decisive even when short).

>>> det = LanguageDetector(["en", "ru", "kk"])
>>> det.detect("Қазақстан мен Қытай арасындағы гуманитарлық ынтымақтастық дамып келеді.").language
'kk'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..errors import DiplocodeError

#: The languages diplocode knows how to detect: the four working languages and the
#: region's others.
KNOWN_LANGUAGES = ("en", "ru", "kk", "zh", "tr", "ky", "uz", "tg", "tk")
DEFAULT_LANGUAGES = KNOWN_LANGUAGES
#: py3langid's model covers these of ours (not Tajik or Turkmen).
_LANGID_KNOWS = frozenset({"en", "ru", "kk", "zh", "tr", "ky", "uz"})
#: CLD2 codes that mean one of ours.
_CLD2_ALIASES = {"zh-Hant": "zh", "zh": "zh"}

_LETTER = re.compile(r"[^\W\d_]")
_NON_LETTERS = re.compile(r"[\W\d_]+")
#: CLD2 sees at most this much of a paragraph (its first characters, cut at a space).
_SAMPLE_CHARS = 400
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Detection:
    """The language of one text: ISO 639-1 code (or None), a 0-1 score, and how."""

    language: str | None
    score: float
    method: str  # cld2 | cld2-doc | langid | script | inherited | declared | none


class LanguageDetector:
    """Detects languages among a configured set.

    Parameters
    ----------
    languages:
        ISO 639-1 codes to choose among (a subset of :data:`KNOWN_LANGUAGES`).
    min_chars:
        Paragraphs with fewer letters than this inherit their neighbours' language.
    """

    def __init__(self, languages: Sequence[str] = DEFAULT_LANGUAGES, min_chars: int = 40) -> None:
        self.languages = tuple(languages)
        self.min_chars = min_chars

    def get_params(self) -> dict[str, Any]:
        return {"languages": list(self.languages), "min_chars": self.min_chars}

    @cached_property
    def _allowed(self) -> frozenset[str]:
        unknown = [code for code in self.languages if code not in KNOWN_LANGUAGES]
        if unknown or not self.languages:
            raise DiplocodeError(
                "E060",
                param="languages",
                owner="LanguageDetector",
                constraint=f"a non-empty list drawn from {', '.join(KNOWN_LANGUAGES)}",
                value=list(self.languages),
            )
        return frozenset(self.languages)

    @cached_property
    def _fallback(self) -> Any:
        fallback_langs = sorted(self._allowed & _LANGID_KNOWS)
        if not fallback_langs:
            return None
        from py3langid.langid import _load_identifier

        return _load_identifier(langs=fallback_langs)

    # -- one text ---------------------------------------------------------------------------
    def detect(self, text: str) -> Detection:
        """The language of ``text`` (any length; short texts are less certain)."""
        allowed = self._allowed
        text = _sample(text)
        if "zh" in allowed and _han_share(text) > 0.3:
            return Detection("zh", 1.0, "script")
        try:
            import pycld2

            _reliable, _nbytes, guesses = pycld2.detect(text, isPlainText=True, bestEffort=True)[:3]
        except Exception:  # pycld2.error: invalid UTF-8 (lone surrogates) and the like
            guesses = ()
        for _name, code, percent, _score in guesses:
            code = _CLD2_ALIASES.get(code, code.split("-")[0])
            if code in allowed and percent > 0:
                return Detection(code, percent / 100.0, "cld2")
        if self._fallback is not None and _LETTER.search(text):
            code, _ = self._fallback.classify(text)
            return Detection(code, 0.5, "langid")
        return Detection(None, 0.0, "none")

    # -- a document's paragraphs -----------------------------------------------------------------
    def label(self, text: str, spans: Sequence[tuple[int, int]]) -> list[Detection]:
        """One :class:`Detection` per ``[start, end)`` span of ``text``.

        Spans with fewer than ``min_chars`` letters (and no decisive script) take the
        language of the nearest preceding labelled span, else the following one.

        Most documents are in one language. So first the samples of all long-enough
        spans go to CLD2 in *one* call that returns language vectors (byte ranges per
        language); if every range is the same configured language, each of those spans
        gets it (method ``cld2-doc``). Any second language, or anything unknown, and each
        span is detected on its own. This gives the same labels as span-by-span
        detection on mixed text (the test suite checks both on NTREX-based documents)
        and saves CLD2's fixed cost per call, which dominates on short paragraphs.
        """
        found: list[Detection | None] = [None] * len(spans)
        long_enough: list[int] = []
        for i, (start, end) in enumerate(spans):
            chunk = text[start:end]
            if _letter_count(chunk, self.min_chars) >= self.min_chars:
                long_enough.append(i)
            elif "zh" in self._allowed and _han_share(chunk) > 0.5:
                found[i] = Detection("zh", 1.0, "script")
        single = (
            self._single_language([text[spans[i][0] : spans[i][1]] for i in long_enough])
            if len(long_enough) > 1
            else None
        )
        for i in long_enough:
            start, end = spans[i]
            found[i] = (
                Detection(single, 1.0, "cld2-doc") if single else self.detect(text[start:end])
            )
        return _inherit(
            found, lambda: self.detect(text[spans[0][0] : spans[-1][1]]) if spans else None
        )

    def _single_language(self, chunks: Sequence[str]) -> str | None:
        """The one configured language all ``chunks`` are in, per CLD2's vectors, or None."""
        digest = "\n\n".join(_sample(chunk) for chunk in chunks)
        try:
            import pycld2

            reliable, _, _, vectors = pycld2.detect(
                digest, isPlainText=True, bestEffort=True, returnVectors=True
            )
        except Exception:  # invalid UTF-8 and the like: go span by span
            return None
        codes = {_CLD2_ALIASES.get(code, code.split("-")[0]) for _, _, _, code in vectors}
        if reliable and len(codes) == 1:
            (code,) = codes
            if code in self._allowed:
                return code
        return None


def _inherit(found: list[Detection | None], whole: Any) -> list[Detection]:
    """Fill gaps from the previous labelled item, leading gaps from the next one."""
    labelled = [d for d in found if d is not None and d.language]
    if not labelled:
        overall = whole()
        lang = overall.language if overall else None
        return [Detection(lang, overall.score if overall else 0.0, "inherited") for _ in found]
    out: list[Detection] = []
    previous: Detection | None = None
    for det in found:
        if det is not None and det.language:
            previous = det
            out.append(det)
        else:
            out.append(
                Detection(previous.language, previous.score, "inherited")
                if previous
                else det or Detection(None, 0.0, "none")
            )
    # leading items had no predecessor: give them the first labelled language
    first = labelled[0]
    return [
        Detection(first.language, first.score, "inherited") if d.language is None else d
        for d in out
    ]


def _han_share(text: str) -> float:
    """Share of Han characters among the non-space characters of the first 400."""
    sample = text[:400]
    if not _HAN.search(sample):  # the common case: no CJK at all, one fast scan
        return 0.0
    letters = len(_NON_LETTERS.sub("", sample))
    return len(_HAN.findall(sample)) / letters if letters else 0.0


def _letter_count(text: str, enough: int) -> int:
    """``enough`` if ``text`` has at least that many letters, else how many it has.

    A regex that stops at the ``enough``-th letter scans ~enough characters, instead of
    counting every letter of a long paragraph.
    """
    if len(text) < enough:
        return 0
    pattern = _ENOUGH_LETTERS.get(enough)
    if pattern is None:
        pattern = _ENOUGH_LETTERS[enough] = re.compile(
            r"[\W\d_]*(?:[^\W\d_][\W\d_]*){" + str(enough) + "}"
        )
    if pattern.match(text):
        return enough
    return len(_NON_LETTERS.sub("", text))


_ENOUGH_LETTERS: dict[int, re.Pattern[str]] = {}


def _sample(text: str, limit: int = _SAMPLE_CHARS) -> str:
    """At most ``limit`` characters, cut at a space: a paragraph's language shows early."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[: cut if cut > 0 else limit]
