"""Language per paragraph, restricted to the project's configured languages.

Detection uses Google's Compact Language Detector 2 (``pycld2``: fast, and it knows the
Central Asian languages — Kazakh, Kyrgyz, Uzbek, Tajik, Turkmen — as well as Russian,
English, Chinese and Turkish). Its ranked guesses are filtered to the configured set;
when none of them is configured, or CLD2 cannot decide, ``py3langid`` (a naive Bayes
model over byte n-grams) restricted to the configured set decides instead.

The letters of a text narrow the choice first (:func:`_candidates`), web and e-mail
addresses left out:

* a script with less than a quarter of the letters is not the text's: a Russian
  sentence naming "BBC Scotland" is not English, an English one quoting a Russian
  saying not Russian;
* a Cyrillic letter that a language's alphabet lacks rules the language out (Kazakh
  ә ұ і in a "Tajik" or "Russian" text; Tajik ҷ ӣ ӯ in a "Kazakh" one), beyond one such
  letter per 50 (a quoted name);
* 50 or more Cyrillic letters without any of Kazakh's nine (ә ғ қ ң ө ұ ү һ і) are not
  Kazakh (no Kazakh sentence that long in the KazNU and NTREX-128 corpora lacks them all;
  Russian never has them).

Short paragraphs (fewer than ``min_chars`` letters: titles, headings, author names and
affiliations) are labelled as *blocks*: a run of consecutive short paragraphs in one
script is detected on its concatenation when that reaches ``min_chars`` letters, with
stricter letter rules (25 Cyrillic letters without a Kazakh one are not Kazakh; Tajik
needs one of ҷ ӣ ӯ ҳ), else it takes the language of its nearest detected neighbour
whose language its letters allow (see :meth:`LanguageDetector.label`). Chinese script
is decisive even when short.

>>> det = LanguageDetector(["en", "ru", "kk"])
>>> det.detect("Қазақстан мен Қытай арасындағы гуманитарлық ынтымақтастық дамып келеді.").language
'kk'
>>> LanguageDetector().detect("А.Ш. Калыков, С.З. Нұридин, К.Н. Ханазарова, Б.Н. Қасмырзаев").language
'kk'
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
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

# -- scripts and alphabets ----------------------------------------------------------------
_LATIN_CLASS = r"A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_CYRILLIC_CLASS = r"\u0400-\u0481\u048a-\u052f"
_HAN_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LATIN = re.compile(f"[{_LATIN_CLASS}]+")
_CYRILLIC = re.compile(f"[{_CYRILLIC_CLASS}]+")
_HAN_RUNS = re.compile(f"[{_HAN_CLASS}]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
#: Web addresses and e-mail addresses say nothing about a text's language or script.
_NEUTRAL = re.compile(r"\S*(?:https?://|www\.|@)\S*")
#: The languages written in each script (Uzbek in both).
_LATIN_LANGS = frozenset({"en", "tr", "tk", "uz"})
_CYRILLIC_LANGS = frozenset({"ru", "kk", "ky", "tg", "uz"})
#: Cyrillic letters beyond Russian's 33 in each Cyrillic-script language (lower case).
_EXTRA_LETTERS = {
    "ru": "",
    "kk": "әғқңөұүһі",
    "ky": "ңөүӊ",  # ӊ: a variant of ң in some Kyrgyz typing
    "tg": "ғӣқӯҳҷў",  # ў: stands in for ӯ in some Tajik typing
    "uz": "ғқҳў",
}
_NON_RUSSIAN = "".join(sorted(set("".join(_EXTRA_LETTERS.values()))))


def _letter_class(letters: str) -> re.Pattern[str]:
    return re.compile(f"[{letters}{letters.upper()}]")


def _foreign_to(lang: str) -> str:
    """The non-Russian Cyrillic letters the alphabet of ``lang`` lacks."""
    return "".join(ch for ch in _NON_RUSSIAN if ch not in _EXTRA_LETTERS[lang])


def _suspect(lang: str) -> re.Pattern[str]:
    """The characters that may rule ``lang`` out: another script, letters foreign to its
    alphabet. A text without any allows the language at the cost of one scan (for
    Kazakh, one more for its own letters)."""
    chars = _HAN_CLASS
    if lang in _CYRILLIC_LANGS:
        chars += _foreign_to(lang) + _foreign_to(lang).upper()
    else:
        chars += _CYRILLIC_CLASS
    if lang not in _LATIN_LANGS:
        chars += _LATIN_CLASS
    return re.compile(f"[{chars}]")


_FOREIGN = {lang: _letter_class(_foreign_to(lang)) for lang in _EXTRA_LETTERS}
_SUSPECT = {lang: _suspect(lang) for lang in _LATIN_LANGS | _CYRILLIC_LANGS}
_KAZAKH_OWN = _letter_class(_EXTRA_LETTERS["kk"])
#: Letters only Tajik has among our languages: a block of names is Tajik only with one.
_TAJIK_OWN = _letter_class("ҷӣӯҳ")
#: A text of this many Cyrillic letters without one of Kazakh's own nine is not Kazakh:
#: in running text (none of the 5,500+ KazNU Kazakh sentences with 50 or more lacks
#: them), and in a block of names and affiliations (3 % of the 25-letter stretches of
#: NTREX-128 Kazakh lack them; Russian always does).
_KAZAKH_TELLING = 50
_KAZAKH_TELLING_NAMES = 25
#: A script with less than this share of a text's letters is not the text's own.
_MINOR_SCRIPT = 0.25
#: Letters outside a language's alphabet tolerated per this many: a quoted name.
_QUOTED_PER = 50


@dataclass(frozen=True)
class Detection:
    """The language of one text: ISO 639-1 code (or None), a 0-1 score, and how."""

    language: str | None
    score: float
    method: str  # cld2 | cld2-doc | langid | script | block | inherited | declared | none


class _Letters:
    """What the letters of a text (web and e-mail addresses left out) say about its
    language. Each fact is found when first asked for: most texts need one or two
    fast scans, not a count of their letters."""

    __slots__ = ("_cyrillic", "_script", "_scripts", "text")

    def __init__(self, text: str) -> None:
        self.text = _without_addresses(text)
        self._scripts: frozenset[str] | None = None
        self._script: str | None = None
        self._cyrillic: int | None = None

    @property
    def scripts(self) -> frozenset[str]:
        """``Latn``, ``Cyrl``, ``Hani``: each script of at least :data:`_MINOR_SCRIPT` of
        the letters (empty: no letters of these)."""
        if self._scripts is None:
            self._find_scripts()
        assert self._scripts is not None
        return self._scripts

    @property
    def script(self) -> str | None:
        """The script of most letters (None: no letters)."""
        if self._scripts is None:
            self._find_scripts()
        return self._script

    @property
    def cyrillic(self) -> int:
        """How many Cyrillic letters."""
        if self._cyrillic is None:
            self._cyrillic = _count(_CYRILLIC, self.text)
        return self._cyrillic

    def _find_scripts(self) -> None:
        text = self.text
        if text.isascii():  # the common case, at C speed
            present = ["Latn"] if _ASCII_LETTER.search(text) else []
        else:
            present = [
                name
                for name, pattern in (("Latn", _LATIN), ("Cyrl", _CYRILLIC), ("Hani", _HAN))
                if pattern.search(text)
            ]
        if len(present) <= 1:
            self._scripts = frozenset(present)
            self._script = present[0] if present else None
            return
        counts = {
            "Latn": _count(_LATIN, text),
            "Cyrl": self.cyrillic,
            "Hani": _count(_HAN_RUNS, text),
        }
        total = sum(counts.values())
        self._script = max(counts, key=counts.__getitem__)
        self._scripts = frozenset(k for k, n in counts.items() if n and n >= _MINOR_SCRIPT * total)


def _has_address(text: str) -> bool:
    return ("@" in text or "://" in text or "www." in text) and _NEUTRAL.search(text) is not None


def _without_addresses(text: str) -> str:
    return _NEUTRAL.sub(" ", text) if _has_address(text) else text


def _count(runs: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` the character-run pattern ``runs`` covers."""
    return sum(map(len, runs.findall(text)))


