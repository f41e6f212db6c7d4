"""The second built-in framework, `turkic-states` (issue #9), and its demo corpus.

The codebook is complete in the three interface languages and has parallel lexicons in
kk/ru/en/tr; the same sentence written in each of the four languages gets the same codes; the
shipped YAML is what its parts assemble to; and coding the illustrative corpus in
``demo/corpus-turkic`` gives the Organization of Turkic States the narratives and channels the
corpus was written to show.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import and_, func, select

from diplocode.codebook.io import BUILTIN, builtin_names, load_builtin, loads
from diplocode.codebook.model import UI_LANGUAGES, Codebook
from diplocode.coders.base import Segment
from diplocode.coders.lexicon import LexiconCoder
from diplocode.corpus.langid import DEFAULT_LANGUAGES
from diplocode.corpus.manifest import read_manifest
from diplocode.demo import build_demo_project, code_demo_project
from diplocode.store.schema import actors, codes, codings, source_actors

NAME = "turkic-states"
CORPUS = Path(__file__).resolve().parents[2] / "src" / "diplocode" / "demo" / "corpus-turkic"
LEXICON_LANGS = ("kk", "ru", "en", "tr")
OTS = "Organization of Turkic States"
ACTORS = {
    OTS,
    "Turkey",
    "Kazakhstan",
    "Azerbaijan",
    "Uzbekistan",
    "Kyrgyzstan",
    "Hungary",
    "Turkmenistan",
}

#: The same sentence in four languages, and the codes each version must get (no more, no less).
PARALLEL: list[tuple[set[str], dict[str, str]]] = [
    (
        {"common_historical_code"},
        {
            "en": "The leaders recalled the common roots and shared history of the Turkic world.",
            "ru": "Лидеры напомнили об общих корнях и общей истории тюркского мира.",
            "kk": "Көшбасшылар түркі әлемінің ортақ тамыры мен ортақ тарихын еске салды.",
            "tr": "Liderler Türk dünyasının ortak köklerini ve ortak tarihini hatırlattı.",
        },
    ),
    (
        {"turkic_unity"},
        {
            "en": "The presidents spoke of Turkic unity and of brotherly peoples.",
            "ru": "Президенты говорили о тюркском единстве и о братских народах.",
            "kk": "Президенттер түркі бірлігі мен бауырлас халықтар туралы айтты.",
            "tr": "Cumhurbaşkanları Türk birliğinden ve kardeş halklardan söz etti.",
        },
    ),
    (
        {"common_historical_code", "spiritual_capital"},
        {
            "en": "Turkistan, the city of Khoja Ahmed Yasawi, is the spiritual capital of the Turkic world.",
            "ru": "Туркестан, город Ходжи Ахмеда Ясави, является духовной столицей тюркского мира.",
            "kk": "Қожа Ахмет Ясауидің қаласы Түркістан — түркі әлемінің рухани астанасы.",
            "tr": "Hoca Ahmed Yesevi'nin şehri Türkistan, Türk dünyasının manevi başkentidir.",
        },
    ),
    (
        {"digital_ai_agenda"},
        {
            "en": "The members will cooperate on artificial intelligence and digital transformation.",
            "ru": "Члены будут сотрудничать в области искусственного интеллекта и цифровой трансформации.",
            "kk": "Мүшелер жасанды интеллект пен цифрлық трансформация саласында ынтымақтасады.",
            "tr": "Üyeler yapay zekâ ve dijital dönüşüm alanında iş birliği yapacak.",
        },
    ),
    (
        {"shared_development"},
        {
            "en": "The Middle Corridor will increase mutual trade.",
            "ru": "Средний коридор увеличит взаимную торговлю.",
            "kk": "Орта дәліз өзара сауданы арттырады.",
            "tr": "Orta Koridor karşılıklı ticareti artıracak.",
        },
    ),
    (
        {"sovereignty_multivector"},
        {
            "en": "Our cooperation respects the sovereignty of each member and is not directed against third countries.",
            "ru": "Наше сотрудничество уважает суверенитет каждого члена и не направлено против третьих стран.",
            "kk": "Біздің ынтымақтастығымыз әр мүшенің егемендігін құрметтейді және үшінші елдерге қарсы бағытталмаған.",
            "tr": "Bu iş birliği her üyenin egemenliğine saygı duyar ve üçüncü ülkelere karşı değildir.",
        },
    ),
    (
        {"common_historical_code", "turksoy"},
        {
            "en": "TÜRKSOY named the city the cultural capital of the Turkic world.",
            "ru": "ТЮРКСОЙ объявил город культурной столицей тюркского мира.",
            "kk": "ТҮРКСОЙ қаланы түркі әлемінің мәдени астанасы деп жариялады.",
            "tr": "TÜRKSOY şehri Türk dünyası kültür başkenti ilan etti.",
        },
    ),
    (
        {"turkic_academy"},
        {
            "en": "The International Turkic Academy brought together Turkologists.",
            "ru": "Международная тюркская академия собрала тюркологов.",
            "kk": "Халықаралық Түркі академиясы түркологтарды жинады.",
            "tr": "Uluslararası Türk Akademisi Türkologları bir araya getirdi.",
        },
    ),
    (
        {"education_mobility"},
        {
            "en": "The Orkhun programme supports academic mobility.",
            "ru": "Программа «Орхун» поддерживает академическую мобильность.",
            "kk": "«Орхун» бағдарламасы академиялық ұтқырлықты қолдайды.",
            "tr": "Orhun Değişim Programı akademik hareketliliği destekliyor.",
        },
    ),
    (
        {"common_alphabet_terminology"},
        {
            "en": "The commission approved a common alphabet based on Latin script.",
            "ru": "Комиссия одобрила общий алфавит на основе латинской графики.",
            "kk": "Комиссия латын графикасы негізіндегі ортақ әліпбиді мақұлдады.",
            "tr": "Komisyon Latin harflerine dayanan ortak alfabeyi onayladı.",
        },
    ),
    (
        {"media_information"},
        {
            "en": "The media forum discussed a joint TV channel.",
            "ru": "Медиафорум обсудил совместный телеканал.",
            "kk": "Медиафорум бірлескен телеарнаны талқылады.",
            "tr": "Medya forumu ortak televizyon kanalını ele aldı.",
        },
    ),
    (
        {"parliamentary_assembly"},
        {
            "en": "TURKPA held a session on parliamentary cooperation.",
            "ru": "ТюркПА провела сессию по парламентскому сотрудничеству.",
            "kk": "ТүркПА парламенттік ынтымақтастық жөнінде сессия өткізді.",
            "tr": "TÜRKPA parlamenter iş birliği üzerine bir oturum düzenledi.",
        },
    ),
    (
        {"heritage_foundation"},
        {
            "en": "The Turkic Culture and Heritage Foundation funds the restoration of monuments.",
            "ru": "Фонд тюркской культуры и наследия финансирует реставрацию памятников.",
            "kk": "Түркі мәдениеті және мұрасы қоры ескерткіштерді қалпына келтіруді қаржыландырады.",
            "tr": "Türk Kültür ve Miras Vakfı anıtların restorasyonunu finanse ediyor.",
        },
    ),
    (
        {"summits_declarations"},
        {
            "en": "The heads of state adopted the Turkistan Declaration at the summit.",
            "ru": "Главы государств приняли Туркестанскую декларацию на саммите.",
            "kk": "Мемлекет басшылары саммитте Түркістан декларациясын қабылдады.",
            "tr": "Devlet başkanları zirvede Türkistan Bildirgesi'ni kabul etti.",
        },
    ),
    (
        {"cultural_elites", "youth_students"},
        {
            "en": "Students and young people met writers and poets.",
            "ru": "Студенты и молодёжь встретились с писателями и поэтами.",
            "kk": "Студенттер мен жастар жазушылар және ақындармен кездесті.",
            "tr": "Öğrenciler ve gençler yazarlar ve şairlerle buluştu.",
        },
    ),
    (
        {"identity_building", "trust"},
        {
            "en": "Such exchanges build mutual trust and a common identity.",
            "ru": "Такие обмены укрепляют взаимное доверие и общую идентичность.",
            "kk": "Мұндай алмасулар өзара сенім мен ортақ бірегейлікті нығайтады.",
            "tr": "Bu tür değişimler karşılıklı güveni ve ortak kimliği güçlendirir.",
        },
    ),
    (
        {"constraint.implementation_gap", "constraint.turkey_centrism"},
        {
            "en": "Critics warn of Turkish dominance, and many decisions remain on paper.",
            "ru": "Критики предупреждают о турецком доминировании, а многие решения остаются на бумаге.",
            "kk": "Сыншылар түрік үстемдігі туралы ескертеді, ал көптеген шешімдер қағаз жүзінде қалып отыр.",
            "tr": "Eleştirmenler Türk baskınlığı konusunda uyarıyor ve birçok karar kâğıt üzerinde kalıyor.",
        },
    ),
    (
        {"constraint.great_power_balance"},
        {
            "en": "The members take into account the sensitivities of Russia and China.",
            "ru": "Члены учитывают чувствительность России и Китая.",
            "kk": "Мүшелер Ресей мен Қытайдың сезімталдығын ескереді.",
            "tr": "Üyeler Rusya ve Çin'in hassasiyetlerini dikkate alıyor.",
        },
    ),
    (
        {"constraint.language_divergence", "strength.cultural_affinity"},
        {
            "en": "Linguistic affinity helps, but different alphabets remain a language barrier.",
            "ru": "Языковая близость помогает, но разные алфавиты остаются языковым барьером.",
            "kk": "Тілдік жақындық көмектеседі, бірақ әртүрлі әліпбилер тілдік кедергі болып қалады.",
            "tr": "Dil yakınlığı yardımcı oluyor, ancak farklı alfabeler bir dil engeli olmaya devam ediyor.",
        },
    ),
    (
        {"bargaining_capacity", "strength.summit_momentum", "summits_declarations"},
        {
            "en": "The summit gave cooperation new impetus and more bargaining power.",
            "ru": "Саммит придал сотрудничеству новый импульс и больше переговорной силы.",
            "kk": "Саммит ынтымақтастыққа жаңа серпін мен көбірек келіссөз күшін берді.",
            "tr": "Zirve iş birliğine yeni ivme ve daha fazla pazarlık gücü kazandırdı.",
        },
    ),
]


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_builtin(NAME)


@pytest.fixture(scope="module")
def coder(codebook: Codebook) -> LexiconCoder:
    return LexiconCoder(codebook).fit()


# -- the codebook ---------------------------------------------------------------------------


def test_builtin_loads_with_its_name_and_five_dimensions(codebook: Codebook) -> None:
    assert NAME in builtin_names()
    assert codebook.name == NAME and codebook.version == "1.0.0"
    assert [d.key for d in codebook.dimensions] == [
        "legitimacy",
        "channel",
        "audience",
        "effect",
        "assessment",
    ]
    for field in (codebook.title, codebook.description):
        assert set(UI_LANGUAGES) <= set(field)
    keys = {c.key for c in codebook.codes()}
    assert {"common_historical_code", "turkic_unity", "spiritual_capital"} <= keys
    assert {"turksoy", "turkic_academy", "summits_declarations"} <= keys


def test_shipped_yaml_is_what_the_parts_assemble_to(codebook: Codebook) -> None:
    """Like scripts/build_codebook.py: header, dimension files, tables, in name order."""
    data: dict = {}
    for part in sorted((BUILTIN / f"{NAME}.parts").glob("*.yaml")):
        content = yaml.safe_load(part.read_text(encoding="utf-8"))
        dims = content.pop("dimensions", [])
        data.update(content)
        data.setdefault("dimensions", []).extend(dims)
    assembled = loads(yaml.safe_dump(data, allow_unicode=True), "parts")
    assert assembled.content_hash() == codebook.content_hash(), (
        "run: .venv/bin/python scripts/build_codebook.py turkic-states"
    )


def test_models_table_layout(codebook: Codebook) -> None:
    layout = codebook.layout()
    assert layout.declared
    assert set(UI_LANGUAGES) <= set(layout.title)
    columns = {c.key: c for c in layout.columns}
    assert list(columns) == [
        "narrative",
        "channels",
        "audiences",
        "effects",
        "strengths",
        "constraints",
    ]
    for column in layout.columns:
        assert set(UI_LANGUAGES) <= set(column.title), column.key
        assert column.codes, column.key
    assert all(k.startswith("strength.") for k in columns["strengths"].codes)
    assert all(k.startswith("constraint.") for k in columns["constraints"].codes)
    assert len(columns["strengths"].codes) == 3 and len(columns["constraints"].codes) == 4
    assert set(layout.colours) == {d.key for d in codebook.dimensions}
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in layout.colours.values())
    assert [m.date[:4] for m in layout.milestones] == [
        "2009",
        "2021",
        "2024",
        "2024",
        "2025",
        "2026",
    ]
    for milestone in layout.milestones:
        assert set(UI_LANGUAGES) <= set(milestone.label), milestone.date
    assert layout.heatmaps and layout.trends


def test_every_dimension_and_code_is_complete_in_en_ru_kk(codebook: Codebook) -> None:
    for dim in codebook.dimensions:
        for field in ("label", "indicator", "question"):
            assert set(UI_LANGUAGES) <= set(getattr(dim, field)), (dim.key, field)
        for code in dim.codes:
            assert re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*", code.key)
            for field in ("label", "definition", "include", "exclude"):
                value = getattr(code, field)
                missing = set(UI_LANGUAGES) - {lang for lang, text in value.items() if text}
                assert not missing, (code.key, field, missing)
            assert {e.lang for e in code.examples} >= set(UI_LANGUAGES), code.key
    assessment = [c.key for c in codebook.dimensions[-1].codes]
    assert all(k.startswith(("strength.", "constraint.")) for k in assessment)


def test_every_code_has_eight_lexicon_entries_in_kk_ru_en_tr(codebook: Codebook) -> None:
    short = [
        (code.key, lang, len(code.lexicon.get(lang, [])))
        for code in codebook.codes()
        for lang in LEXICON_LANGS
        if len(code.lexicon.get(lang, [])) < 8
    ]
    assert not short


def test_each_example_gets_its_own_code(codebook: Codebook, coder: LexiconCoder) -> None:
    misses = []
    for code in codebook.codes():
        for ex in code.examples:
            got = {
                s.code for s in coder.predict([Segment(None, 1, 0, len(ex.text), ex.lang, ex.text)])
            }
            if code.key not in got:
                misses.append((code.key, ex.lang, ex.text))
    assert not misses


def test_enough_parallel_sentences_cover_every_dimension(codebook: Codebook) -> None:
    assert len(PARALLEL) >= 12
    dimension_of = codebook.dimension_of()
    covered = {dimension_of[c] for expected, _ in PARALLEL for c in expected}
    assert covered == {d.key for d in codebook.dimensions}
    assert all(set(texts) == set(LEXICON_LANGS) for _, texts in PARALLEL)


@pytest.mark.parametrize(("expected", "texts"), PARALLEL, ids=[sorted(e)[0] for e, _ in PARALLEL])
def test_parallel_sentence_gets_the_same_codes_in_every_language(
    coder: LexiconCoder, expected: set[str], texts: dict[str, str]
) -> None:
    got = {
        lang: {s.code for s in coder.predict([Segment(None, 1, 0, len(text), lang, text)])}
        for lang, text in texts.items()
    }
    assert got == dict.fromkeys(texts, expected)


# -- the demo corpus ------------------------------------------------------------------------


def test_demo_manifest_parses_without_errors() -> None:
    parsed = read_manifest(CORPUS / "manifest.csv", DEFAULT_LANGUAGES)
    assert parsed.errors == []
    assert 18 <= len(parsed.rows) <= 24
    with (CORPUS / "manifest.csv").open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["path", "title", "actors", "group", "date", "lang"]
    langs = Counter(r.meta.language for r in parsed.rows)
    assert set(langs) == set(LEXICON_LANGS) and min(langs.values()) >= 4
    assert {r.meta.group for r in parsed.rows} == {"official", "academic", "analytical", "media"}
    years = [r.meta.date[0] for r in parsed.rows]
    assert min(years) == 2009 and max(years) == 2026
    names = {name for r in parsed.rows for name, _ in r.meta.actors}
    assert names == ACTORS
    # analyses written by others: the OTS (and Turkey) only as subjects
    outside = [r for r in parsed.rows if all(role == "subject" for _, role in r.meta.actors)]
    assert outside and all((OTS, "subject") in r.meta.actors for r in outside)


def test_demo_texts_are_short_illustrations() -> None:
    texts = sorted(CORPUS.glob("*.txt"))
    listed = {r.path.name for r in read_manifest(CORPUS / "manifest.csv", DEFAULT_LANGUAGES).rows}
    assert {p.name for p in texts} == listed
    for path in texts:
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first.startswith("[") and "diplocode" in first, path.name
        words = len(re.findall(r"\w+", text.split("\n", 1)[1]))
        assert 150 <= words <= 400, (path.name, words)
    assert "not quotations" in (CORPUS / "ABOUT").read_text(encoding="utf-8")


def test_coded_demo_corpus_shows_the_ots_model(db_url: str) -> None:
    project, results = build_demo_project(db_url, corpus=CORPUS)
    try:
        assert [r for r in results if r.status != "added"] == []
        version_id, _ = project.import_codebook(load_builtin(NAME))
        assert project.codebook()[0] == version_id
        summary = code_demo_project(project)
        assert summary.sources_coded == len(results)
        query = (
            select(codes.c.dimension, codes.c.key, func.count())
            .select_from(codings)
            .join(codes, codes.c.id == codings.c.code_id)
            .join(
                source_actors,
                and_(
                    source_actors.c.source_id == codings.c.source_id,
                    source_actors.c.role == "author",
                ),
            )
            .join(actors, actors.c.id == source_actors.c.actor_id)
            .where(actors.c.name == OTS, codings.c.codebook_version_id == version_id)
            .group_by(codes.c.dimension, codes.c.key)
        )
        with project.store.read() as conn:
            counts: dict[str, Counter[str]] = {}
            for dimension, key, n in conn.execute(query):
                counts.setdefault(dimension, Counter())[key] = int(n)
    finally:
        project.close()
    legitimacy = counts["legitimacy"].most_common()
    assert legitimacy[0][0] in {"common_historical_code", "turkic_unity"}, legitimacy
    top_channels = {key for key, _ in counts["channel"].most_common(3)}
    assert top_channels == {"summits_declarations", "turksoy", "turkic_academy"}, counts["channel"]
