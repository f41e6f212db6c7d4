"""The codebook: dimensions -> codes, with labels, definitions, decision rules, examples
and a lexicon per language.

A codebook is data; :meth:`Codebook.content_hash` identifies a version (the SHA-256 of its
canonical JSON), so a version stored once can never silently change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Changes",
    "Charts",
    "Code",
    "Codebook",
    "Dimension",
    "Example",
    "Layout",
    "LayoutColumn",
    "Milestone",
    "ModelsColumn",
    "ModelsTable",
    "Tables",
]

_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
UI_LANGUAGES = ("en", "ru", "kk")
LEXICON_LANGUAGES = ("en", "ru", "kk", "zh", "tr", "ky", "uz", "tg", "tk")

Texts = dict[str, str]
RuleLists = dict[str, list[str]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_langs(value: dict[str, Any], allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise ValueError(f"{what} has unknown language(s) {unknown}; allowed: {', '.join(allowed)}")
    return value


class Example(_Strict):
    lang: str
    text: str = Field(min_length=1)
    note: str | None = None


class Code(_Strict):
    """One code. ``key`` is stable across versions and languages."""

    key: str
    parent: str | None = None
    label: Texts
    definition: Texts = Field(default_factory=dict)
    include: RuleLists = Field(default_factory=dict)
    exclude: RuleLists = Field(default_factory=dict)
    examples: list[Example] = Field(default_factory=list)
    lexicon: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(
                f"{value!r} is not a valid key: use lower-case letters, digits, '_' and '.' (e.g. 'language_space')"
            )
        return value

    @field_validator("label")
    @classmethod
    def _label(cls, value: Texts) -> Texts:
        if "en" not in value:
            raise ValueError("needs at least an English label ('en')")
        return _check_langs(value, UI_LANGUAGES, "label")

    @field_validator("definition", "include", "exclude")
    @classmethod
    def _ui_langs(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_langs(value, UI_LANGUAGES, "this field")

    @field_validator("lexicon")
    @classmethod
    def _lexicon(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        _check_langs(value, LEXICON_LANGUAGES, "lexicon")
        for lang, entries in value.items():
            for entry in entries:
                _check_entry(lang, entry)
            seen = set()
            for entry in entries:
                if entry.lower() in seen:
                    raise ValueError(f"lexicon[{lang}] lists {entry!r} twice")
                seen.add(entry.lower())
        return value


def _check_entry(lang: str, entry: str) -> None:
    if not entry.strip():
        raise ValueError(f"lexicon[{lang}] has an empty entry")
    if entry.startswith("re:"):
        try:
            re.compile(entry[3:])
        except re.error as e:
            raise ValueError(
                f"lexicon[{lang}] entry {entry!r} is not a valid regular expression: {e}"
            ) from e
        return
    for word in entry.split():
        core = word.strip("*")
        if "*" in core:
            raise ValueError(f"lexicon[{lang}] entry {entry!r}: '*' may only start or end a word")
        if word != core and len(core) < 3:
            raise ValueError(
                f"lexicon[{lang}] entry {entry!r}: a wildcard needs at least 3 letters beside it"
            )


class Dimension(_Strict):
    """An indicator of the framework (a column of the article's Table 1)."""

    key: str
    label: Texts
    indicator: Texts = Field(default_factory=dict)
    question: Texts = Field(default_factory=dict)
    codes: list[Code]

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        return Code._key(value)

    @field_validator("label", "indicator", "question")
    @classmethod
    def _ui_langs(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_langs(value, UI_LANGUAGES, "this field")


#: Colour-blind-safe palette (Okabe-Ito) for dimensions a codebook gives no colour.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#F0E442", "#999999")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_MILESTONE_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _english(value: Texts) -> Texts:
    if "en" not in value:
        raise ValueError("needs at least an English text ('en')")
    return _check_langs(value, UI_LANGUAGES, "this text")


class ModelsColumn(_Strict):
    """One column of the models table (the article's Table 2): the leading codes of one
    dimension, or of the codes of a dimension selected by ``codes`` (keys or ``prefix*``)."""

    key: str
    title: Texts
    dimension: str
    codes: list[str] = Field(default_factory=list)

    _key = field_validator("key")(classmethod(lambda cls, v: Code._key(v)))
    _title = field_validator("title")(classmethod(lambda cls, v: _english(v)))


class ModelsTable(_Strict):
    """The models table: one row per actor, one column per :class:`ModelsColumn`."""

    title: Texts
    columns: list[ModelsColumn] = Field(min_length=1)

    _title = field_validator("title")(classmethod(lambda cls, v: _english(v)))


class Milestone(_Strict):
    """A reference event drawn on trend charts."""

    date: str
    label: Texts

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        if not _MILESTONE_DATE.match(value):
            raise ValueError(f"{value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
        return value

    _label = field_validator("label")(classmethod(lambda cls, v: _english(v)))

    @property
    def year(self) -> float:
        """The date as a fractional year (mid-month when the month is given)."""
        parts = [int(p) for p in self.date.split("-")]
        return parts[0] + ((parts[1] - 0.5) / 12 if len(parts) > 1 else 0.0)


class Charts(_Strict):
    """Which dimensions the report draws: actor x code heatmaps and trend lines."""

    heatmaps: list[str] = Field(default_factory=list)
    trends: list[str] = Field(default_factory=list)


class Tables(_Strict):
    """A codebook's ``tables:`` section: the layout of its comparison tables and charts
    (data, not code: any codebook gets its own Table 2)."""

    models: ModelsTable | None = None
    colours: dict[str, str] = Field(default_factory=dict)
    milestones: list[Milestone] = Field(default_factory=list)
    charts: Charts = Field(default_factory=Charts)

    @field_validator("colours")
    @classmethod
    def _colours(cls, value: dict[str, str]) -> dict[str, str]:
        for dim, colour in value.items():
            if not _HEX.match(colour):
                raise ValueError(f"colour of {dim!r} is {colour!r}: write #RRGGBB")
        return value


class LayoutColumn:
    """A models-table column resolved against its codebook: the code keys it ranks."""

    __slots__ = ("codes", "dimension", "key", "title")

    def __init__(self, key: str, title: Texts, dimension: str, codes: tuple[str, ...]) -> None:
        self.key, self.title, self.dimension, self.codes = key, title, dimension, codes

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]


class Layout:
    """The effective layout of a codebook's tables and charts: its ``tables:`` section,
    or, when it has none, one column per dimension, the palette's colours, no milestones."""

    def __init__(self, codebook: Codebook) -> None:
        tables = codebook.tables or Tables()
        dims = {d.key: d for d in codebook.dimensions}
        self.declared = codebook.tables is not None and codebook.tables.models is not None
        if tables.models is not None:
            self.title: Texts = dict(tables.models.title)
            self.columns = [
                LayoutColumn(
                    c.key,
                    dict(c.title),
                    c.dimension,
                    tuple(_select_codes(dims[c.dimension], c.codes)),
                )
                for c in tables.models.columns
            ]
        else:
            self.title = {"en": "Models", "ru": "Модели", "kk": "Модельдер"}
            self.columns = [
                LayoutColumn(d.key, dict(d.label), d.key, tuple(c.key for c in d.codes))
                for d in codebook.dimensions
            ]
        self.colours = {
            d.key: tables.colours.get(d.key, PALETTE[i % len(PALETTE)])
            for i, d in enumerate(codebook.dimensions)
        }
        self.milestones = list(tables.milestones)
        seen = list(dict.fromkeys(c.dimension for c in self.columns))
        self.heatmaps = list(tables.charts.heatmaps) or seen[:4]
        self.trends = list(tables.charts.trends) or seen[:1]

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["en"]


def _select_codes(dim: Dimension, patterns: list[str]) -> list[str]:
    """The keys of ``dim``'s codes that ``patterns`` select (all of them when empty)."""
    if not patterns:
        return [c.key for c in dim.codes]
    out = []
    for code in dim.codes:
        for p in patterns:
            if code.key == p or (p.endswith("*") and code.key.startswith(p[:-1])):
                out.append(code.key)
                break
    return out


class Changes(_Strict):
    """How a version's codes follow from the codes of the version it was made from.

    A code whose key stays is the same code. Every other code of the previous version
    is declared here: ``renamed`` (old key -> new key), ``merged`` (old key -> the code
    it joins), ``split`` (old key -> the new codes; its codings count for the first,
    flagged for review) or ``deleted`` (its codings no longer count). Human codings and
    decisions made under earlier versions count under this one through these mappings.
    """

    renamed: dict[str, str] = Field(default_factory=dict)
    merged: dict[str, str] = Field(default_factory=dict)
    split: dict[str, list[str]] = Field(default_factory=dict)
    deleted: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _once(self) -> Changes:
        seen: set[str] = set()
        for key in [*self.renamed, *self.merged, *self.split, *self.deleted]:
            if key in seen:
                raise ValueError(f"changes: {key!r} is declared twice")
            seen.add(key)
        for key, into in self.split.items():
            if not into:
                raise ValueError(f"changes.split: {key!r} needs at least one new code")
        return self

    def old_keys(self) -> list[str]:
        return [*self.renamed, *self.merged, *self.split, *self.deleted]

    def targets(self, old_key: str) -> list[str]:
        """The codes of this version an old key's codings count for ([] when deleted;
        the first counts, for a split)."""
        if old_key in self.renamed:
            return [self.renamed[old_key]]
        if old_key in self.merged:
            return [self.merged[old_key]]
        return list(self.split.get(old_key, []))

    def relation(self, old_key: str) -> str:
        for name in ("renamed", "merged", "split", "deleted"):
            value = getattr(self, name)
            if old_key in value:
                return name
        return "same"


class Codebook(_Strict):
    """A whole codebook version.

    >>> cb = Codebook(name="mini", version="1", dimensions=[
    ...     {"key": "legitimacy", "label": {"en": "Legitimacy"}, "codes": [
    ...         {"key": "sovereignty_support", "label": {"en": "Sovereignty"},
    ...          "lexicon": {"en": ["territorial integrity"]}}]}])
    >>> [c.key for c in cb.codes()]
    ['sovereignty_support']
    >>> len(cb.content_hash())
    64
    """

    format: str = "diplocode-codebook/1"
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    title: Texts = Field(default_factory=dict)
    description: Texts = Field(default_factory=dict)
    source: str | None = None
    dimensions: list[Dimension]
    tables: Tables | None = None
    changes: Changes | None = None

    @model_validator(mode="after")
    def _unique_and_parents(self) -> Codebook:
        seen: set[str] = set()
        dims: set[str] = set()
        for dim in self.dimensions:
            if dim.key in dims:
                raise ValueError(f"dimension {dim.key!r} appears twice")
            dims.add(dim.key)
            for code in dim.codes:
                if code.key in seen:
                    raise ValueError(f"code {code.key!r} appears twice")
                seen.add(code.key)
        for code in self.codes():
            if code.parent is not None and code.parent not in seen:
                raise ValueError(
                    f"code {code.key!r} names parent {code.parent!r}, which is not a code of this codebook"
                )
        if self.tables is not None:
            self._check_tables(self.tables, {d.key: d for d in self.dimensions})
        if self.changes is not None:
            for old_key in self.changes.old_keys():
                if old_key in seen:
                    raise ValueError(
                        f"changes: {old_key!r} is still a code of this version; "
                        "only codes that are gone are declared renamed, merged, split or deleted"
                    )
                for target in self.changes.targets(old_key):
                    if target not in seen:
                        raise ValueError(
                            f"changes: {old_key!r} goes to {target!r}, which is not a code of this version"
                        )
        return self

    @staticmethod
    def _check_tables(tables: Tables, dims: dict[str, Dimension]) -> None:
        known = ", ".join(dims)
        named = [*tables.colours, *tables.charts.heatmaps, *tables.charts.trends]
        if tables.models is not None:
            keys: set[str] = set()
            for column in tables.models.columns:
                if column.key in keys:
                    raise ValueError(f"tables.models: column {column.key!r} appears twice")
                keys.add(column.key)
                if column.dimension not in dims:
                    raise ValueError(
                        f"tables.models column {column.key!r} names dimension {column.dimension!r}; "
                        f"the dimensions are: {known}"
                    )
                for pattern in column.codes:
                    if not _select_codes(dims[column.dimension], [pattern]):
                        raise ValueError(
                            f"tables.models column {column.key!r}: {pattern!r} selects no code of "
                            f"dimension {column.dimension!r}"
                        )
        for dim in named:
            if dim not in dims:
                raise ValueError(f"tables names dimension {dim!r}; the dimensions are: {known}")

    def layout(self) -> Layout:
        """The effective layout of this codebook's tables and charts (see :class:`Layout`)."""
        return Layout(self)

    def codes(self) -> Iterator[Code]:
        for dim in self.dimensions:
            yield from dim.codes

    def dimension_of(self) -> dict[str, str]:
        return {code.key: dim.key for dim in self.dimensions for code in dim.codes}

    def code(self, key: str) -> Code:
        for code in self.codes():
            if code.key == key:
                return code
        raise KeyError(key)

    def canonical(self) -> dict[str, Any]:
        """The JSON-ready content (defaults included) that is hashed and stored. A codebook
        without a ``tables:`` section hashes as it did before the section existed."""
        data = self.model_dump(mode="json")
        for optional in ("tables", "changes"):
            if data.get(optional) is None:
                data.pop(optional, None)
        return data

    def without_changes(self) -> Codebook:
        """This version's content without its ``changes:`` (which describe how it was
        made from its parent): what an export carries and what an edit starts from."""
        return self.model_copy(update={"changes": None})

    def content_hash(self) -> str:
        blob = json.dumps(
            self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()
