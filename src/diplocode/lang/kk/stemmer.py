"""A rule-based Kazakh (Cyrillic) stemmer.

No usable Kazakh lemmatiser is packaged on PyPI, so diplocode strips inflection with
rules. The result is a *matching key*: a word and its dictionary form (the lemma a
lexicon entry is written in) should get the same key. The key is usually the lemma
(``кітабымда`` → ``кітап``); verbs meet on the root, as UD Kazakh writes verb lemmas
(``барамын``, ``барды``, ``барып``, ``бару`` → ``бар``; ``оқиды``, ``оқу`` → ``оқ``).

How it works
------------
Suffixes come off right to left in slots; each slot allows only the slots that may
stand to its left::

    root · voice · negation · tense/participle/verbal noun · plural · possessive · case · person

A suffix comes off only when

* its vowel agrees with the last vowel left (vowel harmony: back ``а о ұ ы``, front
  ``ә ө ү і е``; ``и у ю`` are neutral, and loanwords in ``-к/-г`` take front endings);
* its first consonant is the allomorph the last letter left calls for (plural ``-лар``
  after vowels and ``р й у``, ``-дар`` after ``л м н ң з ж``, ``-тар`` after voiceless
  consonants, so ``доллар`` keeps its ``-лар``);
* at least ``min_stem`` letters, a vowel among them, remain (more for endings that many
  words merely end in: ``-ны`` leaves 3, so ``жаны`` is жан + ``-ы``).

Where several analyses fit, the one that strips most wins, unless another ends on a
listed word (:data:`PROTECTED`: ``кешені`` → ``кешен``, not кеше + ``-ні``). Nominal
results are swept again (``ағынның`` → ``ағын`` → ``ақ``, as ``ағын`` itself is), so
``stem(stem(w)) == stem(w)`` for nouns; a verb root is not (``бағыттау`` →
``бағытта``, the bare ``бағытта`` → ``бағыт``) unless ``repeat_on_verbs`` is set. A
stem-final ``б г ғ`` becomes ``п к қ`` (``кітабы`` → ``кітап``, ``жүрегі`` →
``жүрек``) and nouns that drop a vowel before a suffix get it back (``халқы`` →
``халық``, ``орны`` → ``орын``).

Kept: derivational suffixes, as UD lemmas keep them: ``-лық/-лік/-дық/-тық``
(``ынтымақтастығы`` → ``ынтымақтастық``), ``-шы/-ші``, privative ``-сыз/-сіз`` (so
the rarer predicative ``-сыз`` "you are" stays too), adjectival ``-ғы/-гі/-қы/-кі``
(``қазіргі``, ``сыртқы``); causative and reflexive verb stems. The passive
``-ыл/-іл/-л`` comes off when a verbal suffix follows it (``қарастырылмады`` →
``қарастыр``), as in UD lemmas.

Without a dictionary some readings are guesses, steered by the short word lists below
(verb roots, nouns that only end like a suffix, function words). Known trade-offs,
measured on UD Kazakh KTB with ``benchmarks/kk_stemmer.py``:

* an unlisted noun that ends like possessive + accusative loses it (``ағын`` → ``ақ``,
  as ``ағыны`` does), and adjectives in ``-ды/-ты/-лы`` meet their noun
  (``маңызды`` → ``маңыз``);
* an unlisted verb root that ends like a case ending keeps it after a verbal suffix
  (``бағыттау``, ``бағытталды`` → ``бағытта``) while the bare root (the UD lemma)
  loses it (``бағытта`` → ``бағыт``); ``repeat_on_verbs`` makes them meet on the noun;
* the bare converb ``-а/-е`` and future ``-ар/-ер`` come off listed verbs only, the
  converb ``-й`` and the negative imperative ``-ма`` never, since too many nouns end
  that way (``жағдай``, ``бағдарлама``, ``өнер``); the 1st/2nd person singular
  possessive comes off only where it cannot be a noun's ``-ым`` (``өмірім`` stays,
  ``білім`` and ``келісім`` are nouns); the past 1st plural ``-дық`` stays
  (derivational ``-дық`` is far more common).

>>> stem("мемлекеттеріміздің")
'мемлекет'
>>> stem("Қазақстанның")
'қазақстан'
>>> [stem(w) for w in ("барамын", "барды", "барған", "барып", "бару", "бар")]
['бар', 'бар', 'бар', 'бар', 'бар', 'бар']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ELISION",
    "FUNCTION_WORDS",
    "IRREGULAR",
    "PROTECTED",
    "VERB_ROOTS",
    "VOWEL_ROOTS",
    "KazakhStemmer",
    "stem",
]

# ---------------------------------------------------------------------------------------
# letters

_BACK = frozenset("аоұыяё")
_FRONT = frozenset("әөүіеэ")
_TRUE_VOWEL = _BACK | _FRONT | frozenset("ю")
_VOWELISH = _TRUE_VOWEL | frozenset("уи")
_VOICELESS = frozenset("пфкқтсшщхцчһ")
_VOICED_STOP = frozenset("бвгғд")

# Classes of the letter before a suffix; they choose its allomorph.
V = "V"  # vowel (а ә е ё о ө ұ ү ы і э ю я)
S = "S"  # р й у и
L = "L"  # л
N = "N"  # м н ң
Z = "Z"  # з ж
T = "T"  # voiceless consonant
D = "D"  # б в г ғ д (loanwords)
OTHER = "O"  # anything else (digit, Latin, ь): every allomorph fits


def _cls(ch: str) -> str:
    if ch in _TRUE_VOWEL:
        return V
    if ch in "рйуи":
        return S
    if ch == "л":
        return L
    if ch in "мнң":
        return N
    if ch in "зж":
        return Z
    if ch in _VOICELESS:
        return T
    if ch in _VOICED_STOP:
        return D
    return OTHER


def _last_harmony(word: str) -> str | None:
    """``"b"``/``"f"`` for the last back/front vowel; None after a neutral one."""
    for ch in reversed(word):
        if ch in _BACK:
            return "b"
        if ch in _FRONT:
            return "f"
        if ch in "иую":  # министр, оқу: either harmony may follow
            return None
    return None


def _syllables(word: str) -> int:
    """Vowel letters, counting ``у``/``и`` only when not right after a vowel."""
    n = 0
    prev_vowel = False
    for ch in word:
        if ch in _TRUE_VOWEL or (ch in "уи" and not prev_vowel):
            n += 1
            prev_vowel = True
        else:
            prev_vowel = False
    return n


# ---------------------------------------------------------------------------------------
# word lists (written for diplocode; extend them rather than the rules)

#: Verb roots that end in a consonant (mostly one syllable). A listed root lets the
#: rules read present ``-а/-е`` before a person ending (``барамын``, but ``көлемін`` is
#: көлем + ``-ін``), the bare converb ``-а/-е`` (``бере``), future ``-ар/-ер``
#: (``барар``) and ``-мас/-мес`` (``болмас``), and decides ``-ады`` for the present.
VERB_ROOTS = frozenset(
    """
    бар кел ал бер бол ет айт жаз біл көр қал сал жат тұр жүр кет жет өт түс шық қой
    сат тап аш жап өс кір қос сен сүй тарт қайт бас ек өл бөл тол кес жу қу ту ти
    шеш құр қыл тіз іш ұт ұр ұқ бұз ұш қаш сөн күт кеш өш ас ат ақ бақ бат тый
    қон сой тер тік жүз сез без оз тоз сің іл шап шаш ез ой сор тос жұт жай төк сеп
    сын ұста отыр көтер тексер жібер ұсын үйрен қатыс тырыс таныс кездес көрсет
    жүргіз келтір өткіз енгіз арттыр асыр шығар қарастыр жеткіз өндір жетілдір
    дамыт жақсарт төмендет кеңейт азайт ұлғайт күшейт жаңғырт бекіт көбей азай
    ұлғай күшей ұйымдастыр қолдан пайдалан айналыс тұрғыз сездір ойна сөйле
    түсін ойлан қуан айнал көрін сезін білін киін жуын сүйін өкін бағын табын
    алмас тұтын жүгін
    """.split()
)

#: Verb roots that end in a vowel, kept whole: some could be read as consonant root +
#: present ``-а/-е`` (``жасады`` is жаса + past ``-ды``, not жас + ``-ады``), others end
#: like a case ending (``қолда``, ``баста``, ``қорға`` are not қол/бас/қор + case).
#: Their converb ``-п`` comes off too (``жасап``). Unlisted roots like ``ойла`` fare
#: well anyway (no consonant root ends in ``йл``), while an unlisted root in
#: ``-да/-та/-ға`` meets its forms only with ``repeat_on_verbs``.
VOWEL_ROOTS = frozenset(
    """
    де же жаса сұра қара сана ата жина жыла тіле құра төле ұна талқыла
    тазала бағала белгіле жобала тәрбиеле қайтала бақыла қадағала
    қолда қабылда дайында тыңда тағайында айқында өңде жөнде ізде
    мойында мақұлда дәлелде тұжырымда
    баста сақта тоқта ұста анықта құшақта құпта қуатта ірікте айыпта қымбатта
    арзанда мәлімде жұмса талда істе зертте туында салмақта баянда раста
    қорға жалға қозға ұқса
    """.split()
)

#: Nouns (and a verb) whose second vowel drops before a vowel-initial suffix
#: (``халық`` → ``халқы``): the shortened stem maps back to the full one.
ELISION = {
    "халқ": "халық",
    "ауз": "ауыз",
    "орн": "орын",
    "мұрн": "мұрын",
    "ерн": "ерін",
    "қарн": "қарын",
    "мойн": "мойын",
    "қойн": "қойын",
    "мүлк": "мүлік",
    "ерк": "ерік",
    "көрк": "көрік",
    "ырқ": "ырық",
    "құлқ": "құлық",
    "бөрк": "бөрік",
    "әрп": "әріп",
    "даус": "дауыс",
    "қорқ": "қорық",
    "нарқ": "нарық",
    "ғұмр": "ғұмыр",
    "көңл": "көңіл",
    "қалп": "қалып",
    "сіңл": "сіңлі",
}

#: Irregular verb forms (the root's final consonant became у).
IRREGULAR = {"тауып": "тап", "жауып": "жап", "тауыпты": "тап"}

#: Function words, returned as they are (``үшін`` is not үш + ``-ін``).
FUNCTION_WORDS = frozenset(
    """
    үшін кейін бүгін дейін шейін туралы арқылы сияқты секілді бойынша бойы бері
    сондай осындай мұндай қандай ондай мынадай әрдайым әрқашан бірақ алайда яғни
    дегенмен сондықтан сонда мұнда осында қайда онда бұрын ерте ертең биыл әлі енді
    кейде әсіресе егер осы сол бұл ол олар біз сіз сен мен бен пен және немесе емес
    қарай қайта өте қоса бірге сайын басқа бәрі аса тағы бұдан бұған бұны мұны
    мұнан оған одан соған содан соны осыдан осыны осыған жаппай тегін мұның оның
    үнемі еді екен ғой ғана тіпті жайлы ешқандай сонымен менің маған мені сенің саған сені
    оны онда біздің бізге бізді сіздің сізге сізді олардың оларға оларды
    """.split()
)

#: Words that merely end like a suffix - place names, nouns, adjectives - kept whole,
#: and preferred when an analysis can end on them (``теңге`` is not тең + ``-ге``;
#: ``ауданы`` is аудан + ``-ы``, not ауда + ``-ны``; ``кеңесі`` is кеңес + ``-і``).
PROTECTED = frozenset(
    """
    алматы атырау ақтау көкшетау маңғыстау талдықорған өскемен қарағанды мәскеу
    ұлытау тараз шымкент қызылорда жезқазған екібастұз сарыарқа ақорда орда
    қазақстан өзбекстан қырғызстан тәжікстан түрікменстан ауғанстан пәкістан үндістан
    түркістан дағыстан татарстан башқұртстан жағдай деңгей төмен мүдде
    теңге сауда баға төраға тұлға пайда шілде нәресте мектеп зардап кесте апта
    сенбі жексенбі дүйсенбі сейсенбі сәрсенбі бейсенбі жаза қала сала дала бала ана
    ата майдан кеден дәптер мастер кластер елу ауру жеті екі жылу қысқа желі тармақ
    семей егін қазына басты тұрғы маусым уәде айып оқиға салдар команда
    пропаганда канада қауіп екеуі кеуде шошқа
    кәсіп өнеркәсіп тәртіп кәсіпорын қорытынды
    қаржы жалақы зейнетақы ақы төлемақы еңбекақы жалпы жоғары ірі әрі қарсы келесі
    кәрі әдемі елбасы отбасы дайын жақсы арнайы көптеген қарапайым алдын алдағы алда
    ойын жалын шағын қиын жақын ақын келін түйін алтын серпін жиын отын шығын
    қарқын тасқын жауын
    тұрғын маман орган желтоқсан нысан аудан кешен отан телефон арман капитан зиян
    заман қазан ақпан ұран экран
    бизнес кеңес үлес қатынас күрес серіктес әріптес процес прогрес көзқарас
    бәсекелес тілектес қандас отандас замандас жерлес пікірлес
    """.split()
)

# ---------------------------------------------------------------------------------------
# slots (bit flags) and what may stand to the left of each

PRED = 1  # personal predicative endings: -мын, -сың, -мыз ...
PPERS = 2  # past / conditional + person: -дым, -дың, -сам ...
CASE = 4
POSS = 8
PLUR = 16
VNF = 32  # non-finite verb forms that take nominal endings: -ған, -атын, -у, -мақ ...
VFIN = 64  # finite verb forms and converbs, word-final: -ды, -ады, -ып, -са ...
VPRES = 128  # present -а/-е/-й before a person ending
VFUT = 256  # future -ар/-ер/-р and negative future -мас before a person ending
VNEGF = 512  # negative future -мас/-мес before a case ending (бармасқа)
NEG = 1024
VOICE = 2048

_VERBAL = NEG | VOICE
_VERBAL_SLOTS = PPERS | VNF | VFIN | VPRES | VFUT | VNEGF | NEG | VOICE
_START = PRED | PPERS | CASE | POSS | PLUR | VNF | VFIN
_AFTER = {
    PRED: PLUR | VNF | VPRES | VFUT,
    PPERS: _VERBAL,
    CASE: POSS | PLUR | VNF | VNEGF,
    POSS: PLUR | VNF,
    PLUR: VNF,
    VNF: _VERBAL,
    VFIN: _VERBAL,
    VPRES: _VERBAL,
    VFUT: _VERBAL,
    VNEGF: VOICE,
    NEG: VOICE,
    VOICE: 0,
}


@dataclass(frozen=True, slots=True)
class _Rule:
    suffix: str
    slot: int
    then: int  # slots allowed to the left once this suffix is off
    prev: frozenset[str] | None  # classes of the letter before; None = any
    harmony: str | None
    min_stem: int  # 0 = the stemmer's min_stem
    test: str  # name of an extra condition ("" = none)
    repl: str  # what replaces the suffix (usually "")


_RULES: list[_Rule] = []


def _add(
    slot: int,
    suffixes: str,
    prev: str | None = None,
    *,
    then: int | None = None,
    min_stem: int = 0,
    test: str = "",
    repl: str = "",
    harmonic: bool = True,
) -> None:
    prev_set = frozenset(prev) | {OTHER} if prev is not None else None
    for suffix in suffixes.split():
        after = _AFTER[slot] if then is None else then
        harmony = _suffix_harmony(suffix) if harmonic else None
        _RULES.append(_Rule(suffix, slot, after, prev_set, harmony, min_stem, test, repl))


def _suffix_harmony(suffix: str) -> str | None:
    """The harmony a suffix calls for: that of its first vowel (``-ымен`` is back)."""
    for ch in suffix:
        if ch in _BACK:
            return "b"
        if ch in _FRONT:
            return "f"
    return None


# predicative personal endings (nouns and verbs): -мын/-бын/-пын, -сың, -мыз/-быз/-пыз
_add(PRED, "мын мін мыз міз", "VSLN", test="pred")
_add(PRED, "бын бін быз біз", "ZN")
_add(PRED, "пын пін пыз піз", "TD")
_add(PRED, "сың сің сыңдар сіңдер сыздар сіздер", test="pred")

# past / conditional + person
_add(PPERS, "дым дім дың дің дыңыз діңіз дыңдар діңдер дыңыздар діңіздер", "VSLNZD")
_add(PPERS, "тым тім тың тің тыңыз тіңіз тыңдар тіңдер тыңыздар тіңіздер", "TD")
_add(PPERS, "сам сем саң сең сақ сек саңыз сеңіз саңдар сеңдер")

# cases
_add(CASE, "ның нің", "VN")
_add(CASE, "дың дің", "SLZ")
_add(CASE, "тың тің", "TD")
_add(CASE, "ны ні", "V", min_stem=3)  # жаны is жан + -ы, not жа + -ны
_add(CASE, "ды ді", "SLNZ")
_add(CASE, "ты ті", "TD")
_add(CASE, "ға ге", "VSLNZ")  # after a loanword's б в г д: -қа/-ке (клубқа)
_add(CASE, "қа ке", "TD")
_add(CASE, "да де", "VSLNZ")  # not мүд-де
_add(CASE, "та те", "TD")
_add(CASE, "дан ден", "VSLZ")
_add(CASE, "нан нен", "N")
_add(CASE, "тан тен", "TD", test="stan")
# the instrumental does not follow vowel harmony (қаламен, кітаппен)
_add(CASE, "мен менен", "VSLN", harmonic=False)
_add(CASE, "бен бенен", "Z", harmonic=False)
_add(CASE, "пен пенен", "TD", harmonic=False)
_add(CASE, "дағы дегі", "VSLNZ")
_add(CASE, "тағы тегі", "TD")
_add(CASE, "дай дей", "VSLNZ", min_stem=3)
_add(CASE, "тай тей", "TD", min_stem=3)
# a case after the 3rd person possessive (-ы/-і after consonants, -сы/-сі after
# vowels): both come off, so what is left may take a plural or a verbal suffix next
_POSS3_LEFT = PLUR | VNF
_add(
    CASE,
    "ын ін ына іне ында інде ынан інен ымен імен ындағы індегі ындай індей",
    "SLNZTD",
    then=_POSS3_LEFT,
    test="poss3",
)
_add(
    CASE,
    "сын сін сына сіне сында сінде сынан сінен сымен сімен сындағы сіндегі",
    "V",
    then=_POSS3_LEFT,
    min_stem=3,
    test="sy",
)

# possessives
_add(POSS, "ы і", "SLNZTD", test="poss3")
_add(POSS, "сы сі", "V", min_stem=3, test="sy")  # басы is бас + -ы
_add(POSS, "ымыз іміз ыңыз іңіз", "SLNZTD", test="poss3")  # not көрш-іміз
_add(POSS, "мыз міз ңыз ңіз", "V", min_stem=3)  # маңыз is not ма + -ңыз
_add(POSS, "ым ім ың ің", "SLNZTD", test="sg12")

# plural
_add(PLUR, "лар лер", "VS")
_add(PLUR, "дар дер", "LNZ")
_add(PLUR, "тар тер", "TD")

# non-finite verb forms (may take plural, possessive and case endings)
_add(VNF, "ған ген", "VSLNZD")
_add(VNF, "қан кен", "T")
_add(VNF, "ғандық гендік", "VSLNZD")
_add(VNF, "қандық кендік", "T")
_add(VNF, "атын етін", "SLNZTD", test="atyn")  # not мемлекет-ін, саясат-ын
_add(VNF, "йтын йтін", "V")
_add(VNF, "итын итін", "SLNZTD", test="iy")  # ы/і + й written и: оқитын = оқы + йтын
_add(VNF, "у", test="u")
_add(VNF, "ю", "S")
_add(VNF, "мақ мек", "VSL", min_stem=3)  # көмек, еңбек are nouns
_add(VNF, "бақ бек", "NZ", min_stem=3)
_add(VNF, "пақ пек", "TD", min_stem=3)

# finite forms and converbs (word-final)
_add(VFIN, "ды ді", "VSLNZD")
_add(VFIN, "ты ті", "T")
_add(VFIN, "ады еді", "SLNZTD", test="pres")
_add(VFIN, "яды", "V", repl="й")  # қояды = қой + -ады
_add(VFIN, "йды йді", "V", test="yd")  # not ұлғай-ды, қой-ды
_add(VFIN, "иды иді", "SLNZTD", test="iy")  # оқиды = оқы + йды
_add(VFIN, "ып іп", "SLNZTD")
_add(VFIN, "п", "V", test="p")
_add(VFIN, "ыпты іпті", "SLNZTD")
_add(VFIN, "пты пті", "V", test="p")
_add(VFIN, "май мей", "VSL")
_add(VFIN, "бай бей", "NZ")
_add(VFIN, "пай пей", "TD")
_add(VFIN, "са се", test="cond")  # not тала-са (талас-а)
_add(VFIN, "сын сін", then=VOICE, test="sy")  # not -ма + -сын: бағдарламасын
_add(VFIN, "айық ейік", "SLNZTD", min_stem=3)
_add(VFIN, "йық йік", "V", min_stem=3)
_add(VFIN, "ыңыз іңіз", "SLNZTD")
_add(VFIN, "ғалы гелі ғанша генше", "VSLNZD")
_add(VFIN, "қалы келі қанша кенше", "T")
_add(VFIN, "а е", "SLNZTD", test="vroot")  # converb of a listed verb: бере, келе
_add(VFIN, "ар ер", "SLNZTD", test="listed")
_add(VFIN, "мас мес", "VSL", test="vroot")
_add(VFIN, "бас бес", "NZ", test="vroot")
_add(VFIN, "пас пес", "TD", test="vroot")

# present -а/-е/-й before a person ending (барамын, ойлаймын, оқимын, қоямыз)
_add(VPRES, "а е", "SLNZTD", test="pres")
_add(VPRES, "й", "V")
_add(VPRES, "и", "SLNZTD", test="iy")
_add(VPRES, "я", "V", repl="й")

# future and negative future before further endings (барармын, бармасқа)
_add(VFUT, "ар ер", "SLNZTD", test="listed")
_add(VFUT, "р", "V", test="vowelroot")
for _slot in (VFUT, VNEGF):
    _add(_slot, "мас мес", "VSL", then=VOICE)
    _add(_slot, "бас бес", "NZ", then=VOICE)
    _add(_slot, "пас пес", "TD", then=VOICE)

# negation
_add(NEG, "ма ме", "VSLN")
_add(NEG, "ба бе", "NZ")
_add(NEG, "па пе", "TD")

# passive voice (only with a verbal suffix after it)
# (and only where a verb root is left: not ауыл-ды, мысал-ды)
_add(VOICE, "ыл іл", "SLNZTD", test="voice")
_add(VOICE, "л", "V", min_stem=3, test="voice_l")  # жаса-л-ды, but бол-ды keeps its л
_add(VOICE, "ын ін", "L", test="voice")  # бөл-ін-ді, ал-ын-ған
_add(VOICE, "н", "V", min_stem=4, test="lan")  # жоспарла-н-ған, қабылда-н-ды

#: Rules switched on by a parameter (off by default).
_OPTIONAL: dict[str, list[tuple[int, str, str | None]]] = {
    "strip_agentive": [(VNF, "ушы уші", None)],
    "strip_past_1pl": [(PPERS, "дық дік", "VSLNZD"), (PPERS, "тық тік", "TD")],
}

#: Endings of longer verb stems (voice, causative) that take present -а/-е.
_VERB_STEM_ENDINGS = (
    "ыс", "іс", "ыр", "ір", "ғыз", "гіз", "қыз", "кіз", "ыт", "іт", "ет", "ат",
    "ыл", "іл", "ал", "ел", "ын", "ін", "ар", "ер", "ай", "ей", "ас", "ес",
    "лан", "лен", "дан", "ден", "йт", "рт",
)  # fmt: skip
#: ... and the surer ones, enough to strip a bare converb -а/-е.
_STRONG_VERB_STEM_ENDINGS = (
    "ыс", "іс", "ас", "ес", "дыр", "дір", "тыр", "тір", "ғыз", "гіз", "қыз", "кіз",
)  # fmt: skip


#: Stems at which stripping stops.
_STOP = PROTECTED | FUNCTION_WORDS | VERB_ROOTS | VOWEL_ROOTS | frozenset(ELISION.values())


#: Causative -т after a vowel or й/р (көрсет, нығайт, жақсарт, дамыт).
_CAUSATIVE_T = ("ет", "ат", "ыт", "іт", "йт", "рт")


def _legal_final_cluster(stem: str) -> bool:
    """Whether a one-syllable root may end the way ``stem`` does (``айт``, not ``ойл``)."""
    if len(stem) < 2 or _cls(stem[-2]) == V:
        return True
    return stem[-2:] in ("йт", "рт", "лт")


class KazakhStemmer:
    """Rule-based stemmer for Cyrillic Kazakh; see the module docstring.

    Parameters
    ----------
    min_stem:
        Fewest letters a stem keeps (a vowel among them). ``2`` keeps verb roots like
        ``ет``, ``де``, ``ал``.
    poss3_acc_min:
        Fewest letters left when a word-final possessive + accusative ``-ын/-ін`` comes
        off: ``3`` keeps ``орын``-like nouns of two letters + ``-ын`` whole, at the
        price of ``атын`` (ат + ``-ы-н``).
    strip_passive:
        Strip the passive ``-ыл/-іл/-л`` before a verbal suffix, as UD Kazakh lemmas do.
    strip_agentive:
        Strip the participle ``-ушы/-уші`` (``айтушы`` → ``айт``); off because nouns in
        ``-ушы`` (``оқушы``, ``қатысушы``) keep it in their lemma.
    strip_past_1pl:
        Strip the past 1st plural ``-дық/-тық`` (``бардық``); off because it is the
        derivational ``-дық/-тық`` far more often.
    repeat_on_verbs:
        Sweep again after a sweep that ended on a surely verbal suffix. That makes a
        verb meet its bare root even when the root ends like a case ending (``қолдау``
        → ``қолда`` → ``қол``, as ``қолда`` does), at the price of merging such verbs
        with the noun (``қол`` "hand"); off by default.
    cache_size:
        Distinct words remembered (the cache is emptied when full; 0 disables it).
    """

    def __init__(
        self,
        min_stem: int = 2,
        poss3_acc_min: int = 2,
        strip_passive: bool = True,
        strip_agentive: bool = False,
        strip_past_1pl: bool = False,
        repeat_on_verbs: bool = False,
        cache_size: int = 500_000,
    ) -> None:
        self.min_stem = min_stem
        self.poss3_acc_min = poss3_acc_min
        self.strip_passive = strip_passive
        self.strip_agentive = strip_agentive
        self.strip_past_1pl = strip_past_1pl
        self.repeat_on_verbs = repeat_on_verbs
        self.cache_size = cache_size
        self._cache: dict[str, str] = {}
        self._table: dict[str, list[_Rule]] | None = None
        self._trie: dict[str, Any] = {}

    def get_params(self) -> dict[str, Any]:
        """The parameters (recorded with coding runs)."""
        return {
            "min_stem": self.min_stem,
            "poss3_acc_min": self.poss3_acc_min,
            "strip_passive": self.strip_passive,
            "strip_agentive": self.strip_agentive,
            "strip_past_1pl": self.strip_past_1pl,
            "repeat_on_verbs": self.repeat_on_verbs,
        }

    def stem(self, word: str) -> str:
        """The stem (matching key) of one word; lower-cases it first."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = self._stem(word.lower())
        if self.cache_size:
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            self._cache[word] = result
        return result

    # -- internals -----------------------------------------------------------------------

    def _rules(self) -> dict[str, list[_Rule]]:
        if self._table is None:
            rules = list(_RULES)
            for name, extra in _OPTIONAL.items():
                if getattr(self, name):
                    for slot, suffixes, prev in extra:
                        prev_set = frozenset(prev) | {OTHER} if prev is not None else None
                        for suffix in suffixes.split():
                            harmony = _suffix_harmony(suffix)
                            then = _AFTER[slot]
                            rules.append(_Rule(suffix, slot, then, prev_set, harmony, 0, "", ""))
            if not self.strip_passive:
                rules = [r for r in rules if r.slot != VOICE]
            table: dict[str, list[_Rule]] = {}
            for rule in rules:
                table.setdefault(rule.suffix, []).append(rule)
            # the suffixes, read backwards, as a trie: a word's last letters lead to
            # the suffixes it ends in without slicing it at every length
            trie: dict[str, Any] = {}
            for suffix, found in table.items():
                node = trie
                for ch in reversed(suffix):
                    node = node.setdefault(ch, {})
                node[""] = found
            self._trie = trie
            self._table = table
        return self._table

    def _endings(self, word: str) -> list[tuple[int, list[_Rule]]]:
        """(length, rules) of the suffixes ``word`` ends in, longest first; at least
        one letter of ``word`` is left."""
        out = []
        node: dict[str, Any] = self._trie
        for i in range(len(word) - 1, 0, -1):
            child = node.get(word[i])
            if child is None:
                break
            node = child
            found = node.get("")
            if found is not None:
                out.append((len(word) - i, found))
        out.reverse()
        return out

    def _stem(self, word: str) -> str:
        if word in _STOP or _VOWELISH.isdisjoint(word):
            return word
        if word in IRREGULAR:
            return IRREGULAR[word]
        head, hyphen, tail = word.rpartition("-")
        if hyphen and head and tail:
            # an abbreviation with its endings (БҰҰ-ның → бұұ), else a compound whose
            # last part inflects (премьер-министрі → премьер-министр)
            if self._sweep(word)[0] == head:
                return head
            return f"{head}-{self._stem(tail)}"
        # sweep again until nothing changes; every word on the way has the same stem
        path = [word]
        for _ in range(6):
            new, verbal = self._sweep(word)
            if new == word or new in _STOP or (verbal and not self.repeat_on_verbs):
                word = new
                break
            known = self._cache.get(new)
            if known is not None:
                word = known
                break
            path.append(new)
            word = new
        if self.cache_size:
            for seen in path[1:]:
                self._cache[seen] = word
        return word

    def _sweep(self, word: str) -> tuple[str, bool]:
        """The best analysis of ``word``: its stem, and whether the innermost suffix
        taken off was surely verbal."""
        self._rules()
        _, stem, verbal = self._best(word, _START, 0, False)
        if stem != word or stem[-1:] in "бгғь":
            stem = _finish(stem, verbal)
        return stem, verbal

    def _best(
        self, word: str, allowed: int, depth: int, verbal: bool
    ) -> tuple[tuple[int, int, int], str, bool]:
        """Search the analyses of ``word``; score = (ends on a listed word, letters
        stripped, fewer steps)."""
        listed = 1 if depth and (word in _STOP or word in ELISION) else 0
        best: tuple[tuple[int, int, int], str, bool] = ((listed, 0, 0), word, verbal)
        if listed:  # stop here, unless present -а/-е goes on to a listed root (жаза-мын)
            allowed &= VPRES | VFUT
        if not allowed:
            return best
        for size, rules in self._endings(word):
            stem = word[:-size]
            then = -1
            slots = 0
            repl = ""
            for rule in rules:
                if rule.slot & allowed and self._fits(rule, stem, verbal):
                    then = max(then, 0) | rule.then
                    slots |= rule.slot
                    repl = rule.repl
            if then < 0:
                continue
            is_verbal = not slots & ~_VERBAL_SLOTS
            (listed, stripped, steps), found, found_verbal = self._best(
                stem + repl, then, depth + 1, is_verbal
            )
            score = (listed, stripped + size - len(repl), steps - 1)
            if score > best[0]:
                best = (score, found, found_verbal)
        return best

    def _fits(self, rule: _Rule, stem: str, after_verbal: bool = False) -> bool:
        """Whether ``rule`` may strip its suffix leaving ``stem``; ``after_verbal``:
        the suffix to its right was surely verbal (not ``-ды`` that may be a case)."""
        last = stem[-1]
        if last == "-":  # БҰҰ-ның, ҚР-дың: nominal endings after an abbreviation
            return bool(rule.slot & (CASE | POSS | PLUR)) and len(stem) >= 2
        if rule.prev is not None and _cls(last) not in rule.prev:
            return False
        if rule.harmony is not None:
            h = _last_harmony(stem)
            # loanwords in -к/-г take front endings (банкі, Йорктің)
            if h is not None and h != rule.harmony and not (h == "b" and last in "кг"):
                return False
        if stem not in ELISION and (
            len(stem) < max(rule.min_stem, self.min_stem) or _VOWELISH.isdisjoint(stem)
        ):
            return False
        test = rule.test
        if not test:
            return True
        if test == "poss3":
            return _poss3_fits(stem, rule.suffix, self.poss3_acc_min)
        if test == "sy":  # облыс-ы, not облы-сы; but басшы-сы, қаржы-сы, соңғы-сы
            return (
                last not in "ыі"
                or _agentive(stem)
                or stem in _STOP
                or not _poss3_fits(stem[:-1], last, 0)
            )
        if test == "stan":  # Қазақстан, Өзбекстан: not X + ablative -тан (but облыс-тан)
            return not (last == "с" and len(stem) >= 3 and _cls(stem[-2]) != V)
        if test == "pred":
            return _predicative(stem, rule.suffix)
        if test == "sg12":
            return _sg12_fits(stem)
        if test == "pres":
            return _present(stem, rule.suffix)
        if test == "iy":  # оқ-иды, but not самм-итын (саммит-ын)
            return len(stem) < 2 or stem[-1] != stem[-2]
        if test == "cond":
            return _cls(last) != V or stem in VOWEL_ROOTS or _converb_p(stem)
        if test == "atyn":
            return _listed_verb(stem) or (
                _syllables(stem) >= 2 and stem.endswith(_VERB_STEM_ENDINGS)
            )
        if test == "vroot":
            return _listed_verb(stem) or (
                _syllables(stem) >= 2 and stem.endswith(_STRONG_VERB_STEM_ENDINGS)
            )
        if test == "vowelroot":
            return stem in VOWEL_ROOTS
        if test == "listed":
            return _listed_verb(stem)
        if test == "yd":  # not ұлғай-ды, көбей-ді (past tenses), мұнай-ды (accusative)
            if stem + "й" in VERB_ROOTS:
                return False
            return stem in VOWEL_ROOTS or (_converb_p(stem) and stem[-2] not in "бгғ")
        if test == "p":
            return _converb_p(stem)
        if test == "u":
            return _verbal_noun_u(stem)
        if test == "lan":  # passive -н of -ла/-да/-та verbs
            return stem.endswith(("ла", "ле", "да", "де"))
        if test == "voice":  # бұр-ыл-ған, but not ауыл-ды, тәсіл-ді
            return _verb_like(stem) or (after_verbal and _syllables(stem) == 1)
        if test == "voice_l":  # after ы/і the passive is -ыл/-іл (оқ-ыл)
            return last in "ае" and (after_verbal or _verb_like(stem))
        raise AssertionError(test)  # pragma: no cover


