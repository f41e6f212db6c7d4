"""The rule-based Kazakh stemmer: hand-checked words, stability, and UD Kazakh KTB."""

from __future__ import annotations

from pathlib import Path

import pytest

from diplocode.lang.kk.stemmer import KazakhStemmer, stem

# word -> stem, checked by hand
NOMINAL = [
    # plural + possessive + case chains
    ("мемлекеттеріміздің", "мемлекет"),
    ("университеттерде", "университет"),
    ("балаларымызға", "бала"),
    ("қалаларда", "қала"),
    ("елдердің", "ел"),
    ("елімізде", "ел"),
    ("кәсіпорындары", "кәсіпорын"),
    ("келісімдер", "келісім"),
    # possessive + case, consonant alternation and vowel loss at the boundary
    ("кітабымда", "кітап"),
    ("кітабы", "кітап"),
    ("жүрегі", "жүрек"),
    ("тарағы", "тарақ"),
    ("құқығы", "құқық"),
    ("өнеркәсібі", "өнеркәсіп"),
    ("халқымыздың", "халық"),
    ("орнына", "орын"),
    ("тарихындағы", "тарих"),
    ("саясатын", "саясат"),
    ("мемлекетін", "мемлекет"),
    ("шешімін", "шешім"),
    ("ауданы", "аудан"),
    ("кеңесінің", "кеңес"),
    ("облысы", "облыс"),
    ("жағдайы", "жағдай"),
    ("деңгейін", "деңгей"),
    ("басшысы", "басшы"),
    # derivation stays: -лық/-дық, -шы, privative -сыз, adjectival -ғы/-қы
    ("ынтымақтастығы", "ынтымақтастық"),
    ("тәуелсіздігін", "тәуелсіздік"),
    ("жұмысшылар", "жұмысшы"),
    ("баласыз", "баласыз"),
    ("соңғы", "соңғы"),
    ("сыртқы", "сыртқы"),
    ("қазіргі", "қазіргі"),
    ("жылғы", "жылғы"),
    # names, compounds, abbreviations
    ("Қазақстанның", "қазақстан"),
    ("Астанада", "астана"),
    ("Ресейдің", "ресей"),
    ("Қытаймен", "қытай"),
    ("премьер-министрі", "премьер-министр"),
    ("БҰҰ-ның", "бұұ"),
]

# words that must come back whole (short words, names, words that end like a suffix)
UNCHANGED = [
    "ол",
    "бұл",
    "су",
    "ана",
    "бала",
    "Астана",
    "Қазақстан",
    "теңге",
    "сауда",
    "доллар",
    "кітап",
    "үшін",
    "және",
]

# forms of a verb -> the lemma (UD writes the bare root) they must meet
VERBS = [
    ("бар", ["барамын", "барды", "барған", "барып", "бару", "барады", "бармады"]),
    ("кел", ["келді", "келеді", "келген", "келіп"]),
    ("жаз", ["жазған", "жазды", "жазады"]),
    ("оқы", ["оқып", "оқиды", "оқу", "оқыды"]),
    ("ойла", ["ойлады", "ойлаймын", "ойлап"]),
    ("де", ["деді", "деп"]),
    ("жаса", ["жасалды", "жасады", "жасап"]),
    ("қарастыр", ["қарастырылмады"]),
    ("өткіз", ["өткізілді"]),
    ("қолда", ["қолдау", "қолдайды", "қолдады"]),
]

HAND_TABLE = [w for w, _ in NOMINAL] + UNCHANGED + [f for _, fs in VERBS for f in fs]


@pytest.mark.parametrize(("word", "expected"), NOMINAL)
def test_nominal_chains(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize("word", UNCHANGED)
def test_not_over_stemmed(word: str) -> None:
    assert stem(word) == word.lower()


@pytest.mark.parametrize(("lemma", "forms"), VERBS)
def test_verb_forms_meet_their_lemma(lemma: str, forms: list[str]) -> None:
    assert {f: stem(f) for f in forms} == {f: stem(lemma) for f in forms}


@pytest.mark.parametrize("word", HAND_TABLE)
def test_stem_is_stable(word: str) -> None:
    once = stem(word)
    assert stem(once) == once


def test_lower_cases_and_caches() -> None:
    stemmer = KazakhStemmer()
    assert stemmer.stem("ҚАЗАҚСТАННЫҢ") == stemmer.stem("Қазақстанның") == "қазақстан"
    assert KazakhStemmer(cache_size=0).stem("кітабымда") == "кітап"


def test_params() -> None:
    params = KazakhStemmer(min_stem=3).get_params()
    assert params["min_stem"] == 3
    assert "cache_size" not in params  # not a property of the stems
    # a parameter changes the result it names
    assert KazakhStemmer(strip_passive=False).stem("жасалды") == "жасал"
    assert KazakhStemmer(strip_agentive=True).stem("айтушы") == "айт"
    assert KazakhStemmer(repeat_on_verbs=True).stem("бағыттау") == "бағыт"
    assert KazakhStemmer().stem("бағыттау") == "бағытта"


# --- UD Kazakh KTB --------------------------------------------------------------------

#: conflation = share of tokens with stem(FORM) == stem(LEMMA) on test-half-a, as
#: measured by benchmarks/kk_stemmer.py with the default parameters
NOUN_CONFLATION = 0.981


def _tokens(path: Path, upos: str) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) == 10 and cols[0].isdigit() and cols[3] == upos:
            out.append((cols[1], cols[2]))
    return out


@pytest.mark.shared_data
def test_ud_ktb_conflation(shared_data: Path) -> None:
    path = shared_data / "ud_kazakh_ktb" / "kk_ktb-ud-test-half-a.conllu"
    stemmer = KazakhStemmer()
    for upos, floor in (("NOUN", NOUN_CONFLATION - 0.01), ("VERB", None), ("ADJ", None)):
        toks = _tokens(path, upos)
        assert len(toks) > 300
        conflation = sum(stemmer.stem(f) == stemmer.stem(lem) for f, lem in toks) / len(toks)
        baseline = sum(f.lower() == lem.lower() for f, lem in toks) / len(toks)
        assert conflation > baseline, upos
        if floor is not None:
            assert conflation >= floor, (upos, conflation)
