"""``diplocode.lexicon.v1``: codes segments by the codebook's lexicons.

Every suggestion carries its evidence: for each hit the entry that matched, the surface
form in the text and its offsets (code points into the source's normalised text). The
score grows with the number of distinct hits of that code in the segment:
``1 - 0.5 ** hits`` (one hit 0.5, two 0.75, three 0.875).
"""

from __future__ import annotations

from typing import Any

from ..codebook.lexicon import CompiledLexicon, compile_lexicon
from ..codebook.model import Codebook
from ..errors import DiplocodeError
from ..lang.analysis import analyzer
from .base import Segment, Suggestion

UNITS = ("sentence", "paragraph")


class LexiconCoder:
    """Lexicon coder.

    Parameters
    ----------
    codebook:
        The codebook version whose lexicons to apply.
    unit:
        ``"sentence"`` or ``"paragraph"``: the segments it codes.

    Examples
    --------
    >>> from diplocode.codebook.io import load_builtin
    >>> coder = LexiconCoder(load_builtin("cultural-diplomacy")).fit()
    >>> seg = Segment(1, 1, 0, 40, "en", "Confucius Institutes offer scholarships.")
    >>> sorted({s.code for s in coder.predict([seg])})
    ['language_programs', 'scholarships_mobility']
    """

    name = "diplocode.lexicon.v1"
    kind = "lexicon"
    version = "1.0.0"

    def __init__(self, codebook: Codebook, unit: str = "sentence") -> None:
        self.codebook = codebook
        self.unit = unit

    def get_params(self) -> dict[str, Any]:
        langs = sorted({lang for code in self.codebook.codes() for lang in code.lexicon})
        return {
            "codebook": self.codebook.name,
            "codebook_version": self.codebook.version,
            "codebook_hash": self.codebook.content_hash(),
            "unit": self.unit,
            "normal_forms": {
                lang: ("characters (Aho-Corasick)" if lang == "zh" else analyzer(lang).method)
                for lang in langs
            },
            "matching": "quanteda dictionary semantics: fixed/glob/regex, multi-word, longest match per code",
            "score": "1 - 0.5 ** distinct_hits",
        }

    def fit(self, segments: Any = None, codings: Any = None) -> LexiconCoder:
        """Compile the lexicons (lexicon coding learns nothing from codings)."""
        if self.unit not in UNITS:
            raise DiplocodeError(
                "E060",
                param="unit",
                owner="LexiconCoder",
                constraint=f"one of {', '.join(UNITS)}",
                value=self.unit,
            )
        langs = {lang for code in self.codebook.codes() for lang in code.lexicon}
        self.lexicons_: dict[str, CompiledLexicon] = {
            lang: compile_lexicon(self.codebook, lang) for lang in sorted(langs)
        }
        return self

    def predict(self, segments: list[Segment]) -> list[Suggestion]:
        out: list[Suggestion] = []
        for seg in segments:
            lexicon = self.lexicons_.get(seg.language or "")
            if lexicon is None:
                continue
            hits: dict[str, list[dict[str, Any]]] = {}
            for m in lexicon.match(seg.text):
                hits.setdefault(m.code, []).append(
                    {
                        "entry": m.entry,
                        "surface": seg.text[m.start : m.end],
                        "start": seg.start + m.start,
                        "end": seg.start + m.end,
                    }
                )
            for code, found in hits.items():
                distinct = len({(h["entry"], h["start"]) for h in found})
                out.append(
                    Suggestion(
                        segment_id=seg.id,
                        source_id=seg.source_id,
                        start=seg.start,
                        end=seg.end,
                        code=code,
                        score=round(1 - 0.5**distinct, 6),
                        evidence={"lang": seg.language, "matches": found},
                    )
                )
        return out
