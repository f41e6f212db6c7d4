"""Kazakh: diplocode's rule-based stemmer (``lang/kk/stemmer.py``), cached per word."""

from __future__ import annotations

from ..analysis import Analyzer


def make() -> Analyzer:
    from .stemmer import KazakhStemmer

    stemmer = KazakhStemmer()
    params = ",".join(f"{k}={v}" for k, v in sorted(stemmer.get_params().items()))
    return Analyzer("kk", f"diplocode kk-rules stem ({params})", stemmer.stem)
