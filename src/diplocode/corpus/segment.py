"""Paragraph and sentence segmentation.

Both functions return ``[start, end)`` spans into the *unchanged* text: code-point
offsets, trimmed (a span starts at a non-whitespace character and ends right after one),
in order, non-overlapping, and together they cover every non-whitespace character
exactly once. Nothing is ever copied with changed text.

Paragraphs
----------
When the reader knows the paragraphs (DOCX, ODT, HTML blocks) they are used as they
are, split further only at blank lines inside a block. Otherwise blank lines always
separate paragraphs, and each single newline is judged on its own, so that a TXT with
one paragraph per line, a hard-wrapped TXT and a document mixing both all come out
right. The text *wraps* when at least a quarter of its lines (and at least three) look
hard-wrapped: at most :data:`LONG_LINE` (150) characters, at least 60 % of the typical
width (90th percentile of those lines, at least 40), and stopping mid-sentence. Then:

* A line ending a sentence (``. ! ? …``, maybe with closing quotes) ends its paragraph
  when it is long or the text does not wrap (one paragraph per line). In wrapping text
  it ends the paragraph only if it is visibly short (the next line's first word would
  have fitted within the typical width) or the next line is more indented.
* A line ending with ``. ! ? … : ;`` always ends its paragraph before a list item
  (``-``, ``•``, ``1.``, ``2)``, ``(a)``, ``IV.``) or an all-capitals heading.
* A line stopping mid-sentence continues in the next line when it looks wrapped
  (unless it is an all-capitals heading). Otherwise it ends its paragraph before a list
  item; a short one (a heading, a salutation) also ends it unless the next line starts
  with a lower-case letter, or it ends with a hyphen, dash or opening bracket, or with a
  comma not followed by a capital; a long one continues when it ends with a letter.
  Between Chinese characters a line continues unless it looks like a heading (opens its
  paragraph and is short without ``，``, or is numbered ``一、``, ``（一）``, ``第…章``).
* A line starting with ``, ; : )`` or a closing quote always continues the previous one.

Sentences
---------
One compiled regular expression per language finds candidate boundaries: a run of
terminators (``. ! ? …``) with optional closing quotes or brackets, followed by
whitespace (newlines included). Chinese and Japanese full stops (``。！？``), and every
terminator of a language written without spaces, need no whitespace after them. A
candidate is then kept only if the next word is a plausible sentence opener (not
lower-case) and, after a single period, the word before it is not

* an abbreviation of the language or of a small cross-language set (``Mr.``, ``т.е.``),
  spaced ones included (``т. д.``, ``va boshq.``);
* a single capital letter (initials: ``Н. Назарбаев``) or a dotted acronym (``U.S.``, ``Н.А.``);
* a list label opening the sentence (``1.``, ``IV.``), or, in Turkish, an ordinal
  (``70. Genel Kurul``).

Abbreviations that often end a sentence (``etc.``, ``т.д.``, ``2015 г.``) split only
before a capitalised word, and a year or unit abbreviation never splits within the
first three words of a sentence (``В 2015 г. Казахстан ...``). Decimals (``3.5``) and
dates (``28.09.2015``) never split because no whitespace follows their periods. Known
limitation: a dotted acronym that really ends a sentence (``in the U.S. They``) does
not split.

>>> text = "Mr. Smith arrived. He spoke.\\n\\nQuestions followed."
>>> [text[s:e] for s, e in paragraphs(text)]
['Mr. Smith arrived. He spoke.', 'Questions followed.']
>>> [text[s:e] for s, e in sentences(text, 0, 28, "en")]
['Mr. Smith arrived.', 'He spoke.']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from .. import lang as _lang
from ..errors import DiplocodeError

__all__ = ["LONG_LINE", "paragraphs", "sentences"]

Span = tuple[int, int]

#: Lines longer than this are never taken as hard-wrapped (one paragraph per line).
LONG_LINE = 150
_MIN_WRAP_WIDTH = 40

# Letters of scripts written without spaces: CJK ideographs, kana, bopomofo, hangul.
_CJK = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3040-\u30ff\u3100-\u312f"
    "\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
# Full stops of scripts without spaces: they end a sentence with or without whitespace.
_NO_SPACE_TERMINATORS = "。！？｡"
_CLOSERS = "\"'»”’“)]}」』）》〉›】〕"
# Characters that may open a sentence besides letters and digits.
_OPENERS = frozenset("«\"“„'‘‹([{「『（《〈【〔—–-‒―•●▪◦‣*§№#$€£¥¿¡")
_OPEN_STRIP = "([{«\"“„'‘‹「『（《〈【〔—–-¿¡"

# Checked in every language: documents quote titles and set phrases across languages.
_CROSS_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "messrs", "dr", "prof", "st", "h.e", "e.g", "i.e", "cf", "vs",
        "u.s", "u.s.a", "u.n", "u.k", "approx", "etc",
        "т.е", "т.к", "т.н", "т.д", "т.п", "г-н", "г-жа", "проф", "акад", "доц", "напр", "и.о",
        "т.б", "т.с.с",
    }
)  # fmt: skip
_CROSS_FINAL = frozenset({"etc", "т.д", "т.п", "т.б", "т.с.с"})

_NONSPACE = re.compile(r"\S")
_NEXT_WORD = re.compile(r"[\W_]*(\w)")
_ROMAN = re.compile(
    r"(?=[IVXLCDM])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})(?![^\W\d_])"
)
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
_LABEL = re.compile(r"\d{1,3}(?:\.\d{1,3})*|[IVXLCDM]{1,6}|[ivxlcdm]{1,6}|[^\W\d_]")
_NUMBER = re.compile(r"[\d.,\-–—]*\d[\d.,\-–—]*|[IVXLCDM]+(?:[-–—][IVXLCDM]+)?")
_NUMBER_UNIT = re.compile(r"\d[\d.,]*([^\W\d_]+)")


# --------------------------------------------------------------------------------------
# sentences
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rules:
    pattern: re.Pattern[str]
    abbreviations: frozenset[str]
    final: frozenset[str]
    units: frozenset[str]
    ordinal_dot: bool


def _char_class(chars: str) -> str:
    return "".join(re.escape(c) for c in dict.fromkeys(chars))


def _compile(terminators: str, spaces_between_words: bool) -> re.Pattern[str]:
    no_space = _NO_SPACE_TERMINATORS
    if not spaces_between_words:  # Chinese: "!?" end a sentence without whitespace too
        no_space += "".join(c for c in terminators if c in "!?")
    spaced = "".join(c for c in terminators if c not in no_space)
    nsc, spc, clc = _char_class(no_space), _char_class(spaced), _char_class(_CLOSERS)
    branches = [rf"(?P<full>[{nsc}][{nsc}{spc}]*[{clc}]*)(?P<ws1>\s*)"]
    if spaced:
        # Whitespace is required, except before a CJK character ("好!我们" in any language).
        branches.append(rf"(?P<half>[{spc}]+)[{clc}]*(?P<ws2>\s+|(?=[{_CJK}]))")
    # The leading lookahead lets the regex engine skip quickly to terminator characters
    # (a pattern that starts with a group is scanned position by position: 3x slower).
    return re.compile(f"(?=[{nsc}{spc}])(?:{'|'.join(branches)})")


@cache
def _rules(code: str | None) -> _Rules:
    if code is None:
        datas = [_lang.get(c) for c in ("en", "ru", "kk")]
        terminators = "".join(d.sentence_terminators for d in datas)
        spaces, ordinal = True, False
    else:
        datas = [_lang.get(code)]
        terminators, spaces = datas[0].sentence_terminators, datas[0].spaces_between_words
        ordinal = datas[0].ordinal_dot
    abbreviations = frozenset().union(*(d.abbreviations for d in datas))
    final = frozenset().union(*(d.final_abbreviations for d in datas))
    units = frozenset().union(*(d.unit_abbreviations for d in datas))
    return _Rules(
        pattern=_compile(terminators, spaces),
        abbreviations=abbreviations | _CROSS_ABBREVIATIONS | final | units,
        # The language's own list decides: Turkish "vs." (= etc.) is final, English is not.
        final=final | (_CROSS_FINAL - abbreviations),
        units=units,
        ordinal_dot=ordinal,
    )


def _trim(text: str, start: int, end: int) -> Span:
    m = _NONSPACE.search(text, start, end)
    if m is None:
        return start, start
    start = m.start()
    if text[end - 1].isspace():
        end = start + len(text[start:end].rstrip())
    return start, end


def _capitalised(text: str, pos: int, end: int) -> bool:
    """Does a capitalised word (not a Roman numeral, not a number) start at ``pos``?"""
    m = _NEXT_WORD.match(text, pos, min(end, pos + 12))
    if m is None:
        return False
    ch = m.group(1)
    if not ch.isalpha() or ch.islower():
        return False
    return _ROMAN.match(text, m.start(1), end) is None  # "Art. IV", "в XX в."


def _opens(text: str, pos: int, end: int) -> bool:
    """Can a sentence start at ``pos`` (a non-whitespace character)?"""
    ch = text[pos]
    if ch.isalnum():
        return not ch.islower()
    if ch not in _OPENERS:
        return False
    # «… — сказал он» / "(see below)": look past opening punctuation for the first letter.
    m = _NEXT_WORD.match(text, pos, min(end, pos + 12))
    return m is None or not m.group(1).islower()


def _period_ends(rules: _Rules, text: str, t: int, cur: int, nxt: int, end: int) -> bool:
    """Does the single period at ``t`` end the sentence that started at ``cur``?"""
    if text[t - 1].isspace():  # a detached period ("word . Next")
        return True
    lo = t - 40 if t - 40 > cur else cur
    # At most the last three words are needed; rsplit stops early on long sentences.
    words = text[lo:t].rsplit(None, 3)
    tok = words[-1].lstrip(_OPEN_STRIP)
    if not tok:
        return True
    low = tok.lower()
    prev_raw = words[-2] if len(words) > 1 else ""
    if prev_raw and len(low) <= 5 and len(prev_raw) <= 4:
        # Spaced abbreviations: "т. д." -> "т.д", "va boshq." -> "va boshq".
        prev = prev_raw.lower()
        key = f"{prev[:-1]}.{low}" if prev.endswith(".") else f"{prev} {low}"
        if key in rules.final:
            return _capitalised(text, nxt, end)
        if key in rules.abbreviations:
            return False
    if low in rules.abbreviations:
        if low in rules.final:
            return _capitalised(text, nxt, end)
        if low in rules.units and _NUMBER.fullmatch(prev_raw):
            # "... подписано в 2015 г. Затем" ends a sentence; a short opening phrase
            # ("В 2015 г. Казахстан ...", "В XX в. Россия ...") does not.
            if lo == cur and len(words) <= 3:
                return False
            return _capitalised(text, nxt, end)
        return False
    if low[0].isdigit():
        glued = _NUMBER_UNIT.fullmatch(low)  # "2015г."
        if glued and glued.group(1) in rules.units:
            return _capitalised(text, nxt, end)
        if rules.ordinal_dot and len(tok) <= 3 and tok.isdigit():
            return False  # Turkish "70. Genel Kurul"
    elif len(tok) == 1 and tok.isupper():
        return False  # an initial ("Н. Назарбаев"); lower-case ones ("г.") are listed
    if "." in tok and _DOTTED.fullmatch(tok):
        return False  # U.S.A., Н.А.
    return not (len(words) == 1 and lo == cur and _LABEL.fullmatch(tok))  # "1.", "IV."


def sentences(text: str, start: int, end: int, lang: str | None) -> list[Span]:
    """Split the paragraph ``text[start:end]`` into sentences.

    Parameters
    ----------
    text:
        The whole normalised text.
    start, end:
        The paragraph's span; it need not be trimmed.
    lang:
        ISO 639-1 code of the paragraph's language (its abbreviations and terminators
        are used), or ``None`` for the union of English, Russian and Kazakh.

    Returns
    -------
    list of (int, int)
        Absolute, trimmed ``[start, end)`` spans in order, covering every
        non-whitespace character of the paragraph exactly once.

    Raises
    ------
    DiplocodeError
        ``E024`` for an unknown language, ``E060`` for a span outside the text.

    Examples
    --------
    >>> t = "Встреча прошла в г. Астане, т.е. в столице. Н. Назарбаев выступил."
    >>> [t[s:e] for s, e in sentences(t, 0, len(t), "ru")]
    ['Встреча прошла в г. Астане, т.е. в столице.', 'Н. Назарбаев выступил.']
    >>> t = "双方同意扩大留学生规模！这是否意味着新的合作？"
    >>> [t[s:e] for s, e in sentences(t, 0, len(t), "zh")]
    ['双方同意扩大留学生规模！', '这是否意味着新的合作？']
    """
    if not 0 <= start <= end <= len(text):
        raise DiplocodeError(
            "E060",
            param="start/end",
            owner="sentences()",
            constraint=f"a span with 0 <= start <= end <= {len(text)}",
            value=(start, end),
        )
    rules = _rules(lang)
    start, end = _trim(text, start, end)
    if start == end:
        return []
    out: list[Span] = []
    cur = start
    # Groups: 1 full stop without spaces, 2 its whitespace, 3 other terminators, 4 theirs.
    for m in rules.pattern.finditer(text, start, end):
        nxt = m.end()
        t = m.start()
        if nxt >= end or t == cur:  # nothing after it, or nothing before it in this sentence
            continue
        if m.lastindex == 2:  # "。！？": always a boundary
            stop = m.start(2)
        else:
            stop = m.start(4)
            ch = text[nxt]
            if ch.isalnum():
                if ch.islower():
                    continue
            elif not _opens(text, nxt, end):
                continue
            if m.group(3) == ".":
                if stop == nxt:  # "." directly before a CJK character: "3.中" is not a boundary
                    continue
                if not _period_ends(rules, text, t, cur, nxt, end):
                    continue
        out.append((cur, stop))
        cur = nxt
    out.append((cur, end))
    return out


# --------------------------------------------------------------------------------------
# paragraphs
# --------------------------------------------------------------------------------------

_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")
_CLOSE_CLASS = _char_class(_CLOSERS)
_ENDS_SENTENCE = re.compile(rf"[.!?…。！？｡][{_CLOSE_CLASS}]*\Z")
_ENDS_CLAUSE = re.compile(rf"[.!?…。！？｡:;：；][{_CLOSE_CLASS}]*\Z")
_LIST_ITEM = re.compile(
    r"(?:[-–—•●▪◦‣∙·*]|\d{1,3}(?:\.\d{1,3})*[.)]|\(\w{1,4}\)|[^\W\d_]\)|[IVXLCDM]{1,6}\.)(?:\s|\Z)"
)
_FIRST_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_CONTINUING_END = frozenset(",-‐–—(/«“„&+")
# No line starts with these unless it continues the previous one.
_CONTINUING_START = frozenset(",;:)]}»”，、；：）」』】〕》")
_IS_CJK = re.compile(rf"[{_CJK}]")
_CJK_HEADING = re.compile(
    r"[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）|第.{1,4}[章节部分条]"
)


class _Line(NamedTuple):
    start: int  # first non-whitespace character
    end: int  # after the last non-whitespace character
    content: str  # text[start:end]
    indent: int
    after_blank: bool  # a blank line (or the text's start) precedes it
    open_end: bool  # stops mid-sentence: no ". ! ? … : ;" at its end


def _add_trimmed(out: list[Span], text: str, start: int, end: int) -> None:
    start, end = _trim(text, start, end)
    if start < end:
        out.append((start, end))


def _split_blank(text: str, start: int, end: int) -> list[Span]:
    out: list[Span] = []
    pos = start
    for m in _BLANK_LINES.finditer(text, start, end):
        _add_trimmed(out, text, pos, m.start())
        pos = m.end()
    _add_trimmed(out, text, pos, end)
    return out


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    blank = True
    for raw in text.split("\n"):
        content = raw.strip()
        if content:
            indent = len(raw) - len(raw.lstrip())
            s = pos + indent
            open_end = _ENDS_CLAUSE.search(content[-8:]) is None
            lines.append(_Line(s, s + len(content), content, indent, blank, open_end))
            blank = False
        else:
            blank = True
        pos += len(raw) + 1
    return lines


def _is_heading(content: str, width: float) -> bool:
    return len(content) >= 2 and len(content) <= 0.7 * width and content.isupper()


@dataclass(frozen=True, slots=True)
class _Layout:
    """Document-wide line statistics (see :func:`_layout`)."""

    width: float  # typical width of the lines that are not long
    wraps: bool  # does the text contain hard-wrapped lines at all?


def _layout(lines: list[_Line]) -> _Layout:
    """Typical width of the short lines, and whether the text is (partly) hard-wrapped.

    A *wrapped-looking* line is at most :data:`LONG_LINE` long, at least 60 % of the
    typical width (90th percentile of short lines, at least 40), and stops mid-sentence.
    The text wraps when at least three lines, and at least a quarter of all lines, look
    wrapped: hard-wrapped text is mostly such lines; one-paragraph-per-line text has only
    a few (titles, headings).
    """
    short = sorted(len(ln.content) for ln in lines if len(ln.content) <= LONG_LINE)
    width = float(max(short[int(0.9 * (len(short) - 1))] if short else 0, _MIN_WRAP_WIDTH))
    n_wrapped = sum(
        1 for ln in lines if ln.open_end and 0.6 * width <= len(ln.content) <= LONG_LINE
    )
    return _Layout(width, n_wrapped >= 3 and n_wrapped >= len(lines) / 4)


def _line_breaks(prev: _Line, line: _Line, layout: _Layout, prev_opens: bool) -> bool:
    """Does a paragraph end at the single newline between ``prev`` and ``line``?

    ``prev_opens`` says whether ``prev`` starts its paragraph (so may be a heading).
    """
    pc, lc = prev.content, line.content
    first, last = lc[0], pc[-1]
    if first in _CONTINUING_START:  # ", and ..." / "，接着" cannot start a paragraph
        return False
    width = layout.width
    wrappable = layout.wraps and len(pc) <= LONG_LINE
    if not prev.open_end:
        if _LIST_ITEM.match(lc) or _is_heading(lc, width):
            return True
        if not wrappable:
            return True  # one paragraph per line
        if _ENDS_SENTENCE.search(pc[-8:]) is None:
            return False  # ':' or ';' inside hard-wrapped text
        # Hard-wrapped: the paragraph ends if the next word would have fitted on the line.
        word = _FIRST_WORD.match(lc)
        fits = len(pc) + 1 + (len(word.group()) if word else 1) <= width
        return fits or line.indent > prev.indent
    # ``prev`` stops mid-sentence.
    if wrappable and len(pc) >= 0.6 * width:
        return _is_heading(pc, width)  # a wrapped line, unless an all-capitals heading
    # A short line (a heading, a salutation, a title) or a long one cut short.
    if _LIST_ITEM.match(lc):
        return True
    if first.islower() or (last in _CONTINUING_END and not (last == "," and first.isupper())):
        return False  # "... a new\nera of", "skills,\n' his"; but "Mr. President,\nThe ..."
    if last.isalpha() and len(pc) > LONG_LINE:
        return False  # a long line cut after a word ("... The\nChinese Government")
    if _IS_CJK.match(first) and (_IS_CJK.match(last) or last in "，、"):
        # No letter case to go by: a break inside a Chinese sentence (e.g. around a web
        # link) is joined unless the line before looks like a heading.
        return prev_opens and (
            _CJK_HEADING.match(pc) is not None or (len(pc) <= 40 and "，" not in pc)
        )
    return True


def _auto_paragraphs(text: str) -> list[Span]:
    lines = _lines(text)
    if not lines:
        return []
    layout = _layout(lines)
    out: list[Span] = []
    para_start = lines[0].start
    prev = lines[0]
    for line in lines[1:]:
        if line.after_blank or _line_breaks(prev, line, layout, para_start == prev.start):
            out.append((para_start, prev.end))
            para_start = line.start
        prev = line
    out.append((para_start, prev.end))
    return out


def paragraphs(text: str, blocks: Sequence[tuple[int, int]] | None = None) -> list[Span]:
    """Split a text into paragraphs.

    Parameters
    ----------
    text:
        The whole normalised text (``\\n`` newlines).
    blocks:
        ``[start, end)`` spans the reader knows to be paragraphs (DOCX paragraphs, HTML
        blocks). Each becomes one paragraph, split further only at blank lines inside it;
        text outside every block is split at blank lines. Overlaps are ignored after the
        first block that covers a character. ``None``: find the paragraphs from the
        line structure (see the module docstring).

    Returns
    -------
    list of (int, int)
        Trimmed ``[start, end)`` spans in order, covering every non-whitespace character
        of ``text`` exactly once.

    Raises
    ------
    DiplocodeError
        ``E060`` when a block lies outside the text or ends before it starts.

    Examples
    --------
    >>> t = "A first paragraph, wrapped\\nat a narrow width.\\n\\nA second one."
    >>> [t[s:e] for s, e in paragraphs(t)]
    ['A first paragraph, wrapped\\nat a narrow width.', 'A second one.']
    >>> paragraphs("One.\\n\\nTwo.", blocks=[(0, 4), (6, 10)])
    [(0, 4), (6, 10)]
    """
    if blocks is None:
        return _auto_paragraphs(text)
    out: list[Span] = []
    pos = 0
    for s, e in sorted(blocks):
        if not 0 <= s <= e <= len(text):
            raise DiplocodeError(
                "E060",
                param="blocks",
                owner="paragraphs()",
                constraint=f"a list of spans with 0 <= start <= end <= {len(text)}",
                value=(s, e),
            )
        if e <= pos:
            continue
        s = max(s, pos)
        if s > pos:
            out.extend(_split_blank(text, pos, s))
        out.extend(_split_blank(text, s, e))
        pos = e
    out.extend(_split_blank(text, pos, len(text)))
    return out
