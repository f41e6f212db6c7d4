"""Editing a project's codebook: every edit is a new version, linked to the one before.

Versions are immutable (:meth:`Codebook.content_hash`). An edit takes the newest version
of a codebook, changes it, declares under ``changes:`` what became of any code that is
gone (renamed, merged, deleted), bumps the version number and imports the result with
its audit event (:meth:`diplocode.project.Project.import_codebook`). Human codings and
decisions made under the earlier versions count under the new one through those
declarations (:func:`diplocode.store.codebooks.counted_codes`), so no edit hides work.

One function per verb, called by the CLI (``diplocode codebook rename|merge|...``) and the
web editor alike. Each returns ``(version id, version string)``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from ..errors import DiplocodeError
from ..store.codebooks import code_ids, counted_codes
from ..store.schema import codings
from .model import _KEY, LEXICON_LANGUAGES, Codebook, _check_entry

__all__ = [
    "add_code",
    "code_memos",
    "code_usage",
    "code_usages",
    "delete_code",
    "edit_code",
    "merge_codes",
    "move_code",
    "next_version",
    "rename_code",
    "split_code",
]


def next_version(version: str) -> str:
    """``1.0.0`` -> ``1.0.1``; ``2024a`` -> ``2024a.1``.

    >>> next_version("1.0.0"), next_version("1.9"), next_version("draft")
    ('1.0.1', '1.10', 'draft.1')
    """
    head, _, last = version.rpartition(".")
    if last.isdigit():
        return f"{head}.{int(last) + 1}" if head else str(int(last) + 1)
    return f"{version}.1"


def _find(data: dict[str, Any], key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for dim in data["dimensions"]:
        for code in dim["codes"]:
            if code["key"] == key:
                return dim, code
    raise DiplocodeError("E089", what="code", ref=key)


def _dimension(data: dict[str, Any], key: str) -> dict[str, Any]:
    for dim in data["dimensions"]:
        if dim["key"] == key:
            return dim
    raise DiplocodeError(
        "E079",
        name=data["name"],
        key=key,
        allowed=", ".join(d["key"] for d in data["dimensions"]),
    )


def _check_key(data: dict[str, Any], key: str) -> None:
    if not _KEY.match(key):
        raise DiplocodeError(
            "E070",
            path="the editor",
            line="-",
            key=key,
            detail=f"{key!r} is not a valid key: use lower-case letters, digits, '_' and '.'",
        )
    if any(c["key"] == key for d in data["dimensions"] for c in d["codes"]):
        raise DiplocodeError("E078", name=data["name"], key=key)


def _edit(
    project: Any,
    by: str,
    what: str,
    change: Callable[[dict[str, Any], dict[str, Any]], None],
    codebook: str | int | None = None,
) -> tuple[int, str]:
    """Apply ``change(data, changes)`` to the newest version (or ``codebook``'s codebook,
    newest version) and import the result as the next version."""
    _, current = project.codebook(codebook)
    _, latest = project.codebook(current.name)  # edits always start from the newest
    data = copy.deepcopy(latest.without_changes().model_dump(mode="json"))
    changes: dict[str, Any] = {"renamed": {}, "merged": {}, "split": {}, "deleted": []}
    change(data, changes)
    data["changes"] = {k: v for k, v in changes.items() if v} or None
    data["version"] = next_version(latest.version)
    try:
        new = Codebook.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        raise DiplocodeError(
            "E070",
            path="the editor",
            line="-",
            key=".".join(str(p) for p in first.get("loc", ())) or what,
            detail=str(first.get("msg", e)),
        ) from e
    version_id, _ = project.import_codebook(new, by, edit=what)
    return version_id, new.version


def _texts(target: dict[str, str], change: dict[str, str] | None) -> None:
    for lang, text in (change or {}).items():
        if text.strip():
            target[lang] = text.strip()
        else:
            target.pop(lang, None)


def edit_code(
    project: Any,
    code_key: str,
    *,
    by: str,
    label: dict[str, str] | None = None,
    definition: dict[str, str] | None = None,
    lexicon: dict[str, list[str]] | None = None,
) -> tuple[int, str]:
    """Change a code's labels, definitions or lexicon entries (per language: the whole
    list; an empty list removes that language). Empty texts remove that language's
    entry; the English label is required."""
    for lang, entries in (lexicon or {}).items():
        if lang not in LEXICON_LANGUAGES:
            raise DiplocodeError(
                "E060",
                param="lexicon",
                owner="edit_code",
                constraint=f"keyed by a language of {', '.join(LEXICON_LANGUAGES)}",
                value=lang,
            )
        for entry in entries:
            try:
                _check_entry(lang, entry)
            except ValueError as e:
                raise DiplocodeError(
                    "E070",
                    path="the editor",
                    line="-",
                    key=f"{code_key}.lexicon.{lang}",
                    detail=str(e),
                ) from e

    def change(data: dict[str, Any], _changes: dict[str, Any]) -> None:
        _, code = _find(data, code_key)
        _texts(code["label"], label)
        _texts(code["definition"], definition)
        for lang, entries in (lexicon or {}).items():
            cleaned = list(dict.fromkeys(e.strip() for e in entries if e.strip()))
            if cleaned:
                code["lexicon"][lang] = cleaned
            else:
                code["lexicon"].pop(lang, None)

    parts = [
        name
        for name, value in (("label", label), ("definition", definition), ("lexicon", lexicon))
        if value
    ]
    return _edit(project, by, f"edited {code_key} ({', '.join(parts) or 'nothing'})", change)


def add_code(
    project: Any,
    dimension: str,
    key: str,
    *,
    by: str,
    label: dict[str, str],
    definition: dict[str, str] | None = None,
    parent: str | None = None,
) -> tuple[int, str]:
    """Add a code to a dimension (at its end)."""

    def change(data: dict[str, Any], _changes: dict[str, Any]) -> None:
        dim = _dimension(data, dimension)
        _check_key(data, key)
        if parent is not None:
            _find(data, parent)
        code: dict[str, Any] = {"key": key, "label": {}, "definition": {}}
        _texts(code["label"], label)
        _texts(code["definition"], definition)
        if parent:
            code["parent"] = parent
        dim["codes"].append(code)

    return _edit(project, by, f"added {key} to {dimension}", change)


def rename_code(project: Any, old: str, new: str, *, by: str) -> tuple[int, str]:
    """Give a code a new key; its codings count under the new key."""

    def change(data: dict[str, Any], changes: dict[str, Any]) -> None:
        _, code = _find(data, old)
        _check_key(data, new)
        code["key"] = new
        _follow(data, old, new)
        changes["renamed"][old] = new

    return _edit(project, by, f"renamed {old} to {new}", change)


def move_code(
    project: Any, key: str, dimension: str, *, by: str, position: int | None = None
) -> tuple[int, str]:
    """Move a code to another dimension (or another place in its own), keeping its key:
    its codings follow it."""

    def change(data: dict[str, Any], _changes: dict[str, Any]) -> None:
        source, code = _find(data, key)
        target = _dimension(data, dimension)
        source["codes"].remove(code)
        at = (
            len(target["codes"])
            if position is None
            else max(0, min(position, len(target["codes"])))
        )
        target["codes"].insert(at, code)
        if code.get("parent") and not any(c["key"] == code["parent"] for c in target["codes"]):
            code.pop("parent")  # a parent in another dimension no longer applies

    return _edit(project, by, f"moved {key} to {dimension}", change)


def merge_codes(project: Any, keys: list[str], into: str, *, by: str) -> tuple[int, str]:
    """Merge codes into one (``into``, which stays): their codings count as ``into``;
    their lexicon entries join its lexicon."""
    merged = [k for k in dict.fromkeys(keys) if k != into]
    if not merged:
        raise DiplocodeError(
            "E060",
            param="keys",
            owner="merge_codes",
            constraint="at least one code other than the one merged into",
            value=keys,
        )

    def change(data: dict[str, Any], changes: dict[str, Any]) -> None:
        _, target = _find(data, into)
        for key in merged:
            dim, code = _find(data, key)
            for lang, entries in code.get("lexicon", {}).items():
                joined = target.setdefault("lexicon", {}).setdefault(lang, [])
                seen = {e.lower() for e in joined}
                joined.extend(e for e in entries if e.lower() not in seen)
            dim["codes"].remove(code)
            _follow(data, key, into)
            changes["merged"][key] = into

    return _edit(project, by, f"merged {', '.join(merged)} into {into}", change)


def split_code(project: Any, key: str, into: list[dict[str, Any]], *, by: str) -> tuple[int, str]:
    """Split a code into new codes (``into``: ``{"key", "label", "definition"?}`` each,
    added where the code was); its codings count as the first new code until a person
    recodes them (they can be found with ``diplocode retrieve --code FIRST``)."""
    if len(into) < 2:
        raise DiplocodeError(
            "E060",
            param="into",
            owner="split_code",
            constraint="two or more new codes",
            value=[c.get("key") for c in into],
        )

    def change(data: dict[str, Any], changes: dict[str, Any]) -> None:
        dim, code = _find(data, key)
        at = dim["codes"].index(code)
        dim["codes"].remove(code)
        new_codes = []
        for item in into:
            new_key = str(item.get("key", ""))
            _check_key(data, new_key)
            if new_key == key:
                raise DiplocodeError("E078", name=data["name"], key=new_key)
            fresh: dict[str, Any] = {"key": new_key, "label": {}, "definition": {}}
            _texts(fresh["label"], item.get("label") or {"en": new_key})
            _texts(fresh["definition"], item.get("definition"))
            if code.get("parent"):
                fresh["parent"] = code["parent"]
            new_codes.append(fresh)
        dim["codes"][at:at] = new_codes
        _follow(data, key, new_codes[0]["key"])
        changes["split"][key] = [c["key"] for c in new_codes]

    return _edit(
        project, by, f"split {key} into {', '.join(str(c.get('key')) for c in into)}", change
    )


def code_memos(
    project: Any,
    viewer: str | None = None,
    blind: bool = False,
    codebook: str | int | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Per code of the newest version: the memos written on it, also under the keys it had
    in earlier versions (a rename or merge carries its memos); with ``blind``, only the
    ``viewer``'s own."""
    from ..store.schema import codes, memos

    _, current = project.codebook(codebook)
    version_id, _ = project.codebook(current.name)
    with project.store.read() as conn:
        key_of = dict(conn.execute(select(codes.c.id, codes.c.key)).all())
        new_key: dict[str, str] = {}
        for old_id, new_id in counted_codes(conn, version_id).items():
            new_key.setdefault(key_of[old_id], key_of[new_id])
        for k in code_ids(conn, version_id):
            new_key[k] = k  # a key of the newest version is its own code
        query = select(memos).where(memos.c.code_key.in_(list(new_key))).order_by(memos.c.id)
        if blind:
            query = query.where(memos.c.author == (viewer or ""))
        out: dict[str, list[dict[str, Any]]] = {}
        for row in conn.execute(query).mappings():
            out.setdefault(new_key[row["code_key"]], []).append(dict(row))
    return out


