"""Language per paragraph: accuracy on real parallel text, inheritance, configuration."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from diplocode.corpus.langid import Detection, LanguageDetector
from diplocode.corpus.segment import paragraphs
from diplocode.errors import DiplocodeError

NTREX_FILES = {
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


def ntrex_accuracy(
    folder: Path, lang: str, detector: LanguageDetector, min_len: int = 40
) -> tuple[float, Counter[str]]:
    lines = [
        ln.strip() for ln in (folder / NTREX_FILES[lang]).read_text(encoding="utf-8").splitlines()
    ]
    lines = [ln for ln in lines if len(ln) >= min_len]
    got = Counter(detector.detect(ln).language or "none" for ln in lines)
    return got[lang] / len(lines), got


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()  # all nine configured languages compete


@pytest.mark.parametrize("lang", ["en", "ru", "kk", "zh"])
def test_ntrex_accuracy_of_the_working_languages(
    shared_data: Path, detector: LanguageDetector, lang: str
) -> None:
    accuracy, got = ntrex_accuracy(shared_data / "ntrex128_en_ru_kk_zh_centralasia", lang, detector)
    assert accuracy >= 0.98, got.most_common(4)


@pytest.mark.parametrize("lang", ["ky", "uz", "tr", "tg", "tk"])
def test_ntrex_accuracy_of_the_regions_other_languages(
    shared_data: Path, detector: LanguageDetector, lang: str
) -> None:
    accuracy, got = ntrex_accuracy(shared_data / "ntrex128_en_ru_kk_zh_centralasia", lang, detector)
    assert accuracy >= 0.97, got.most_common(4)


def test_the_seed_articles_trilingual_abstracts(
    shared_data: Path, detector: LanguageDetector
) -> None:
    seed = shared_data.parent / "seeds" / "000_a7e4db10b822936a.txt"
    text = seed.read_text(encoding="utf-8")
    spans = paragraphs(text)
    labels = detector.label(text, spans)
    by_start = {text[s:e][:40]: d.language for (s, e), d in zip(spans, labels, strict=True)}

    def lang_of(prefix: str) -> str | None:
        return next(lang for start, lang in by_start.items() if start.startswith(prefix))

    assert lang_of("This article examines cultural") == "en"
    assert lang_of("В статье рассматривается культурно") == "ru"
    assert lang_of("Мақалада Орталық Азиядағы мәдени") == "kk"
    assert lang_of("Түйін сөздер: Орталық Азия") == "kk"
    assert lang_of("Ключевые слова: Центральная Азия") == "ru"


def test_restricting_the_set_changes_the_answer() -> None:
    kyrgyz = (
        "Кыргызстан менен Кытайдын ортосундагы маданий кызматташтык акыркы жылдары тез өнүгүүдө."
    )
    assert LanguageDetector().detect(kyrgyz).language == "ky"
    assert LanguageDetector(["en", "ru", "kk"]).detect(kyrgyz).language in {"kk", "ru"}


def test_short_paragraphs_inherit_from_their_neighbours() -> None:
    text = "Түйін сөздер\n\nҚазақстан көпвекторлы сыртқы саясатты ұстанады және ынтымақтастықты дамытады.\n\n2015\n\nKeywords"
    spans = paragraphs(text)
    labels = LanguageDetector().label(text, spans)
    assert [d.language for d in labels] == ["kk", "kk", "kk", "kk"]
    assert [d.method for d in labels] == ["inherited", "cld2", "inherited", "inherited"]


def test_short_chinese_is_decided_by_script() -> None:
    text = "一、引言\n\nThe introduction follows in English, long enough to be detected on its own."
    labels = LanguageDetector().label(text, paragraphs(text))
    assert [(d.language, d.method) for d in labels] == [("zh", "script"), ("en", "cld2")]


def test_a_document_of_only_short_paragraphs_is_detected_as_a_whole() -> None:
    text = "Добрый день.\n\nСпасибо."
    labels = LanguageDetector().label(text, paragraphs(text))
    assert {d.language for d in labels} == {"ru"}


def test_text_without_letters_has_no_language() -> None:
    assert LanguageDetector().detect("2013 — 2025 ... 42").language in {None, "en"}
    assert isinstance(LanguageDetector().detect(""), Detection)


def test_unknown_languages_are_refused_with_the_valid_options() -> None:
    with pytest.raises(DiplocodeError) as info:
        LanguageDetector(["en", "xx"]).detect("Some text here.")
    assert info.value.code == "E060" and "kk" in str(info.value)
