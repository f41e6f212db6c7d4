"""Uzbek (Latin script; the common Cyrillic-script abbreviations are listed too).

``va boshq.`` and ``h.k.`` ("and so on") are *final* abbreviations; ``y.`` (year) and
``a.`` (century) may end a sentence after a number (``2016 y.``).
"""

from .. import LanguageData

# fmt: off
DATA = LanguageData(
    code="uz",
    name="Uzbek",
    native_name="Oʻzbekcha",
    script="Latn",
    abbreviations=frozenset(
        {
            # lists and references (Latin)
            "va boshq", "boshq", "h.k", "q", "b", "mas", "t.y",
            # era, dates and units
            "y", "yy", "a", "mil.av", "m.a", "mil", "mln", "mlrd", "trln", "km", "kg", "sm",
            # titles, posts and places
            "prof", "akad", "dots", "o'zr", "oʻzr", "sh", "vil", "tum", "ko'ch", "koʻch",
            # Cyrillic script
            "ва бошқ", "бошқ", "ҳ.к", "й", "йй", "проф", "акад", "доц", "млн", "млрд", "ўзр",
            "вил", "ш", "т.й",
        }
    ),
    sentence_terminators=".!?…",
    spaces_between_words=True,
    final_abbreviations=frozenset({"va boshq", "boshq", "h.k", "ва бошқ", "бошқ", "ҳ.к", "mil.av"}),
    unit_abbreviations=frozenset({"y", "yy", "a", "mln", "mlrd", "trln", "km", "kg", "й", "йй"}),
)
# fmt: on