def _written_in(lang: str, letters: _Letters) -> bool:
    """Is ``lang`` written in one of the scripts of ``letters``?"""
    scripts = letters.scripts
    if not scripts:
        return True
    if lang == "zh":
        return "Hani" in scripts or _HAN.search(letters.text) is not None
    return ("Cyrl" in scripts and lang in _CYRILLIC_LANGS) or (
        "Latn" in scripts and lang in _LATIN_LANGS
    )


def _spelled_in(lang: str, letters: _Letters, names: bool) -> bool:
    """Do the Cyrillic letters of ``letters`` fit the alphabet of ``lang``?"""
    foreign = _FOREIGN.get(lang)
    if foreign is None or "Cyrl" not in letters.scripts:
        return True  # not a Cyrillic-script language, or not a Cyrillic text
    if lang == "uz" and "Latn" in letters.scripts:
        return True  # Uzbek is written in Latin letters too
    text = letters.text
    n_foreign = len(foreign.findall(text))
    # len(text) // _QUOTED_PER is at least the tolerance: no need to count the letters
    if n_foreign > len(text) // _QUOTED_PER or (
        n_foreign and n_foreign > letters.cyrillic // _QUOTED_PER
    ):
        return False
    if lang == "kk":
        telling = _KAZAKH_TELLING_NAMES if names else _KAZAKH_TELLING
        if len(text) >= telling and not _KAZAKH_OWN.search(text) and letters.cyrillic >= telling:
            return False
    return not (lang == "tg" and names and not _TAJIK_OWN.search(text))


