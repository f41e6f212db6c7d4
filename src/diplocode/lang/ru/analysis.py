"""Russian: pymorphy3 lemmas (the most probable parse), cached per word.

Without syntax, a few closed-class forms have two equally good lemmas (possessive
``его`` vs. the pronoun ``он``; ``во`` vs. ``в``). For those we follow the Universal
Dependencies convention (UD Russian GSD), so that our lemmas can be evaluated against it;
for lexicon matching these function words do not matter either way.
"""

from __future__ import annotations

from ..analysis import Analyzer, _version

#: closed-class forms lemmatised as UD Russian does (after ё -> е folding)
UD_CONVENTIONS = {
    # possessive determiners keep their form
    "его": "его",
    "ее": "ее",
    "их": "их",
    # prepositions with a vowel keep it
    "во": "во",
    "со": "со",
    "об": "об",
    "обо": "обо",
    "ко": "ко",
    "ото": "ото",
    "подо": "подо",
    "надо": "надо",
    # the demonstrative and universal determiners
    "этого": "этот",
    "этому": "этот",
    "этим": "этот",
    "этом": "этот",
    "этой": "этот",
    "эту": "этот",
    "эти": "этот",
    "этих": "этот",
    "этими": "этот",
    "все": "весь",
    "того": "то",
    "тем": "то",
    "том": "то",
}


def make() -> Analyzer:
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer(lang="ru")

    def lemma(word: str) -> str:
        lower = word.lower().replace("ё", "е")
        if lower in UD_CONVENTIONS:
            return UD_CONVENTIONS[lower]
        parses = morph.parse(word)
        if word[:1].isupper():
            # a capitalised word: prefer a reading as a name, and leave unknown words
            # (foreign names pymorphy can only guess at) as written
            named = next((p for p in parses if NAME_TAGS & set(p.tag.grammemes)), None)
            if named is not None:
                return str(named.normal_form)
            if not parses[0].is_known:
                return lower
        return str(parses[0].normal_form)

    method = f"pymorphy3 {_version('pymorphy3')} lemma (names preferred for capitalised words; UD conventions for closed-class forms)"
    return Analyzer("ru", method, lemma, sees_case=True)


NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