def _finish(word: str, verbal: bool) -> str:
    """Undo the sound changes a removed suffix caused."""
    word = word.rstrip("-")
    full = ELISION.get(word)
    if full is not None:
        return full
    if word.endswith("ь"):  # король, королі
        word = word[:-1]
    last = word[-1:]
    if last in "бгғ" and len(word) >= 2:  # кітаб-ы → кітап, ағ-ады → ақ
        word = word[:-1] + {"б": "п", "г": "к", "ғ": "қ"}[last]
    elif verbal and last in "ыі" and len(word) >= 3 and _cls(word[-2]) != V and word not in _STOP:
        word = word[:-1]  # оқы-ды → оқ, as оқ-иды, оқ-у and оқ-ы (the bare root)
    return word


def _poss3_fits(stem: str, suffix: str, acc_min: int) -> bool:
    """The possessive ``-ы/-і`` (alone or before a case) after ``stem``.

    After ``ш``, ``ғ/г`` or ``қ/к`` that follow a consonant, ``-ы/-і`` belongs to a
    derivational suffix: ``-шы`` (``басшы``), adjectival ``-ғы/-қы`` (``соңғы``,
    ``сыртқы``, ``ішкі``); except in nouns that lost a vowel (``халқы``) and loanwords
    in ``-нк/-рк/-ск`` (``банкі``).
    """
    if stem in ELISION:
        return True
    if suffix in ("ын", "ін") and len(stem) < acc_min:
        return False
    if len(stem) >= 2 and stem[-1] == "ш" and _cls(stem[-2]) != V:
        return False  # айтушы, басшы
    if len(stem) >= 2 and _cls(stem[-2]) != V and stem[-2] not in "уи":  # округ-і
        if stem[-1] in "ғг":
            return stem.endswith("инг")  # рейтинг-і, not соң-ғы, күн-гі
        if stem[-1] in "қк":
            return stem[-2] in "нрс"
    return True