def _allows(lang: str, letters: _Letters, names: bool = False) -> bool:
    """May a text with these letters be in ``lang`` (see :func:`_candidates`)?"""
    suspect = _SUSPECT.get(lang)
    text = letters.text
    if (
        suspect is not None
        and not names
        and suspect.search(text) is None
        and (lang != "kk" or len(text) < _KAZAKH_TELLING or _KAZAKH_OWN.search(text))
    ):
        return True  # the common case, without counting letters
    return _written_in(lang, letters) and _spelled_in(lang, letters, names)


def _candidates(
    letters: _Letters, allowed: frozenset[str], *, names: bool = False
) -> frozenset[str]:
    """The configured languages a text's letters leave possible.

    Scripts first: a script with less than :data:`_MINOR_SCRIPT` of the letters (a
    name or title quoted in another script) is not the text's. Then the alphabets of
    the Cyrillic-script languages: one is ruled out by more letters foreign to it than
    one per :data:`_QUOTED_PER`; Kazakh by :data:`_KAZAKH_TELLING` Cyrillic letters
    without one of its own. ``names`` (a block of short lines: names, affiliations,
    headings, where CLD2 has little vocabulary to go by) lets the letters say more:
    Kazakh is ruled out from :data:`_KAZAKH_TELLING_NAMES` letters on, and Tajik needs
    one of the letters only Tajik has (ҷ ӣ ӯ ҳ).

    Never empty: when the letters rule out every configured language, they are ignored
    (the configured set is the last word), and when the alphabets rule out every
    language of the scripts, only the scripts count.
    """
    by_script = frozenset(lang for lang in allowed if _written_in(lang, letters))
    if not by_script:
        return allowed
    return frozenset(lang for lang in by_script if _spelled_in(lang, letters, names)) or by_script


