"""Language identification on the line-aligned NTREX-128 sentences: accuracy and confusions.

Every sentence of >= 40 characters in each of the nine languages is classified by the
project's default detector (all nine languages competing) and, for comparison, with only
en/ru/kk/zh configured. Prints per-language accuracy, the full confusion matrix, the
kk<->ru and ky<->kk confusions, and throughput; writes JSON to benchmarks/results/.

Usage::

    python benchmarks/langid.py [--min-chars 40]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

from diplocode.corpus.langid import LanguageDetector

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DIPLOCODE_SHARED_DATA", REPO.parent / "shared" / "data"))
NTREX = DATA / "ntrex128_en_ru_kk_zh_centralasia"
FILES = {
    "en": "newstest2019-src.eng.txt",
    "ru": "newstest2019-ref.rus.txt",
    "kk": "newstest2019-ref.kaz.txt",
    "zh": "newstest2019-ref.zho-CN.txt",
    "ky": "newstest2019-ref.kir.txt",
    "uz": "newstest2019-ref.uzb.txt",
    "tr": "newstest2019-ref.tur.txt",
    "tg": "newstest2019-ref.tgk-Cyrl.txt",
    "tk": "newstest2019-ref.tuk.txt",
}


def evaluate(detector: LanguageDetector, langs: list[str], min_chars: int) -> dict:
    confusion: dict[str, Counter[str]] = {}
    n_bytes = 0
    seconds = 0.0
    for lang in langs:
        lines = [
            ln.strip() for ln in (NTREX / FILES[lang]).read_text(encoding="utf-8").splitlines()
        ]
        lines = [ln for ln in lines if len(ln) >= min_chars]
        n_bytes += sum(len(ln.encode()) for ln in lines)
        t0 = time.perf_counter()
        confusion[lang] = Counter(detector.detect(ln).language or "none" for ln in lines)
        seconds += time.perf_counter() - t0
    accuracy = {lang: got[lang] / sum(got.values()) for lang, got in confusion.items()}
    return {
        "configured": list(detector.languages),
        "n_sentences": {lang: sum(got.values()) for lang, got in confusion.items()},
        "accuracy": accuracy,
        "confusion": {lang: dict(got.most_common()) for lang, got in confusion.items()},
        "MB_per_s": n_bytes / 1e6 / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--min-chars", type=int, default=40)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    if not NTREX.is_dir():
        raise SystemExit(f"{NTREX} not found: the benchmark reads NTREX-128 from ../shared/data")

    warm = LanguageDetector()
    t0 = time.perf_counter()
    warm.detect("Бұл сөйлем қазақ тілінде жазылған, оны анықтау керек.")
    _ = warm._fallback
    load = time.perf_counter() - t0

    four = LanguageDetector(["en", "ru", "kk", "zh"])
    _ = four._fallback  # load before timing, as for the first
    runs = {
        "all nine configured": evaluate(warm, list(FILES), args.min_chars),
        "en/ru/kk/zh configured": evaluate(four, ["en", "ru", "kk", "zh"], args.min_chars),
    }
    for name, run in runs.items():
        print(f"\n== {name}  (sentences >= {args.min_chars} chars; {run['MB_per_s']:.1f} MB/s)")
        for lang, acc in run["accuracy"].items():
            wrong = {k: v for k, v in run["confusion"][lang].items() if k != lang}
            print(f"  {lang}: {acc:.4f} of {run['n_sentences'][lang]}  errors: {wrong or '-'}")
    full = runs["all nine configured"]["confusion"]
    pairs = {
        "kk->ru": full["kk"].get("ru", 0),
        "ru->kk": full["ru"].get("kk", 0),
        "ky->kk": full["ky"].get("kk", 0),
        "kk->ky": full["kk"].get("ky", 0),
    }
    print(f"\nconfusions of interest: {pairs}; model load (one-off): {load:.2f} s")
    from _results import write_results

    payload = {"min_chars": args.min_chars, "runs": runs, "pairs": pairs, "load_seconds": load}
    print(f"wrote {write_results(args.out, 'langid', payload)}")


if __name__ == "__main__":
    main()
