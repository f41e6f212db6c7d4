"""English: Snowball (Porter 2) stems via PyStemmer, cached per word."""

from __future__ import annotations

from ..analysis import Analyzer, _version


def make() -> Analyzer:
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    return Analyzer(
        "en", f"PyStemmer {_version('PyStemmer')} snowball-english stem", stemmer.stemWord
    )
