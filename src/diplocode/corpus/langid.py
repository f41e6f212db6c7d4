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
_SAMPLE_CHARS = 600
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Detection:
    """The language of one text: ISO 639-1 code (or None), a 0-1 score, and how."""

    language: str | None
    score: float
    method: str  # cld2 | langid | script | inherited | declared | none


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
        """
        found: list[Detection | None] = []
        for start, end in spans:
            chunk = text[start:end]
            if _letter_count(chunk, self.min_chars) >= self.min_chars:
                found.append(self.detect(chunk))
            elif "zh" in self._allowed and _han_share(chunk) > 0.5:
                found.append(Detection("zh", 1.0, "script"))
            else:
                found.append(None)
        return _inherit(
            found, lambda: self.detect(text[spans[0][0] : spans[-1][1]]) if spans else None
        )


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
    """Letters in ``text``, counting no further than needed to reach ``enough``."""
    if len(text) < enough:
        return 0
    return len(_NON_LETTERS.sub("", text[: enough * 4]))


def _sample(text: str, limit: int = _SAMPLE_CHARS) -> str:
    """At most ``limit`` characters, cut at a space: a paragraph's language shows early."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[: cut if cut > 0 else limit]
