"""English.

``etc.``, ``Inc.`` and ``a.m.`` often end a sentence, so they are *final* abbreviations:
a capitalised word after them starts a new sentence. ``No.``, ``Art.`` and ``Fig.``
are also ordinary words ("our answer is no."), so they are final abbreviations too:
``"No. 5"`` does not split, ``"no. We"`` does.
"""

from .. import LanguageData

# fmt: off
DATA = LanguageData(
    code="en",
    name="English",
    native_name="English",
    script="Latn",
    abbreviations=frozenset(
        {
            # titles and forms of address
            "mr", "mrs", "ms", "messrs", "mme", "dr", "prof", "st", "sr", "jr", "rev", "hon",
            "esq", "h.e", "h.m", "h.r.h", "amb", "pres", "gen", "lt", "col", "capt", "maj",
            "sgt", "adm", "cmdr", "sen", "rep", "gov",
            # Latin and editorial
            "etc", "e.g", "i.e", "viz", "cf", "vs", "v", "al", "ibid", "op", "cit", "ca", "approx",
            "no", "nos", "vol", "vols", "p", "pp", "art", "arts", "para", "paras", "ch", "chap",
            "sec", "sect", "fig", "figs", "ed", "eds", "est", "tel", "ext",
            # countries and organisations
            "u.s", "u.s.a", "u.n", "u.k", "u.s.s.r", "e.u",
            "inc", "ltd", "co", "corp", "bros", "dept", "govt", "intl", "natl", "assn", "univ",
            # months
            "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
            # places and times
            "mt", "ave", "rd", "a.m", "p.m",
        }
    ),
    sentence_terminators=".!?…",
    spaces_between_words=True,
    final_abbreviations=frozenset(
        {"etc", "inc", "ltd", "jr", "sr", "a.m", "p.m", "no", "nos", "art", "arts", "fig", "figs"}
    ),
)
# fmt: on