def _predicative(stem: str, suffix: str) -> bool:
    """A personal ending after a vowel: only after present ``-а/-е`` of a verb
    (``барамын``) or a noun in ``-шы/-ші`` (``оқушымын``); ``шешімін`` is шешім +
    ``-ін`` and ``көлемін`` көлем + ``-ін``. Before ``-мыз`` "we", which is also the
    possessive "our", the verb must be listed or causative (``қаламыз`` "our city",
    ``мәселеміз`` "our problem", but ``барамыз``, ``көрсетеміз``)."""
    last = stem[-1]
    if last == "у":  # форум-ын, not фору-мын
        return False
    if _cls(last) != V:
        return True
    if last in "ае":
        root = stem[:-1]
        if len(stem) < 3 or not _present(root, last):
            return False
        if suffix[:2] in ("мы", "мі"):
            return stem not in PROTECTED and (
                _listed_verb(root) or root.endswith(_STRONG_VERB_STEM_ENDINGS + _CAUSATIVE_T)
            )
        return True
    if last == "я":
        return True
    return _agentive(stem)


def _agentive(stem: str) -> bool:
    """Whether ``stem`` ends in the agentive ``-шы/-ші`` (``басшы``, ``оқушы``; not
    ``шеші``)."""
    return stem[-2:] in ("шы", "ші") and len(stem) >= 4 and _cls(stem[-3]) != V


