"""Codebook versions in the store: immutable, content-hashed, one row per code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from ..errors import DiplocodeError
from . import inserted_id, now
from .schema import codebook_versions, codes


def find_by_hash(conn: Connection, content_hash: str) -> int | None:
    return conn.execute(
        select(codebook_versions.c.id).where(codebook_versions.c.content_hash == content_hash)
    ).scalar()


def latest_of(conn: Connection, name: str | None = None) -> int | None:
    query = select(func.max(codebook_versions.c.id))
    if name:
        query = query.where(codebook_versions.c.name == name)
    return conn.execute(query).scalar()


def insert_version(conn: Connection, content: dict[str, Any], content_hash: str, who: str) -> int:
    """Store a new version and its codes; the caller checked the hash is new."""
    version_id = inserted_id(
        conn.execute(
            codebook_versions.insert().values(
                name=content["name"],
                version=content["version"],
                content_hash=content_hash,
                content=content,
                parent_id=latest_of(conn, content["name"]),
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
    return version_id


def list_versions(conn: Connection) -> list[dict[str, Any]]:
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
