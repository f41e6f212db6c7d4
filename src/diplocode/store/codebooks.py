"""Codebook versions in the store: immutable, content-hashed, one row per code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from ..errors import DiplocodeError
from . import inserted_id, now
from .schema import code_map, codebook_versions, codes


def find_by_hash(conn: Connection, content_hash: str) -> int | None:
    return conn.execute(
        select(codebook_versions.c.id).where(codebook_versions.c.content_hash == content_hash)
    ).scalar()


def latest_of(conn: Connection, name: str | None = None) -> int | None:
    query = select(func.max(codebook_versions.c.id))
    if name:
        query = query.where(codebook_versions.c.name == name)
    return conn.execute(query).scalar()


def _keys_of(content: dict[str, Any]) -> list[str]:
    return [code["key"] for dim in content["dimensions"] for code in dim["codes"]]


def lineage(
    conn: Connection, parent_id: int | None, content: dict[str, Any]
) -> list[tuple[str, str, str, int]]:
    """How the codes of ``content`` follow from the codes of version ``parent_id``:
    ``(old key, new key, relation, rank)`` rows, checked: every code of the parent is
    kept or declared under ``changes:`` (E075), and ``changes:`` names only codes the
    parent has (E076)."""
    if parent_id is None:
        return []
    parent = get_version(conn, parent_id)
    old_keys = _keys_of(parent["content"])
    new_keys = set(_keys_of(content))
    changes = content.get("changes") or {}
    declared = {
        **{k: ("renamed", [v]) for k, v in (changes.get("renamed") or {}).items()},
        **{k: ("merged", [v]) for k, v in (changes.get("merged") or {}).items()},
        **{k: ("split", list(v)) for k, v in (changes.get("split") or {}).items()},
        **{k: ("deleted", []) for k in changes.get("deleted") or []},
    }
    label = f"{parent['name']}@{parent['version']} (#{parent_id})"
    unknown = sorted(set(declared) - set(old_keys))
    if unknown:
        raise DiplocodeError(
            "E076", name=content["name"], keys=", ".join(map(repr, unknown)), parent=label
        )
    dropped = [k for k in old_keys if k not in new_keys and k not in declared]
    if dropped:
        raise DiplocodeError(
            "E075", name=content["name"], keys=", ".join(map(repr, dropped)), parent=label
        )
    rows: list[tuple[str, str, str, int]] = []
    for key in old_keys:
        if key in new_keys:
            rows.append((key, key, "same", 0))
            continue
        relation, targets = declared[key]
        rows.extend((key, target, relation, rank) for rank, target in enumerate(targets))
    return rows


def insert_version(conn: Connection, content: dict[str, Any], content_hash: str, who: str) -> int:
    """Store a new version, its codes and their links to the codes of the version
    before it (``code_map``); the caller checked the hash is new."""
    parent_id = latest_of(conn, content["name"])
    links = lineage(conn, parent_id, content)
    version_id = inserted_id(
        conn.execute(
            codebook_versions.insert().values(
                name=content["name"],
                version=content["version"],
                content_hash=content_hash,
                content=content,
                parent_id=parent_id,
                created_at=now(),
                created_by=who,
            )
        )
    )
    rows = [
        {
            "codebook_version_id": version_id,
            "key": code["key"],
            "dimension": dim["key"],
            "parent_key": code.get("parent"),
            "labels": code["label"],
            "definition": code.get("definition", {}),
        }
        for dim in content["dimensions"]
        for code in dim["codes"]
    ]
    conn.execute(codes.insert(), rows)
    if links:
        assert parent_id is not None
        old_ids, new_ids = code_ids(conn, parent_id), code_ids(conn, version_id)
        conn.execute(
            code_map.insert(),
            [
                {
                    "from_code_id": old_ids[old],
                    "to_code_id": new_ids[new],
                    "relation": relation,
                    "rank": rank,
                }
                for old, new, relation, rank in links
            ],
        )
    return version_id


def counted_codes(conn: Connection, version_id: int) -> dict[int, int]:
    """``{code id: code id of version_id}`` for every code whose codings count under
    ``version_id``: its own codes, and the codes of its earlier versions through
    ``code_map`` (a renamed or merged code counts as its successor; a split code as its
    first new code; a deleted one not at all)."""
    mapping = {i: i for i in code_ids(conn, version_id).values()}
    child = version_id
    seen = {version_id}
    while True:
        parent = conn.execute(
            select(codebook_versions.c.parent_id).where(codebook_versions.c.id == child)
        ).scalar()
        if parent is None or parent in seen:
            return mapping
        seen.add(parent)
        links = conn.execute(
            select(code_map.c.from_code_id, code_map.c.to_code_id)
            .join(codes, codes.c.id == code_map.c.from_code_id)
            .where(codes.c.codebook_version_id == parent, code_map.c.rank == 0)
        ).all()
        for old, new in links:
            if new in mapping:
                mapping[int(old)] = mapping[new]
        child = parent


def carried_over(conn: Connection, version_id: int) -> dict[str, int]:
    """How the codes of earlier versions count under ``version_id``: the number of old
    codes per relation along the way (renamed, merged, split, deleted)."""
    out: dict[str, int] = {}
    child = version_id
    seen = {version_id}
    while True:
        row = conn.execute(
            select(codebook_versions.c.parent_id, codebook_versions.c.content).where(
                codebook_versions.c.id == child
            )
        ).one_or_none()
        if row is None or row[0] is None or row[0] in seen:
            return out
        for name, value in (row[1].get("changes") or {}).items():
            if value:
                out[name] = out.get(name, 0) + len(value)
        seen.add(row[0])
        child = row[0]


def list_versions(conn: Connection, name: str | None = None) -> list[dict[str, Any]]:
    """Stored versions (of codebook ``name``, or all), oldest first, with their code counts."""
    n_codes = (
        select(codes.c.codebook_version_id, func.count().label("n_codes"))
        .group_by(codes.c.codebook_version_id)
        .subquery()
    )
    query = (
        select(
            codebook_versions.c.id,
            codebook_versions.c.name,
            codebook_versions.c.version,
            codebook_versions.c.content_hash,
            codebook_versions.c.parent_id,
            codebook_versions.c.created_at,
            codebook_versions.c.created_by,
            n_codes.c.n_codes,
        )
        .join(n_codes, n_codes.c.codebook_version_id == codebook_versions.c.id)
        .order_by(codebook_versions.c.id)
    )
    if name is not None:
        query = query.where(codebook_versions.c.name == name)
    return [dict(r) for r in conn.execute(query).mappings()]


def resolve_version(conn: Connection, ref: str | int | None) -> int:
    """A version id from its number, ``name`` (latest), ``name@version``, or a hash prefix;
    ``None`` means the latest version of any codebook."""
    if ref is None or str(ref).strip() == "":
        found = latest_of(conn)
        if found is None:
            raise DiplocodeError("E074")
        return int(found)
    text = str(ref).strip()
    table = codebook_versions
    if text.isdigit() and len(text) < 6:
        found = conn.execute(select(table.c.id).where(table.c.id == int(text))).scalar()
    elif "@" in text:
        name, _, version = text.partition("@")
        found = conn.execute(
            select(func.max(table.c.id)).where(table.c.name == name, table.c.version == version)
        ).scalar()
    else:
        found = latest_of(conn, text)
        if found is None and len(text) >= 6:
            matches = (
                conn.execute(
                    select(table.c.id).where(table.c.content_hash.like(f"{text.lower()}%")).limit(2)
                )
                .scalars()
                .all()
            )
            found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise DiplocodeError("E072", ref=ref)
    return int(found)


def get_version(conn: Connection, version_id: int) -> dict[str, Any]:
    row = (
        conn.execute(select(codebook_versions).where(codebook_versions.c.id == version_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise DiplocodeError("E072", ref=version_id)
    return dict(row)


def code_ids(conn: Connection, version_id: int) -> dict[str, int]:
    """``{code key: code row id}`` for one version."""
    rows = conn.execute(
        select(codes.c.key, codes.c.id).where(codes.c.codebook_version_id == version_id)
    )
    return {key: int(code_id) for key, code_id in rows}
