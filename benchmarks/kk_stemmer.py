"""The Kazakh stemmer on UD Kazakh KTB: conflation, over-conflation, throughput.

Measured separately on ``kk_ktb-ud-train.conllu`` (tuning) and
``kk_ktb-ud-test-half-a.conllu`` (reporting), for UPOS NOUN, VERB, ADJ and PROPN, over
word tokens (multiword-token ranges skipped):

conflation
    Share of tokens with ``stem(FORM) == stem(LEMMA)``; the baseline, no stemming, is
    the share with ``lower(FORM) == lower(LEMMA)``.
over-conflation
    For one UPOS, every lemma type L (lower-cased, so case variants are one type) gets
    its *keys*: key(L) and key(F) for each FORM F it has in the file. L is over-conflated
    when another lemma type of the same UPOS shares a key with it - a form of one word
    would match a lexicon entry for the other. Reported as the share of lemma types,
    with key = stem and, for the baseline, key = lower (distinct lemmas that share a
    surface form, like ``жылы`` of жыл and жылы, count there too). ``lemma_only``
    compares key(L) alone (baseline 0 by definition).
throughput
    Words per second over running Kazakh text (the Kazakh side of the KazNU government
    parallel corpus and NTREX-128), through one stemmer with its cache starting empty,
    as an analyzer would (median of 3); the same text again with the cache warm; and
    distinct words per second with the cache off (every word analysed).

Prints the figures and writes JSON to ``benchmarks/results/kk_stemmer-<timestamp>.json``.

Usage::

    python benchmarks/kk_stemmer.py [--param repeat_on_verbs=true] [--errors VERB]
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from diplocode.lang.kk.stemmer import KazakhStemmer

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DIPLOCODE_SHARED_DATA", REPO.parent / "shared" / "data"))
KTB = DATA / "ud_kazakh_ktb"
SPLITS = {"train": "kk_ktb-ud-train.conllu", "test-half-a": "kk_ktb-ud-test-half-a.conllu"}
UPOS = ("NOUN", "VERB", "ADJ", "PROPN")
RUNNING_TEXT = (
    (DATA / "kaznu_kk_en_gov_parallel" / "economy_gov_kz_corpus.tsv", "tsv"),
    (DATA / "kaznu_kk_en_gov_parallel" / "primeminister_kz_corpus.tsv", "tsv"),
    (DATA / "ntrex128_en_ru_kk_zh_centralasia" / "newstest2019-ref.kaz.txt", "txt"),
)
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def read_conllu(path: Path) -> list[tuple[str, str, str]]:
    """(FORM, LEMMA, UPOS) of every word token."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if not cols[0].isdigit():  # 12-13 multiword ranges, 5.1 empty nodes
            continue
        out.append((cols[1], cols[2], cols[3]))
    return out


def conflation(tokens: list[tuple[str, str]], key: Callable[[str], str]) -> float:
    return sum(key(f) == key(lemma) for f, lemma in tokens) / len(tokens) if tokens else 0.0


def over_conflation(tokens: list[tuple[str, str]], key: Callable[[str], str]) -> dict[str, float]:
    """Shares of lemma types sharing a key with another lemma type (see module doc)."""
    keys: dict[str, set[str]] = defaultdict(set)
    for form, lemma in tokens:
        lemma = lemma.lower()
        keys[lemma].add(key(lemma))
        keys[lemma].add(key(form))
    owners: dict[str, set[str]] = defaultdict(set)
    for lemma, ks in keys.items():
        for k in ks:
            owners[k].add(lemma)
    lemma_owners = Counter(key(lemma) for lemma in keys)
    n = len(keys)
    shared = sum(any(len(owners[k]) > 1 for k in ks) for ks in keys.values())
    shared_lemma = sum(lemma_owners[key(lemma)] > 1 for lemma in keys)
    return {
        "lemma_types": n,
        "over_conflation": shared / n if n else 0.0,
        "lemma_only": shared_lemma / n if n else 0.0,
    }


