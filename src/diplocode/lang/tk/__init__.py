"""Turkmen.

``b.ş.m.`` ("and so on") is a *final* abbreviation; ``ý.`` (year) and ``a.`` (century)
may end a sentence after a number (``2016 ý.``).
"""

from .. import LanguageData

# fmt: off
DATA = LanguageData(
    code="tk",
    name="Turkmen",
    native_name="Türkmençe",
    script="Latn",
    abbreviations=frozenset(
        {
            # lists and references
            "b.ş.m", "we ş.m", "ş.m", "mes", "s", "t", "ser",
            # era, dates and units
            "ý", "ýý", "a", "b.e.öň", "b.e", "mln", "mlrd", "trln", "km", "kg", "sm",
            # titles, posts and places
            "prof", "akad", "dos", "ş", "etr", "w", "köç",
        }
    ),
    sentence_terminators=".!?…",
    spaces_between_words=True,
    final_abbreviations=frozenset({"b.ş.m", "we ş.m", "ş.m", "b.e.öň"}),
    unit_abbreviations=frozenset({"ý", "ýý", "a", "mln", "mlrd", "trln", "km", "kg"}),
)
# fmt: on
