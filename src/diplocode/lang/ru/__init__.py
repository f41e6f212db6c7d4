"""Russian.

``т.д.``, ``т.п.``, ``др.`` end many sentences (*final* abbreviations). ``г.`` is both
"year" and "city": after a number (``2015 г.``) it may end a sentence, elsewhere
(``г. Астана``) it never does; the same holds for ``в.`` (century) and units.
"""

from .. import LanguageData

# fmt: off
DATA = LanguageData(
    code="ru",
    name="Russian",
    native_name="Русский",
    script="Cyrl",
    abbreviations=frozenset(
        {
            # lists, references, "that is"
            "т.е", "т.д", "т.п", "т.к", "т.н", "т.ч", "т.о", "и.о", "напр", "см", "ср", "др", "пр",
            "прим", "ред", "изд", "вып", "сокр", "ст", "п", "пп", "ч", "гл", "разд", "рис",
            "табл", "стр", "с", "т", "тт", "кн", "н.э",
            # titles and posts
            "г-н", "г-жа", "гг-да", "проф", "акад", "доц", "зам", "нач", "пред", "ген", "секр",
            "им", "мл", "чл.-корр", "чл", "род",
            # places
            "г", "гг", "ул", "пр-т", "пл", "д", "кв", "обл", "р-н", "пос", "дер", "о", "оз",
            "р", "гос",
            # time and units
            "в", "вв", "тыс", "млн", "млрд", "трлн", "руб", "долл", "коп", "км", "кг", "чел",
            "мин", "сек", "ок", "м", "л",
            # languages
            "англ", "рус", "лат", "нем", "франц", "фр", "кит", "каз", "араб",
        }
    ),
    sentence_terminators=".!?…",
    spaces_between_words=True,
    final_abbreviations=frozenset({"т.д", "т.п", "др", "пр", "н.э"}),
    unit_abbreviations=frozenset(
        {"г", "гг", "в", "вв", "тыс", "млн", "млрд", "трлн", "руб", "долл", "коп", "км", "кг",
         "чел", "см", "мин", "сек", "м", "л", "мл"}
    ),
)
# fmt: on