def evaluate(path: Path, stem: Callable[[str], str]) -> dict[str, Any]:
    toks = read_conllu(path)
    out: dict[str, Any] = {"file": path.name, "tokens": len(toks), "per_upos": {}}
    for upos in UPOS:
        sub = [(f, lemma) for f, lemma, u in toks if u == upos]
        over = over_conflation(sub, stem)
        base_over = over_conflation(sub, str.lower)
        out["per_upos"][upos] = {
            "tokens": len(sub),
            "conflation": conflation(sub, stem),
            "baseline": conflation(sub, str.lower),
            "lemma_types": over["lemma_types"],
            "over_conflation": over["over_conflation"],
            "over_conflation_baseline": base_over["over_conflation"],
            "over_conflation_lemma_only": over["lemma_only"],
        }
    return out


def errors(path: Path, stem: Callable[[str], str], upos: str) -> Counter[str]:
    """The most frequent FORM/LEMMA pairs whose stems differ (to study a split)."""
    wrong: Counter[str] = Counter()
    for form, lemma, u in read_conllu(path):
        if u == upos and stem(form) != stem(lemma):
            wrong[f"{form} {lemma} | {stem(form)} {stem(lemma)}"] += 1
    return wrong


def running_words() -> list[str]:
    words: list[str] = []
    for path, kind in RUNNING_TEXT:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.split("\t")[0] if kind == "tsv" else line
            words.extend(_WORD.findall(text))
    return words


def throughput(params: dict[str, Any]) -> dict[str, Any]:
    words = running_words()
    if not words:
        return {}
    runs = []
    warm = []
    for _ in range(3):
        stemmer = KazakhStemmer(**params)
        t0 = time.perf_counter()
        for w in words:
            stemmer.stem(w)
        runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for w in words:  # the same text again: every word a cache hit
            stemmer.stem(w)
        warm.append(time.perf_counter() - t0)
    types = sorted(set(words))
    cold = KazakhStemmer(**{**params, "cache_size": 0})
    t0 = time.perf_counter()
    for w in types:
        cold.stem(w)
    cold_s = time.perf_counter() - t0
    runs.sort()
    warm.sort()
    return {
        "running_words": len(words),
        "distinct_words": len(types),
        "words_per_s_cached": len(words) / runs[1],  # median of 3, cache starts empty
        "words_per_s_warm": len(words) / warm[1],
        "types_per_s_uncached": len(types) / cold_s,
    }


def _parse(value: str) -> Any:
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    return int(value) if value.lstrip("-").isdigit() else value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--param", action="append", default=[], help="KazakhStemmer name=value")
    parser.add_argument("--errors", metavar="UPOS", help="list the train split's misses")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    if not KTB.is_dir():
        raise SystemExit(f"{KTB} not found: the benchmark reads UD Kazakh KTB from ../shared/data")
    params = {k: _parse(v) for k, v in (p.split("=", 1) for p in args.param)}
    stemmer = KazakhStemmer(**params)

    if args.errors:  # tuning aid: the train split only
        for line, n in errors(KTB / SPLITS["train"], stemmer.stem, args.errors).most_common():
            print(f"{n:3}  {line}")
        return

    results: dict[str, Any] = {"params": stemmer.get_params(), "splits": {}}
    for name, file in SPLITS.items():
        res = evaluate(KTB / file, stemmer.stem)
        results["splits"][name] = res
        print(f"{name} ({res['tokens']} word tokens)")
        print(f"  {'UPOS':6} {'n':>5}  {'conflation':>10} {'baseline':>8}  "
              f"{'over-confl.':>11} {'baseline':>8} {'lemma-only':>10}")  # fmt: skip
        for upos, r in res["per_upos"].items():
            print(
                f"  {upos:6} {r['tokens']:5}  {r['conflation']:10.3f} {r['baseline']:8.3f}  "
                f"{r['over_conflation']:11.3f} {r['over_conflation_baseline']:8.3f} "
                f"{r['over_conflation_lemma_only']:10.3f}"
            )
    tp = throughput(params)
    results["throughput"] = tp
    if tp:
        print(
            f"throughput: {tp['words_per_s_cached']:,.0f} words/s on {tp['running_words']:,} "
            f"running words ({tp['distinct_words']:,} distinct), cache starting empty; "
            f"{tp['words_per_s_warm']:,.0f} words/s with a warm cache; "
            f"{tp['types_per_s_uncached']:,.0f} distinct words/s uncached"
        )
    from _results import write_results

    print(f"wrote {write_results(args.out, 'kk_stemmer', results)}")


if __name__ == "__main__":
    main()
