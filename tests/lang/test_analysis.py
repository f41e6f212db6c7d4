"""Tokens and normal forms per language; Russian lemma accuracy on UD Russian GSD."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from diplocode.errors import DiplocodeError
from diplocode.lang.analysis import analyzer, fold

REPO = Path(__file__).resolve().parents[2]


def test_tokens_carry_true_offsets() -> None:
    text = "В 2015 г. Россия и Казахстан — «Шёлковый путь»."
    for tok in analyzer("ru").tokens(text):
        assert fold(text[tok.start : tok.end]) == tok.surface


@pytest.mark.parametrize(
    ("lang", "text", "norms"),
    [
        ("ru", "Стипендиями соотечественников", ["стипендия", "соотечественник"]),
        ("ru", "Шёлкового пути", ["шелковый", "путь"]),
        ("en", "Scholarships and universities", ["scholarship", "and", "universiti"]),
        ("zh", "民心相通是根基", ["民心", "相通", "是", "根基"]),
        ("tr", "Türk Devletleri", ["türk", "devletleri"]),
    ],
)
def test_normal_forms(lang: str, text: str, norms: list[str]) -> None:
    assert [t.norm for t in analyzer(lang).tokens(text)] == norms


def test_capitalised_russian_names_are_read_as_names() -> None:
    ru = analyzer("ru")
    assert [ru.norm(w) for w in ("Назарбаева", "Токаевым", "Астане", "Гуммет")] == [
        "назарбаев",
        "токаев",
        "астана",
        "гуммет",
    ]
    assert ru.norm("стипендии") == "стипендия"


def test_stop_words_exist_for_the_working_languages() -> None:
    for lang, word in (("en", "the"), ("ru", "и"), ("kk", "және"), ("zh", "的")):
        assert word in analyzer(lang).stop_words


def test_unknown_language() -> None:
    with pytest.raises(DiplocodeError) as info:
        analyzer("xx")
    assert info.value.code == "E024"


def test_russian_lemma_accuracy_on_ud_gsd(shared_data: Path) -> None:
    spec = importlib.util.spec_from_file_location("ru_lemma", REPO / "benchmarks" / "ru_lemma.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    [result] = [
        bench.evaluate(p) for p in sorted((shared_data / "ud_russian_gsd").glob("*.conllu"))
    ]
    assert result["accuracy"] >= 0.95, result
