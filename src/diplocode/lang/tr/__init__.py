"""Turkish.

Ordinals are written with a period (``70. Genel Kurul``, ``20. yy.``), so a period after a
short number never ends a sentence (``ordinal_dot``). ``vb.``/``vs.`` ("and so on")
and ``vd.`` ("et al.") are *final* abbreviations.
"""

from .. import LanguageData

# fmt: off
DATA = LanguageData(
    code="tr",
    name="Turkish",
    native_name="Türkçe",
    script="Latn",
    abbreviations=frozenset(
        {
            # titles and posts
            "dr", "prof", "doç", "yrd", "yard", "öğr", "gör", "av", "sn", "müh", "uzm", "hz",
            "bşk", "md", "alb", "gen", "org", "korg", "tümg", "tuğg", "amb",
            # lists and references
            "vb", "vs", "vd", "örn", "bkz", "krş", "a.g.e", "age", "s", "c", "mad", "fık", "haz",
            "çev", "ed", "yay", "no", "tel",
            # dates and units
            "yy", "m.ö", "m.s", "y", "km", "kg", "mlr", "mn",
            # organisations and places
            "t.c", "a.ş", "ltd", "şti", "tic", "san", "cad", "sok", "mah", "apt", "blv",
        }
    ),
    sentence_terminators=".!?…",
    spaces_between_words=True,
    final_abbreviations=frozenset({"vb", "vs", "vd", "m.ö", "m.s"}),
    unit_abbreviations=frozenset({"yy", "y", "km", "kg", "mlr", "mn"}),
    ordinal_dot=True,
)
# fmt: on