class LanguageDetector:
    """Detects languages among a configured set.

    Parameters
    ----------
    languages:
        ISO 639-1 codes to choose among (a subset of :data:`KNOWN_LANGUAGES`).
    min_chars:
        Paragraphs with fewer letters than this are labelled as blocks of short lines:
        together, or from their neighbours (see :meth:`label`).
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
        return self._detect(_sample(text))

    def _detect(
        self, text: str, *, names: bool = False, prior: frozenset[str] = frozenset()
    ) -> Detection:
        """:meth:`detect` on a sample; ``names``: see :func:`_candidates`; ``prior``: the
        languages to prefer among those the letters allow (the document's)."""
        allowed = self._allowed
        if "zh" in allowed and _han_share(text) > 0.3:
            return Detection("zh", 1.0, "script")
        letters = _Letters(text)
        try:
            import pycld2

            _reliable, _nbytes, guesses = pycld2.detect(text, isPlainText=True, bestEffort=True)[:3]
        except Exception:  # pycld2.error: invalid UTF-8 (lone surrogates) and the like
            guesses = ()

        def first_guess(accept: Callable[[str], bool]) -> Detection | None:
            for _name, code, percent, _score in guesses:
                code = _CLD2_ALIASES.get(code, code.split("-")[0])
                if percent > 0 and accept(code):
                    return Detection(code, percent / 100.0, "cld2")
            return None

        if not prior:  # the common case: check CLD2's guesses one by one (cheap)
            found = first_guess(lambda code: code in allowed and _allows(code, letters, names))
            if found:
                return found
        candidates = _candidates(letters, allowed, names=names)
        narrowed = candidates != allowed
        if candidates & prior:
            candidates &= prior
        found = first_guess(candidates.__contains__)
        if found:
            return found
        if not _LETTER.search(text):
            return Detection(None, 0.0, "none")
        if narrowed and len(candidates) == 1:
            return Detection(next(iter(candidates)), 1.0, "script")
        if self._fallback is not None:
            for code, _ in self._fallback.rank(text):
                if code in candidates:
                    return Detection(code, 0.5, "langid")
        if narrowed:  # the letters left languages py3langid does not know (tg, tk)
            return Detection(_first(candidates), 0.5, "script")
        return Detection(None, 0.0, "none")

    # -- a document's paragraphs -----------------------------------------------------------------
    def label(self, text: str, spans: Sequence[tuple[int, int]]) -> list[Detection]:
        """One :class:`Detection` per ``[start, end)`` span of ``text``.

        Spans with at least ``min_chars`` letters (web and e-mail addresses not counted)
        are detected one by one (with a fast path, below). The shorter ones (titles, headings, author and affiliation lines)
        are labelled as *blocks*: a run of consecutive short spans in one script (lines
        without letters join the run they are in; web and e-mail addresses do not
        count) gets one language:

        1. when the run has ``min_chars`` letters, the one detected on its
           concatenation, among the languages its letters allow and, of those, the
           languages of the document's long spans if any (method ``block``): names and
           affiliations are a weak signal, the document's languages a strong prior;
        2. else the language of the nearest detected span after it, or before it, that
           its letters allow (``Аңдатпа`` can be Kazakh, not Russian; ``Introduction``
           not Russian): short lines at a language boundary are far more often titles,
           bylines and headings of what follows than trailers of what precedes;
        3. else that of the span after it, else before it (a short line belongs to the
           section it sits in), else, when no span is long enough, the language of the
           whole text (method ``inherited`` for 2 and 3).

        Short spans mostly in Chinese script are Chinese (method ``script``).

        Most documents are in one language. So first the samples of all long-enough
        spans go to CLD2 in *one* call that returns language vectors (byte ranges per
        language); if every range is the same configured language, each of those spans
        whose letters allow it gets it (method ``cld2-doc``). Any second language, or
        anything unknown, and each span is detected on its own. This gives the same
        labels as span-by-span detection on mixed text (the test suite checks both on
        NTREX-based documents) and saves CLD2's fixed cost per call, which dominates on
        short paragraphs.
        """
        allowed = self._allowed
        found: list[Detection | None] = [None] * len(spans)
        long_enough: list[int] = []
        for i, (start, end) in enumerate(spans):
            chunk = text[start:end]
            # web and e-mail addresses are no language: an affiliation is not long for one
            if _letter_count(_without_addresses(chunk), self.min_chars) >= self.min_chars:
                long_enough.append(i)
            elif "zh" in allowed and _han_share(chunk) > 0.5:
                found[i] = Detection("zh", 1.0, "script")
        single = (
            self._single_language([text[spans[i][0] : spans[i][1]] for i in long_enough])
            if len(long_enough) > 1
            else None
        )
        suspect = _SUSPECT.get(single or "")
        # one scan of the whole text can clear every paragraph at once
        uniform = single != "kk" and suspect is not None and suspect.search(text) is None
        for i in long_enough:
            sample = _sample(text[spans[i][0] : spans[i][1]])
            if single and (uniform or _allows(single, _Letters(sample))):
                found[i] = Detection(single, 1.0, "cld2-doc")
            else:
                found[i] = self._detect(sample)

        def whole() -> Detection:
            return self._detect(_sample(text[spans[0][0] : spans[-1][1]]), names=True)

        return self._label_blocks(text, spans, found, whole)

    def _label_blocks(
        self,
        text: str,
        spans: Sequence[tuple[int, int]],
        found: list[Detection | None],
        whole: Callable[[], Detection],
    ) -> list[Detection]:
        """Fill the spans ``found`` has no language for, run by run (see :meth:`label`)."""
        labelled: list[int] = []
        prior: set[str] = set()
        for i, det in enumerate(found):
            if det is not None and det.language:
                labelled.append(i)
                prior.add(det.language)
        overall: Detection | None = None
        for run in _runs(text, spans, found):
            chunk = "\n".join(_without_addresses(text[spans[i][0] : spans[i][1]]) for i in run)
            block: Detection | None = None
            if _letter_count(chunk, self.min_chars) >= self.min_chars:
                got = self._detect(_sample(chunk), names=True, prior=frozenset(prior))
                if got.language:
                    block = Detection(got.language, got.score, "block")
            if block is None:
                at = bisect.bisect_left(labelled, run[0])
                after = found[labelled[at]] if at < len(labelled) else None
                before = found[labelled[at - 1]] if at > 0 else None
                neighbours = [d for d in (after, before) if d is not None]
                if neighbours:
                    allows = _candidates(_Letters(chunk), self._allowed, names=True)
                    pick = next((d for d in neighbours if d.language in allows), neighbours[0])
                else:
                    if overall is None:
                        overall = whole()
                    pick = overall
                block = Detection(pick.language, pick.score, "inherited")
            for i in run:
                found[i] = block
        return [det or Detection(None, 0.0, "none") for det in found]

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


def _runs(
    text: str, spans: Sequence[tuple[int, int]], found: Sequence[Detection | None]
) -> list[list[int]]:
    """Maximal runs of consecutive spans without a language, split where the script of
    their letters changes (a span without Latin or Cyrillic letters, or with a web or
    e-mail address, joins the run it is in)."""
    runs: list[list[int]] = []
    current: list[int] = []
    script: str | None = None
    for i, det in enumerate(found):
        if det is not None and det.language:
            if current:
                runs.append(current)
            current, script = [], None
            continue
        chunk = text[spans[i][0] : spans[i][1]]
        # an e-mail or web address line ("e-mail: ...", "DOI: ...") goes with its block
        own = None if _has_address(chunk) else _Letters(chunk).script
        if own == "Hani":
            own = None
        if current and own and script and own != script:
            runs.append(current)
            current, script = [], None
        current.append(i)
        script = script or own
    if current:
        runs.append(current)
    return runs


def _first(languages: frozenset[str]) -> str:
    """The first of ``languages`` in :data:`KNOWN_LANGUAGES` order (the most used first)."""
    return next(code for code in KNOWN_LANGUAGES if code in languages)


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
