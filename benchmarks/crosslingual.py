"""Cross-lingual consistency of the built-in codebook's lexicons on NTREX-128.

Codes the 1,997 line-aligned news sentences in en, ru, kk and zh with
``diplocode.lexicon.v1`` and reports Krippendorff's alpha (nominal, code presence; the
languages are the coders) per code and for every language pair, over the sentences where
any language got a code. ``--show CODE`` prints the disagreeing sentences of one code, the
way to find lexicon gaps.

    python benchmarks/crosslingual.py [--show scholarships_mobility] [--pair en-kk]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from diplocode.analysis.crosslingual import agreement, disagreements
from diplocode.codebook.io import load, load_builtin
from diplocode.coders import LexiconCoder, Segment

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DIPLOCODE_SHARED_DATA", REPO.parent / "shared" / "data"))
NTREX = DATA / "ntrex128_en_ru_kk_zh_centralasia"
FILES = {
    "en": "newstest2019-src.eng.txt",
    "ru": "newstest2019-ref.rus.txt",
    "kk": "newstest2019-ref.kaz.txt",
    "zh": "newstest2019-ref.zho-CN.txt",
}


def code_parallel(
    coder: LexiconCoder, folder: Path = NTREX
) -> tuple[dict[str, list[set[str]]], dict[str, list[str]]]:
    lines = {
        lang: (folder / name).read_text(encoding="utf-8").splitlines()
        for lang, name in FILES.items()
    }
    codes: dict[str, list[set[str]]] = {}
    for lang, sentences in lines.items():
        found: list[set[str]] = [set() for _ in sentences]
        segs = [Segment(i, 0, 0, len(s), lang, s) for i, s in enumerate(sentences)]
        for sug in coder.predict(segs):
            found[sug.segment_id].add(sug.code)
        codes[lang] = found
    return codes, lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--codebook", help="a codebook file (default: the built-in cultural-diplomacy)"
    )
    parser.add_argument("--show", help="print disagreements for this code")
    parser.add_argument("--pair", default="en-kk", help="language pair for --show, e.g. en-ru")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    codebook = load(args.codebook) if args.codebook else load_builtin("cultural-diplomacy")
    t0 = time.perf_counter()
    coder = LexiconCoder(codebook).fit()
    codes, lines = code_parallel(coder)
    seconds = time.perf_counter() - t0
    result = agreement(codes)
    print(
        f"{codebook.name} {codebook.version}: {result.units} sentences where some language got a code ({seconds:.1f}s)"
    )
    for (a, b), value in result.pairs.items():
        print(f"  alpha {a}-{b}: {value:.3f}" if value is not None else f"  alpha {a}-{b}: n/a")
    print("per code (all four languages; n = sentences where any language had it):")
    for code, value in sorted(result.per_code.items(), key=lambda kv: (kv[1] is None, kv[1] or 0)):
        counts = {lang: sum(code in s for s in codes[lang]) for lang in codes}
        shown = f"{value:.3f}" if value is not None else "n/a"
        print(f"  {code:40s} alpha={shown:>6}  n={result.per_code_n[code]:4d}  {counts}")
    if args.show:
        a, b = args.pair.split("-")
        for i in disagreements(codes, a, b, args.show)[:40]:
            print(
                f"\n[{i + 1}] {a}:{args.show in codes[a][i]} {b}:{args.show in codes[b][i]}\n  {a}: {lines[a][i]}\n  {b}: {lines[b][i]}"
            )
    from _results import write_results

    payload = {
        "codebook": codebook.name,
        "version": codebook.version,
        "hash": codebook.content_hash(),
        **result.as_dict(),
    }
    print(f"wrote {write_results(args.out, 'crosslingual', payload)}")


if __name__ == "__main__":
    main()
