"""Kazakh.

``т.б.`` and ``т.с.с.`` ("and so on") are *final* abbreviations; ``ж.`` (year) and
``ғ.`` (century) may end a sentence after a number (``2019 ж.``).

Words are normalised by the rule-based stemmer in :mod:`diplocode.lang.kk.stemmer`.
"""

from .. import LanguageData

# fmt: off
DATA = LanguageData(
    code="kk",
    name="Kazakh",
    native_name="Қазақ тілі",
    script="Cyrl",
    abbreviations=frozenset(
        {
            # lists and references
            "т.б", "т.с.с", "т.с", "т.т", "мыс", "қар", "бет", "б", "тех",
            # era and dates
            "б.з.д", "б.з", "ж", "жж", "ғ", "ғғ",
            # numbers and units
            "мың", "млн", "млрд", "трлн", "тг", "км", "кг", "см", "м",
            # titles, degrees and posts
            "проф", "акад", "доц", "т.ғ.д", "т.ғ.к", "э.ғ.д", "э.ғ.к", "ф.ғ.д", "ф.ғ.к",
            "з.ғ.д", "з.ғ.к", "с.ғ.д", "с.ғ.к", "х.ғ.д", "х.ғ.к", "қр",
            # places
            "қ", "обл", "ауд", "а", "к", "көш", "д",
        }
    ),
    sentence_terminators=".!?…",
    spaces_between_words=True,
    final_abbreviations=frozenset({"т.б", "т.с.с", "т.с", "т.т", "б.з.д"}),
    unit_abbreviations=frozenset(
        {"ж", "жж", "ғ", "ғғ", "мың", "млн", "млрд", "трлн", "тг", "км", "кг", "см", "бет"}
    ),
)
# fmt: on
