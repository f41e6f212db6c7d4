"""Cross-lingual consistency of the built-in lexicons on NTREX-128 (line-aligned en/ru/kk/zh):
each of ru, kk and zh agrees with English at Krippendorff's alpha >= 0.80 (code presence per
sentence), over the sentences where any language got a code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from diplocode.analysis.crosslingual import agreement
from diplocode.codebook.io import load_builtin
from diplocode.coders import LexiconCoder

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result(shared_data: Path):
    spec = importlib.util.spec_from_file_location(
        "crosslingual_bench", REPO / "benchmarks" / "crosslingual.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    coder = LexiconCoder(load_builtin("cultural-diplomacy")).fit()
    codes, _ = bench.code_parallel(coder, shared_data / "ntrex128_en_ru_kk_zh_centralasia")
    return agreement(codes)


@pytest.mark.parametrize("other", ["ru", "kk", "zh"])
def test_each_language_agrees_with_english(result, other: str) -> None:
    alpha = result.pairs[("en", other)]
    assert alpha is not None and alpha >= 0.80, (
        f"en-{other}: {alpha}; run benchmarks/crosslingual.py --show CODE --pair en-{other}"
    )


def test_enough_sentences_are_coded_to_mean_something(result) -> None:
    assert result.units >= 100
