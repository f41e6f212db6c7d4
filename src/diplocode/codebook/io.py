"""Reading and writing codebooks (YAML or JSON), with errors that name file, line and key,
and comparing two versions.

>>> cb = load_builtin("cultural-diplomacy")
>>> cb.name
'cultural-diplomacy'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import DiplocodeError
from .model import Codebook

__all__ = [
    "BUILTIN",
    "CodebookDiff",
    "builtin_names",
    "diff",
    "dumps",
    "load",
    "load_builtin",
    "loads",
]

BUILTIN = Path(__file__).with_name("frameworks")
_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN.glob("*.yaml"))


@cache
def load_builtin(name: str) -> Codebook:
    """A built-in codebook by name (parsed once per process; codebooks are immutable)."""
    path = BUILTIN / f"{name}.yaml"
    if not path.is_file():
        raise DiplocodeError("E073", name=name, allowed=", ".join(builtin_names()))
    return load(path)


def load(path: str | Path) -> Codebook:
    """Read and validate a codebook file (``.yaml``, ``.yml`` or ``.json``)."""
    path = Path(path)
    if not path.is_file():
        raise DiplocodeError("E010", path=str(path), base=str(Path.cwd()))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise DiplocodeError("E071", path=str(path), line=1, detail=str(e)) from e
    return loads(text, str(path))


def loads(text: str, where: str = "<codebook>") -> Codebook:
    """Validate codebook text; errors name ``where``, the line and the key path."""
    try:
        data = yaml.load(text, Loader=_FastLoader)  # a safe loader (libyaml's if built)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(e, "problem", None) or str(e)
        raise DiplocodeError("E071", path=where, line=line, detail=problem) from e
    if not isinstance(data, dict):
        raise DiplocodeError(
            "E071",
            path=where,
            line=1,
            detail="the top level must be a mapping with 'name', 'version' and 'dimensions'",
        )
    try:
        return Codebook.model_validate(data)
    except ValidationError as e:
        node = yaml.compose(text, Loader=yaml.SafeLoader)  # only now: for line numbers
        first = e.errors()[0]
        loc = tuple(first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        lang = re.search(r"lexicon\[(\w+)\]", message)
        if lang and loc and loc[-1] == "lexicon":
            loc = (*loc, lang.group(1))  # point at that language's list, not the whole lexicon
        line = _line_of(node, loc)
        if first["type"] == "missing":
            message = "this field is required"
        elif first["type"] == "extra_forbidden":
            message = "this field is not part of the codebook format"
        raise DiplocodeError(
            "E070", path=where, line=line, key=_dotted(loc, data), detail=message
        ) from e


def _line_of(node: Any, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest node of ``loc`` that exists in the YAML tree."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                break
            node = match[1]
            line = match[0].start_mark.line + 1
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _dotted(loc: tuple[Any, ...], data: Any) -> str:
    """``dimensions[0].codes[3].lexicon.kk`` -> with code keys: ``dimensions[legitimacy].codes[modernization].lexicon.kk``."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            item = node[part] if part < len(node) else None
            label = item.get("key") if isinstance(item, dict) and item.get("key") else part
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
            node = item
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def dumps(codebook: Codebook, fmt: str = "yaml") -> str:
    """Serialise a codebook; loading the result gives the same content hash."""
    data = codebook.canonical()
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


@dataclass
class CodebookDiff:
    """What changed between two codebook versions."""

    codes_added: list[str] = field(default_factory=list)
    codes_removed: list[str] = field(default_factory=list)
    codes_changed: dict[str, list[str]] = field(default_factory=dict)  # key -> fields changed
    lexicon_added: dict[str, dict[str, list[str]]] = field(
        default_factory=dict
    )  # key -> lang -> entries
    lexicon_removed: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (
            self.codes_added
            or self.codes_removed
            or self.codes_changed
            or self.lexicon_added
            or self.lexicon_removed
        )


def diff(old: Codebook, new: Codebook) -> CodebookDiff:
    """Codes and lexicon entries added, removed or changed from ``old`` to ``new``."""
    before = {c.key: c for c in old.codes()}
    after = {c.key: c for c in new.codes()}
    dim_before, dim_after = old.dimension_of(), new.dimension_of()
    out = CodebookDiff(
        codes_added=sorted(set(after) - set(before)),
        codes_removed=sorted(set(before) - set(after)),
    )
    for key in sorted(set(before) & set(after)):
        a, b = before[key].model_dump(), after[key].model_dump()
        changed = [f for f in a if f != "lexicon" and a[f] != b[f]]
        if dim_before[key] != dim_after[key]:
            changed.append("dimension")
        if changed:
            out.codes_changed[key] = changed
    for key in sorted(set(before) | set(after)):
        lex_a = before[key].lexicon if key in before else {}
        lex_b = after[key].lexicon if key in after else {}
        for lang in sorted(set(lex_a) | set(lex_b)):
            old_entries, new_entries = lex_a.get(lang, []), lex_b.get(lang, [])
            added = [e for e in new_entries if e not in old_entries]
            removed = [e for e in old_entries if e not in new_entries]
            if added:
                out.lexicon_added.setdefault(key, {})[lang] = added
            if removed:
                out.lexicon_removed.setdefault(key, {})[lang] = removed
    return out