def _sg12_fits(stem: str) -> bool:
    """1st/2nd person singular possessive ``-ым/-ың``: after a voiced ``б/г/ғ``
    (``кітабым``), or a longer stem that does not end like a verb (``білім``,
    ``келісім``, ``құрылым`` are nouns in ``-ым/-ім``)."""
    if _syllables(stem) < 2:
        return False
    if stem[-1] in "бгғ":
        return True
    return stem[-2:] not in (
        "ыл", "іл", "ыс", "іс", "ыр", "ір", "ын", "ін", "ал", "ел", "ай", "ей",
    )  # fmt: skip


def _present(stem: str, suffix: str) -> bool:
    """Whether ``stem`` + present ``-а/-е`` is likelier than ``stem+а`` + past."""
    if stem + suffix[0] in VOWEL_ROOTS:
        return False
    if _listed_verb(stem):
        return True
    n = _syllables(stem)
    if n >= 2:
        return stem.endswith(_VERB_STEM_ENDINGS)
    return suffix != "а" and suffix != "е" and n == 1 and _legal_final_cluster(stem)


def _listed_verb(stem: str) -> bool:
    """Whether ``stem`` is in :data:`VERB_ROOTS`, also with a final ``п к қ`` voiced
    before a vowel (``шығ-ады``, ``таб-ады``)."""
    if stem in VERB_ROOTS:
        return True
    last = stem[-1:]
    return last in "бгғ" and stem[:-1] + {"б": "п", "г": "к", "ғ": "қ"}[last] in VERB_ROOTS