def code_usages(project: Any, codebook: str | int | None = None) -> dict[str, int]:
    """Per code of the newest version of the codebook: how many codings (any status but
    rejected, made under this version or an earlier one) count as it."""
    _, current = project.codebook(codebook)
    version_id, _ = project.codebook(current.name)
    with project.store.read() as conn:
        key_of = {i: k for k, i in code_ids(conn, version_id).items()}
        counted = counted_codes(conn, version_id)
        out = dict.fromkeys(key_of.values(), 0)
        rows = conn.execute(
            select(codings.c.code_id, func.count())
            .where(codings.c.code_id.in_(list(counted)), codings.c.status != "rejected")
            .group_by(codings.c.code_id)
        )
        for code_id, n in rows:
            out[key_of[counted[int(code_id)]]] += int(n)
    return out


def code_usage(project: Any, key: str, codebook: str | int | None = None) -> int:
    """How many codings count as ``key`` in the newest version (see :func:`code_usages`)."""
    usages = code_usages(project, codebook)
    if key not in usages:
        raise DiplocodeError("E089", what="code", ref=key)
    return usages[key]


def delete_code(project: Any, key: str, *, by: str, into: str | None = None) -> tuple[int, str]:
    """Delete a code: only when no coding counts as it (E077), or with ``into``, a code its
    codings then count as (a merge)."""
    if into is not None:
        return merge_codes(project, [key], into, by=by)
    used = code_usage(project, key)
    if used:
        raise DiplocodeError("E077", key=key, n=used)

    def change(data: dict[str, Any], changes: dict[str, Any]) -> None:
        dim, code = _find(data, key)
        dim["codes"].remove(code)
        _follow(data, key, None)
        changes["deleted"].append(key)

    return _edit(project, by, f"deleted {key}", change)


def _follow(data: dict[str, Any], old: str, new: str | None) -> None:
    """What named code ``old`` names ``new`` instead (or nothing, when ``new`` is None):
    the codes whose parent it was, and the ``tables:`` section."""
    for dim in data["dimensions"]:
        for other in dim["codes"]:
            if other.get("parent") == old:
                if new is None:
                    other.pop("parent")
                else:
                    other["parent"] = new
    _retarget_tables(data, old, new)


def _retarget_tables(data: dict[str, Any], old: str, new: str | None) -> None:
    """A ``tables:`` section naming a code by key follows a rename or merge (or drops it)."""
    models = (data.get("tables") or {}).get("models") or {}
    for column in models.get("columns") or []:
        codes = column.get("codes")
        if isinstance(codes, list) and old in codes:
            replaced = [new if c == old else c for c in codes if new is not None or c != old]
            column["codes"] = list(dict.fromkeys(c for c in replaced if c is not None))
