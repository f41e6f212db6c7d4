"""Cross-lingual consistency of a coder on line-aligned parallel text.

The same sentence in several languages should get the same codes. Treating each language
as a coder, Krippendorff's alpha (nominal: code present / absent) measures how far that
holds: per code over all languages, and per language pair pooled over codes. Units are
the sentences where at least one language got at least one code (sentences no language
coded carry no information about the lexicons and would inflate agreement).

>>> r = agreement({"en": [{"a"}, set(), {"a", "b"}], "ru": [{"a"}, {"b"}, {"a", "b"}]})
>>> r.units
3
>>> round(r.pairs[("en", "ru")], 3)
0.686
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

__all__ = ["Agreement", "agreement", "disagreements"]


@dataclass
class Agreement:
    languages: list[str]
    units: int
    per_code: dict[str, float | None] = field(default_factory=dict)  # all languages as coders
    per_code_n: dict[str, int] = field(default_factory=dict)  # sentences where some language had it
    pairs: dict[tuple[str, str], float | None] = field(default_factory=dict)  # pooled over codes
    pairs_per_code: dict[tuple[str, str], dict[str, float | None]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "languages": self.languages,
            "units": self.units,
            "per_code": self.per_code,
            "per_code_n": self.per_code_n,
            "pairs": {f"{a}-{b}": v for (a, b), v in self.pairs.items()},
            "pairs_per_code": {f"{a}-{b}": v for (a, b), v in self.pairs_per_code.items()},
        }


def _alpha(matrix: np.ndarray) -> float | None:
    """Nominal alpha for a coders x units 0/1 matrix; None when there is no variation."""
    import krippendorff

    if matrix.size == 0 or len(np.unique(matrix)) < 2:
        return None
    return float(
        krippendorff.alpha(reliability_data=matrix.astype(float), level_of_measurement="nominal")
    )


def agreement(codes: dict[str, Sequence[set[str]]]) -> Agreement:
    """``codes[lang][i]`` is the set of codes language ``lang`` got for sentence ``i``."""
    languages = list(codes)
    n = len(next(iter(codes.values()))) if codes else 0
    units = [i for i in range(n) if any(codes[lang][i] for lang in languages)]
    all_codes = sorted({c for lang in languages for i in units for c in codes[lang][i]})
    present = {
        c: np.array([[int(c in codes[lang][i]) for i in units] for lang in languages])
        for c in all_codes
    }
    result = Agreement(languages, len(units))
    for c, matrix in present.items():
        result.per_code[c] = _alpha(matrix)
        result.per_code_n[c] = int(matrix.any(axis=0).sum())
    for a, b in combinations(range(len(languages)), 2):
        pair = (languages[a], languages[b])
        if all_codes:
            pooled = np.concatenate([present[c][[a, b], :] for c in all_codes], axis=1)
            result.pairs[pair] = _alpha(pooled)
        else:
            result.pairs[pair] = None
        result.pairs_per_code[pair] = {c: _alpha(present[c][[a, b], :]) for c in all_codes}
    return result


def disagreements(codes: dict[str, Sequence[set[str]]], a: str, b: str, code: str) -> list[int]:
    """Sentences where languages ``a`` and ``b`` disagree about ``code`` (for fixing lexicons)."""
    return [
        i
        for i, (x, y) in enumerate(zip(codes[a], codes[b], strict=True))
        if (code in x) != (code in y)
    ]
