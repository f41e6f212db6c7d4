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

__all__ = ["Code", "Codebook", "Dimension", "Example"]

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
        return self

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
        """The JSON-ready content (defaults included) that is hashed and stored."""
        return self.model_dump(mode="json")

    def content_hash(self) -> str:
        blob = json.dumps(
            self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()
