"""A diplocode project: a store plus its settings.

>>> import tempfile, os
>>> project = Project.init(os.path.join(tempfile.mkdtemp(), "p.db"))
>>> project.languages[:4]
('en', 'ru', 'kk', 'zh')
>>> project.close()
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .codebook.model import Codebook
from .corpus.langid import DEFAULT_LANGUAGES, LanguageDetector
from .errors import DiplocodeError
from .store import Store, is_url, now

__all__ = ["Project", "find_project"]

DEFAULT_PROJECT_FILE = "diplocode.db"
DEFAULT_CODEBOOK = "cultural-diplomacy"


class Project:
    """Open with :meth:`open` or create with :meth:`init`; close with :meth:`close`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # versions are immutable: a parsed version is cached by id (parsing and validating
        # a codebook costs milliseconds, and the web pages ask for it on every request)
        self._codebooks: dict[int, Codebook] = {}

    @classmethod
    def init(
        cls,
        where: str | os.PathLike[str],
        *,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        name: str | None = None,
        codebook: Codebook | str | None = DEFAULT_CODEBOOK,
        gazetteer: str | None = "builtin",
        who: str = "system",
    ) -> Project:
        """Create a project; ``codebook`` (a built-in name or a Codebook; None for none) is
        imported, and the actor gazetteer seeded (``"builtin"``; None starts with none)."""
        LanguageDetector(languages)._allowed  # validates the language list  # noqa: B018
        if isinstance(codebook, str):
            from .codebook.io import load_builtin

            codebook = load_builtin(codebook)
        store = Store.create(where)
        with store.begin() as conn:
            store.set_meta(conn, "name", name or Path(str(where)).stem)
            store.set_meta(conn, "languages", list(languages))
            store.set_meta(conn, "created_with", __version__)
            store.set_meta(conn, "created_at", now())
            if gazetteer is None:
                store.set_meta(conn, "gazetteer_seeded", {"gazetteer": None})
        project = cls(store)
        if codebook is not None:
            project.import_codebook(codebook, who)
        from .attribution import ensure_attributed

        ensure_attributed(store, who)  # the built-in actor gazetteer, and the state
        return project

    @classmethod
    def open(
        cls, where: str | os.PathLike[str], *, upgrade: bool = True, backup: bool = True
    ) -> Project:
        return cls(Store.open(where, upgrade=upgrade, backup=backup))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.store.get_meta("languages", list(DEFAULT_LANGUAGES)))

    @property
    def name(self) -> str:
        return str(self.store.get_meta("name", ""))

    # -- codebooks ----------------------------------------------------------------------
    def import_codebook(
        self, codebook: Codebook, who: str = "system", *, edit: str | None = None
    ) -> tuple[int, bool]:
        """Store a codebook version (one transaction, with its audit event).

        Returns ``(version id, created)``. Content already stored (same hash) is not
        stored again, nor is content equal to the newest version of that codebook but
        for ``changes:`` (an export imported back unchanged). A new version is linked to
        the newest version of the same name (its parent): every code of the parent is
        kept or declared under ``changes:`` (E075, E076), so human codings and decisions
        made under the parent count under the new version
        (:func:`diplocode.store.codebooks.counted_codes`). ``edit`` describes an edit made
        in the workbench, for the audit event.
        """
        from . import audit
        from .store import codebooks as cbq

        digest = codebook.content_hash()
        with self.store.begin() as conn:
            existing = cbq.find_by_hash(conn, digest)
            if existing is not None:
                return int(existing), False
            parent_id = cbq.latest_of(conn, codebook.name)
            if parent_id is not None:
                parent = Codebook.model_validate(cbq.get_version(conn, parent_id)["content"])
                if parent.without_changes().canonical() == codebook.without_changes().canonical():
                    return int(parent_id), False
            content = codebook.canonical()
            version_id = cbq.insert_version(conn, content, digest, who)
            n_codes = sum(1 for _ in codebook.codes())
            audit.codebook_imported(
                conn,
                who,
                version_id,
                codebook.name,
                codebook.version,
                digest,
                n_codes,
                parent_id=parent_id,
                changes=content.get("changes"),
                edit=edit,
            )
        return version_id, True

    def codebook(self, ref: str | int | None = None) -> tuple[int, Codebook]:
        """A stored codebook version (default: the latest) as ``(id, Codebook)``."""
        from .store import codebooks as cbq

        with self.store.read() as conn:
            version_id = cbq.resolve_version(conn, ref)
            cached = self._codebooks.get(version_id)
            if cached is not None:
                return version_id, cached
            row = cbq.get_version(conn, version_id)
        codebook = Codebook.model_validate(row["content"])
        self._codebooks[version_id] = codebook
        return version_id, codebook

    def settings(self) -> dict[str, Any]:
        from sqlalchemy import select

        from .store.schema import project_meta

        with self.store.read() as conn:
            return {k: v for k, v in conn.execute(select(project_meta.c.key, project_meta.c.value))}


def find_project(explicit: str | None) -> str:
    """Where the project is: ``--project``, else ``DIPLOCODE_PROJECT``, else ``./diplocode.db``."""
    where = explicit or os.environ.get("DIPLOCODE_PROJECT")
    if where:
        return where
    if Path(DEFAULT_PROJECT_FILE).is_file():
        return DEFAULT_PROJECT_FILE
    raise DiplocodeError("E045")


def describe(where: str) -> str:
    """A printable location (hides a URL's password)."""
    if not is_url(where):
        return str(Path(where))
    from sqlalchemy.engine import make_url

    return make_url(where).render_as_string(hide_password=True)
