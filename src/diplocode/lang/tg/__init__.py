"""Tajik.

``ва ғ.`` ("and so on") is a *final* abbreviation; ``с.`` (year) and ``а.`` (century)
may end a sentence after a number (``2016 с.``); ``ш.`` is "city".
"""

from .. import LanguageData

# fmt: off
DATA = LanguageData(
    code="tg",
    name="Tajik",
    native_name="Тоҷикӣ",
    script="Cyrl",
    abbreviations=frozenset(
        {
            # lists and references
            "ва ғ", "ғ", "мас", "наз", "саҳ", "б",
            # era, dates and units
            "с", "сс", "а", "п.м", "м", "ҳаз", "млн", "млрд", "трлн", "км", "кг",
            # titles, posts and places
            "проф", "акад", "доц", "ҷт", "ш", "н", "в", "к", "д",
        }
    ),
    sentence_terminators=".!?…",
    spaces_between_words=True,
    final_abbreviations=frozenset({"ва ғ", "п.м"}),
    unit_abbreviations=frozenset({"с", "сс", "а", "ҳаз", "млн", "млрд", "трлн", "км", "кг"}),
)
# fmt: on