def _verb_like(stem: str) -> bool:
    """Whether a passive may have stood on ``stem``: a listed root, a vowel-final
    ``-ла/-да/-та`` verb, or a consonant-final stem of two syllables or more."""
    if _listed_verb(stem) or stem in VOWEL_ROOTS:
        return True
    if _cls(stem[-1]) == V:
        return _converb_p(stem)
    return _syllables(stem) >= 2  # өзгер-іл-ді; not ауыл-ды, тәсіл-ді (one syllable left)


def _converb_p(stem: str) -> bool:
    """Whether ``-п`` after the vowel-final ``stem`` is the converb (``ойлап``), not the
    end of a noun (``кітап``, ``талап``, ``жауап``, ``себеп``)."""
    if stem in VOWEL_ROOTS:
        return True
    if len(stem) < 3:
        return False
    if stem[-2] in "уий" or _cls(stem[-2]) == V:  # жауап, ахуал
        return False
    if stem[-1] in "ыі":  # оқы-п, дамы-п
        return True
    if stem[-1] in "ае":
        before = stem[-2]
        if _cls(stem[-3]) != V and stem[-3] not in "уи":  # бас-та, ой-ла: a cluster
            return True
        # -ла/-ле after a vowel-final word of two letters or more: таза-ла-п
        return before == "л" and len(stem) >= 5
    return False


def _verbal_noun_u(stem: str) -> bool:
    """``-у`` is the verbal noun after a consonant (``бар-у``) or a vowel-final stem of
    three letters or more (``ойла-у``) or a listed one, never after another ``у``."""
    last = stem[-1]
    if last == "у":
        return stem in VERB_ROOTS  # ту-у, жу-у
    return _cls(last) != V or len(stem) >= 3 or stem in VOWEL_ROOTS  # де-у


_DEFAULT = KazakhStemmer()


def stem(word: str) -> str:
    """The stem of one Kazakh word with the default :class:`KazakhStemmer`.

    >>> stem("кітабымда"), stem("университеттерде"), stem("ынтымақтастығы")
    ('кітап', 'университет', 'ынтымақтастық')
    """
    return _DEFAULT.stem(word)
