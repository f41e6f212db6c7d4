"""Paragraph and sentence segmentation: examples per language, and span invariants."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplocode.corpus.segment import paragraphs, sentences
from diplocode.errors import DiplocodeError


def split(text: str, lang: str | None) -> list[str]:
    return [text[s:e] for s, e in sentences(text, 0, len(text), lang)]


def paras(text: str, blocks: list[tuple[int, int]] | None = None) -> list[str]:
    return [text[s:e] for s, e in paragraphs(text, blocks)]


def non_space(text: str) -> str:
    return "".join(c for c in text if not c.isspace())


def assert_spans(text: str, spans: list[tuple[int, int]], lo: int, hi: int) -> None:
    """Ordered, non-overlapping, trimmed, inside [lo, hi), covering all non-whitespace."""
    prev = lo
    for s, e in spans:
        assert prev <= s < e <= hi, (spans, lo, hi)
        assert not text[s].isspace() and not text[e - 1].isspace()
        prev = e
    assert "".join(non_space(text[s:e]) for s, e in spans) == non_space(text[lo:hi])


# --- sentences: languages ---------------------------------------------------------------


def test_english_abbreviations_and_acronyms() -> None:
    text = "Mr. Smith met Dr. Jones in the U.S. on Monday. They agreed. Really?"
    assert split(text, "en") == [
        "Mr. Smith met Dr. Jones in the U.S. on Monday.",
        "They agreed.",
        "Really?",
    ]


def test_russian_abbreviations_initials_and_years() -> None:
    text = (
        "Встреча прошла в г. Астане, т.е. в столице. Н. Назарбаев выступил с речью. "
        "В 2015 г. было подписано соглашение."
    )
    assert split(text, "ru") == [
        "Встреча прошла в г. Астане, т.е. в столице.",
        "Н. Назарбаев выступил с речью.",
        "В 2015 г. было подписано соглашение.",
    ]


def test_kazakh() -> None:
    text = (
        "Қ.Тоқаев 2019 ж. президент болды. Бұл маңызды оқиға! Ынтымақтастық т.б. салаларда дамиды."
    )
    assert split(text, "kk") == [
        "Қ.Тоқаев 2019 ж. президент болды.",
        "Бұл маңызды оқиға!",
        "Ынтымақтастық т.б. салаларда дамиды.",
    ]


def test_chinese_without_spaces() -> None:
    text = "中国与中亚国家加强人文交流。双方同意扩大留学生规模！这是否意味着新的合作？"
    assert split(text, "zh") == [
        "中国与中亚国家加强人文交流。",
        "双方同意扩大留学生规模！",
        "这是否意味着新的合作？",
    ]


def test_chinese_semicolons_do_not_split_closing_quotes_stay() -> None:
    text = "我们坚持和平发展；我们反对霸权主义。他说：“合作共赢！”双方表示赞同!好的"
    assert split(text, "zh") == [
        "我们坚持和平发展；我们反对霸权主义。",
        "他说：“合作共赢！”",
        "双方表示赞同!",
        "好的",
    ]


def test_cjk_full_stops_split_in_any_language() -> None:
    assert split("The text reads 和平。发展。", "en") == ["The text reads 和平。", "发展。"]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("tr", "Türkiye 70. Genel Kurul'da konuştu. Dr. Ahmet Bey geldi.", 2),
        ("tr", "Ekonomi, tarım vb. Yeni alanlar açıldı.", 2),
        ("uz", "Paxta, g'alla va boshq. Yangi sohalar rivojlandi.", 2),
        ("ky", "Соода, билим берүү ж.б. Жаңы тармактар өнүктү.", 2),
        ("tg", "Пахта, ғалла ва ғ. Соҳаҳои нав рушд ёфтанд.", 2),
        ("tk", "Pagta, bugdaý b.ş.m. Täze pudaklar ösdi.", 2),
        ("tk", "Prof. Annaýew çykyş etdi. Soň maslahat boldy.", 2),
    ],
)
def test_other_languages(lang: str, text: str, expected: int) -> None:
    assert len(split(text, lang)) == expected


def test_union_of_languages_when_lang_is_none() -> None:
    text = "Mr. Smith met г-н Иванов, т.е. the envoy. Then they left. Қ. Тоқаев spoke."
    assert split(text, None) == [
        "Mr. Smith met г-н Иванов, т.е. the envoy.",
        "Then they left.",
        "Қ. Тоқаев spoke.",
    ]


def test_unknown_language_is_a_coded_error() -> None:
    with pytest.raises(DiplocodeError) as info:
        sentences("A. B.", 0, 5, "xx")
    assert info.value.code == "E024"


# --- sentences: punctuation --------------------------------------------------------------


def test_quotes_brackets_and_ellipsis() -> None:
    text = 'He said: "We will come." Then he left... Nobody knew why?! «Да.» (See p. 5.) The end.'
    assert split(text, "en") == [
        'He said: "We will come."',
        "Then he left...",
        "Nobody knew why?!",
        "«Да.»",
        "(See p. 5.)",
        "The end.",
    ]


def test_ellipsis_before_lower_case_and_dialogue_dashes_do_not_split() -> None:
    assert len(split("He paused… and went on. Wait... what?", "en")) == 2
    text = "Мы придём! — сказал он. «Хорошо…» — ответила она."
    assert split(text, "ru") == ["Мы придём! — сказал он.", "«Хорошо…» — ответила она."]


def test_decimals_dates_and_numbers() -> None:
    text = (
        "Growth was 3.5 per cent. On 28.09.2015 the summit opened. Resolution No. 1325 "
        "was cited. Our answer is no. We refuse, etc. The talks ended at 10 a.m. Then lunch."
    )
    assert split(text, "en") == [
        "Growth was 3.5 per cent.",
        "On 28.09.2015 the summit opened.",
        "Resolution No. 1325 was cited.",
        "Our answer is no.",
        "We refuse, etc.",
        "The talks ended at 10 a.m.",
        "Then lunch.",
    ]


def test_final_abbreviations_and_units_in_russian() -> None:
    text = "Объём составил 5 млрд. Кроме того, рост и т. д. Затем всё. В XX в. Россия изменилась."
    assert split(text, "ru") == [
        "Объём составил 5 млрд.",
        "Кроме того, рост и т. д.",
        "Затем всё.",
        "В XX в. Россия изменилась.",
    ]


def test_list_labels_colons_and_lower_case_do_not_split() -> None:
    text = "1. Introduction of the item. 2. Second: the rest; more. IV. Reform. e.g. this one."
    assert split(text, "en") == [
        "1. Introduction of the item.",
        "2. Second: the rest; more.",
        "IV. Reform. e.g. this one.",
    ]


def test_newlines_count_as_whitespace_and_offsets_are_absolute() -> None:
    text = "Title\n\nFirst line of a\nsentence. Second\nsentence.\n"
    (p1, p2) = paragraphs(text)
    spans = sentences(text, *p2, "en")
    assert [text[s:e] for s, e in spans] == ["First line of a\nsentence.", "Second\nsentence."]
    assert spans[0][0] == text.index("First")
    assert sentences(text, *p1, "en") == [(0, 5)]


def test_untrimmed_and_empty_spans() -> None:
    text = "  One. Two.  "
    assert sentences(text, 0, len(text), "en") == [(2, 6), (7, 11)]
    assert sentences(text, 0, 2, "en") == []
    assert sentences("", 0, 0, "en") == []
    with pytest.raises(DiplocodeError) as info:
        sentences(text, 3, 99, "en")
    assert info.value.code == "E060"


# --- paragraphs ----------------------------------------------------------------------------


def test_blank_lines_separate_paragraphs() -> None:
    text = "\n  First paragraph.  \n \t \nSecond paragraph.\n\n\n\nThird.\n"
    assert paras(text) == ["First paragraph.", "Second paragraph.", "Third."]


def test_one_paragraph_per_line_when_lines_are_long() -> None:
    long1 = "Seventy years ago the United Nations was founded. " * 4
    long2 = "It has carried humankind's hope for a new future and ushered in a new era. " * 3
    text = f"{long1.strip()}\n{long2.strip()}\nThank you.\nWe agree.\n"
    assert paras(text) == [long1.strip(), long2.strip(), "Thank you.", "We agree."]


def test_long_lines_keep_a_break_inside_a_sentence() -> None:
    long1 = "The Organization has carried the hope of humankind for a better future " * 3
    text = f"{long1}and ushered in a new\nera of cooperation. It was a pioneering initiative."
    assert len(paras(text)) == 1


def test_chinese_lines_broken_inside_a_sentence_are_joined() -> None:
    # Web exports put links on lines of their own; headings stay separate.
    body = "我们坚持和平发展，推动构建人类命运共同体。" * 8
    linked = (
        "我们第一届全国人民代表大会第一次会议，在听了刘少奇同志\n关于宪法草案的报告\n"
        "并进行了讨论以后，通过了我们国家的根本法——\n中华人民共和国宪法\n，接着又通过了法律。"
    )
    text = f"政府工作报告\n各位代表：\n{body}\n二、工作任务\n{body}\n{linked}\n{body}"
    assert paras(text) == ["政府工作报告", "各位代表：", body, "二、工作任务", body, linked, body]


def test_hard_wrapped_text_is_joined() -> None:
    text = (
        "First of all, allow me to congratulate my\n"
        "colleague, Minister for Foreign Affairs of Portugal,\n"
        "Professor Diogo Freitas Do Amaral, on the occasion of\n"
        "his election to the high post of the President of the\n"
        "General Assembly.\n"
        "Each of the 50 sessions of the General Assembly has\n"
        "been a step for the international community on a difficult\n"
        "road in search of peace within itself. We welcome it.\n"
    )
    out = paras(text)
    assert len(out) == 2
    assert out[0].startswith("First of all") and out[0].endswith("General Assembly.")
    assert out[1].startswith("Each of the 50") and out[1].endswith("We welcome it.")


def test_hard_wrapped_lists_headings_and_indents() -> None:
    text = (
        "INTRODUCTION\n"
        "The Government has adopted the following measures to\n"
        "strengthen regional cooperation in Central Asia:\n"
        "1. a common energy market for the region and its\n"
        "neighbours;\n"
        "- joint water management.\n"
        "   Next, we turn to the question of trade and transit\n"
        "routes across the Caspian Sea and beyond.\n"
    )
    out = paras(text)
    assert out[0] == "INTRODUCTION"
    assert out[1].endswith("Central Asia:")
    assert out[2] == "1. a common energy market for the region and its\nneighbours;"
    assert out[3] == "- joint water management."
    assert out[4].startswith("Next, we turn")
    assert len(out) == 5


def test_mixed_long_lines_and_hard_wrapped_lines() -> None:
    long1 = "176. In Rhodesia, time may be running out for the possibilities of diplomacy. " * 3
    wrapped = (
        "177. On Cyprus, an opportunity now exists to help the\n"
        "two communities narrow their differences and achieve a\n"
        "just and lasting solution to this long-standing problem. The\n"
        "United Nations has done a commendable job of nurturing\n"
        "an atmosphere which should now make possible productive\n"
        "intercommunal negotiations."
    )
    long2 = "178. In this Hemisphere, we must respond to the agony of those caught up. " * 3
    text = f"{long1.strip()}\n{wrapped}\n{long2.strip()}\n{wrapped}"
    assert paras(text) == [long1.strip(), wrapped, long2.strip(), wrapped]


def test_salutations_stay_separate_in_one_paragraph_per_line_text() -> None:
    body = "The theme of today's debate accurately reflects the current alarming situation. " * 3
    text = f"Mr. President,\nColleagues,\n{body.strip()}\nMr. President,\n{body.strip()}"
    assert paras(text) == [
        "Mr. President,",
        "Colleagues,",
        body.strip(),
        "Mr. President,",
        body.strip(),
    ]


def test_blocks_from_the_reader() -> None:
    text = "Heading\n\nA paragraph\nwith a soft break.\n\nPart one.\n\nPart two."
    blocks = [(0, 7), (9, 39), (41, 61)]
    assert paras(text, blocks) == [
        "Heading",
        "A paragraph\nwith a soft break.",
        "Part one.",
        "Part two.",
    ]


def test_blocks_gaps_overlaps_and_errors() -> None:
    text = "One. Two.\nloose text\nThree."
    # Unsorted, overlapping blocks; text outside every block still gets covered.
    out = paragraphs(text, [(10, 20), (0, 9), (5, 9)])
    assert [text[s:e] for s, e in out] == ["One. Two.", "loose text", "Three."]
    assert paragraphs("", []) == []
    with pytest.raises(DiplocodeError) as info:
        paragraphs(text, [(5, 2)])
    assert info.value.code == "E060"


def test_empty_and_blank_text() -> None:
    assert paragraphs("") == []
    assert paragraphs(" \n\t\n ") == []


# --- properties ---------------------------------------------------------------------------

_ALPHABET = "aAbZz ЫыҚқәӘ中国和平 .!?…,;:«»“”\"'()—-–12 \n\n\t\u00a0\u3000。！？；」’"
_PIECES = [
    "Mr.", "Dr.", "U.S.", "т.е.", "г.", "т. д.", "Н.", "2015", "3.5", "28.09.2015", "etc.",
    "No.", "va boshq.", "1.", "IV.", "Тоқаев", "the", "The", "中国", "。", "...", "?!", " ",
    "\n", "\n\n", "  \n ", "»", "«", "— ", "x" * 160, "Word " * 40, "\u2028",
]  # fmt: skip
texts = st.one_of(
    st.text(alphabet=_ALPHABET, max_size=300),
    st.lists(st.sampled_from(_PIECES), max_size=60).map("".join),
    st.text(max_size=80),
)
languages = st.sampled_from([None, "en", "ru", "kk", "zh", "tr", "ky", "uz", "tg", "tk"])


@settings(max_examples=300, deadline=None)
@given(texts)
def test_paragraph_spans_cover_the_text(text: str) -> None:
    assert_spans(text, paragraphs(text), 0, len(text))


@settings(max_examples=200, deadline=None)
@given(texts, st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_paragraph_spans_with_blocks_cover_the_text(text: str, cuts: list[int]) -> None:
    points = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    blocks = list(itertools.pairwise(points))
    assert_spans(text, paragraphs(text, blocks), 0, len(text))


@settings(max_examples=300, deadline=None)
@given(texts, languages)
def test_sentence_spans_cover_each_paragraph(text: str, lang: str | None) -> None:
    for s, e in paragraphs(text):
        assert_spans(text, sentences(text, s, e, lang), s, e)


@settings(max_examples=100, deadline=None)
@given(texts, languages, st.integers(0, 50), st.integers(0, 50))
def test_sentence_spans_of_any_slice(text: str, lang: str | None, a: int, b: int) -> None:
    lo, hi = sorted((min(a, len(text)), min(b, len(text))))
    assert_spans(text, sentences(text, lo, hi, lang), lo, hi)


# --- real documents ---------------------------------------------------------------------------


@pytest.mark.shared_data
def test_un_speeches_segment_cleanly(shared_data: Path) -> None:
    folder = shared_data / "ungdc_9countries" / "txt"
    for name, lang in [
        ("CHN_70_2015.txt", "en"),
        ("RUS_50_1995.txt", "en"),
        ("KAZ_60_2005.txt", None),
    ]:
        text = (folder / name).read_text(encoding="utf-8")
        paras_ = paragraphs(text)
        assert_spans(text, paras_, 0, len(text))
        assert 10 < len(paras_) < text.count("\n")  # neither one blob nor one per line
        n_sentences = 0
        for s, e in paras_:
            spans = sentences(text, s, e, lang)
            assert_spans(text, spans, s, e)
            n_sentences += len(spans)
        assert n_sentences > 2 * len(paras_)
