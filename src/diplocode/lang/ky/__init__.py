"""Kyrgyz.

``ж.б.`` and ``ж.у.с.`` ("and so on") are *final* abbreviations; ``ж.`` (year) and
``к.`` (century) may end a sentence after a number.
"""

from .. import LanguageData

# fmt: off
DATA = LanguageData(
    code="ky",
    name="Kyrgyz",
    native_name="Кыргызча",
    script="Cyrl",
    abbreviations=frozenset(
        {
            # lists and references
            "ж.б", "ж.у.с", "т.а", "мис", "кар", "бет", "б",
            # era and dates
            "б.з.ч", "б.з", "ж", "жж", "к", "кк",
            # numbers and units
            "миң", "млн", "млрд", "трлн", "км", "кг", "см",
            # titles, posts and places
            "проф", "акад", "доц", "кр", "ш", "обл", "р-н", "көч", "ө",
        }
    ),
    sentence_terminators=".!?…",
    spaces_between_words=True,
    final_abbreviations=frozenset({"ж.б", "ж.у.с", "б.з.ч"}),
    unit_abbreviations=frozenset({"ж", "жж", "к", "кк", "миң", "млн", "млрд", "трлн", "км", "кг"}),
)
# fmt: on
