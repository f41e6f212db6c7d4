"""The project store: one SQLite file (default) or a PostgreSQL database.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "p.db")
>>> store = Store.create(path)
>>> store.dialect
'sqlite'
>>> store.close()
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, CursorResult, Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError

from ..errors import DiplocodeError
from . import schema

__all__ = ["Store", "inserted_id", "is_url", "now", "schema"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def now() -> str:
    """The current UTC time as an ISO-8601 string with microseconds (sortable)."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds")


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the row a single-row INSERT created."""
    key = result.inserted_primary_key
    assert key is not None  # only called on single-row inserts
    return int(key[0])


def is_url(where: str) -> bool:
    """Whether ``where`` names a database server rather than a file."""
    return "://" in where


def _engine_url(where: str) -> str:
    if not is_url(where):
        return f"sqlite:///{Path(where).expanduser().resolve()}"
    try:
        url = make_url(where)
    except ArgumentError as e:
        raise DiplocodeError("E046", where=where) from e
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    elif not url.drivername.startswith(("postgresql", "sqlite")):
        raise DiplocodeError("E046", where=where)
    return url.render_as_string(hide_password=False)


def _alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _head() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None  # the package always ships migrations
    return head


class Store:
    """A connection to one project's database.

    Use :meth:`create` for a new project and :meth:`open` for an existing one. Write
    with ``with store.begin() as conn:`` (one transaction; on SQLite it takes the write
    lock at once, so concurrent writers queue instead of failing half-way).
    """

    def __init__(self, engine: Engine, where: str) -> None:
        self.engine = engine
        self.where = where
        self._writer = threading.RLock()  # see begin()

    # -- opening ------------------------------------------------------------------------
    @classmethod
    def _engine(cls, where: str) -> Engine:
        url = _engine_url(where)
        try:
            if url.startswith("sqlite"):
                engine = create_engine(
                    url, connect_args={"timeout": 60, "check_same_thread": False}
                )
                _configure_sqlite(engine)
            else:
                engine = create_engine(url, pool_pre_ping=True)
        except NoSuchModuleError as e:
            raise DiplocodeError("E046", where=where) from e
        return engine

    @classmethod
    def create(cls, where: str | os.PathLike[str]) -> Store:
        """Create a new, empty project store at a file path or database URL."""
        where = str(where)
        if not is_url(where):
            if Path(where).exists():
                raise DiplocodeError("E041", where=where)
            Path(where).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        store = cls(cls._engine(where), where)
        with store.engine.connect() as conn:
            if inspect(conn).has_table("alembic_version"):
                store.close()
                raise DiplocodeError("E041", where=where)
        store._upgrade()
        return store

    @classmethod
    def open(
        cls, where: str | os.PathLike[str], *, upgrade: bool = True, backup: bool = True
    ) -> Store:
        """Open an existing project; an older schema is backed up, then upgraded."""
        where = str(where)
        if not is_url(where) and not Path(where).is_file():
            raise DiplocodeError("E040", where=where)
        store = cls(cls._engine(where), where)
        try:
            found = store.revision()
        except DatabaseError as e:  # e.g. a text file named .db
            store.close()
            raise DiplocodeError("E042", where=where, detail=str(e.orig).splitlines()[0]) from e
        except Exception:
            store.close()
            raise
        head = _head()
        if found is None:
            store.close()
            raise DiplocodeError("E042", where=where, detail="it has no diplocode schema")
        if found != head:
            known = {
                s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
            }
            if found not in known:
                store.close()
                raise DiplocodeError("E043", where=where, found=found, known=head)
            if upgrade:
                if backup:
                    store.backup(reason=f"upgrade-{found}")
                store._upgrade()
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -------------------------------------------------------------------------
    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def revision(self) -> str | None:
        """The schema revision the database is at (None: not a diplocode database)."""
        with self.read() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _upgrade(self, target: str = "head") -> None:
        from alembic import command

        with self.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), target)

    def backup(self, reason: str = "backup") -> str:
        """Copy the whole database aside before a risky change; returns where it went.

        SQLite uses the online backup API (consistent even with WAL); PostgreSQL uses
        ``pg_dump`` when it is on PATH.
        """
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
        if self.dialect == "sqlite":
            db_path = self.engine.url.database
            assert db_path
            target = f"{db_path}.bak-{reason}-{stamp}"
            src = sqlite3.connect(db_path)
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
            return target
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise DiplocodeError(
                "E044",
                where=self.where,
                found=self.revision(),
                known=_head(),
                detail="pg_dump is not on PATH",
            )
        target = f"diplocode-{self.engine.url.database}.bak-{reason}-{stamp}.sql"
        url = self.engine.url.set(drivername="postgresql")
        result = subprocess.run(
            [pg_dump, "--no-owner", "-f", target, url.render_as_string(hide_password=False)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise DiplocodeError(
                "E044",
                where=self.where,
                found=self.revision(),
                known=_head(),
                detail=result.stderr.strip()[:300],
            )
        return target

    # -- transactions -------------------------------------------------------------------
    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any error.

        On SQLite, writers of this process first queue on a lock: SQLite admits one
        writer and makes the others poll with growing sleeps (its busy handler), which
        under load turns into long, unfair waits; a queue hands the lock on at once.
        """
        if self.dialect == "sqlite":
            with self._writer, self.engine.begin() as conn:
                yield conn
        else:
            with self.engine.begin() as conn:
                yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading."""
        with self.engine.connect().execution_options(diplocode_read=True) as conn:
            yield conn

    # -- project settings ---------------------------------------------------------------
    def get_meta(self, key: str, default: Any = None) -> Any:
        with self.read() as conn:
            value = conn.execute(
                select(schema.project_meta.c.value).where(schema.project_meta.c.key == key)
            ).scalar()
        return default if value is None else value

    def set_meta(self, conn: Connection, key: str, value: Any) -> None:
        table = schema.project_meta
        updated = conn.execute(table.update().where(table.c.key == key).values(value=value))
        if updated.rowcount == 0:
            conn.execute(table.insert().values(key=key, value=value))


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE for every transaction.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's ``begin``
    emits ``BEGIN IMMEDIATE``: a writer takes the lock up front and waits (busy
    timeout) instead of failing when it upgrades from reading to writing.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages of big batches stay hot
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()
        # Unicode case folding for searches (SQLite's lower() folds ASCII only)
        dbapi_conn.create_function(
            "casefold", 1, lambda v: v.casefold() if isinstance(v, str) else v, deterministic=True
        )

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        readonly = conn.get_execution_options().get("diplocode_read", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
