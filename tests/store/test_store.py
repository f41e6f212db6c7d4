"""The project store: creation, opening, schema revisions, migrations vs. tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.store import Store, _head, is_url
from diplocode.store.schema import metadata


def test_new_project_is_at_the_head_revision(project: Project) -> None:
    assert project.store.revision() == _head()
    assert project.languages[:4] == ("en", "ru", "kk", "zh")


def test_migrations_create_exactly_the_tables_the_code_queries(project: Project) -> None:
    with project.store.read() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_sqlite_project_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    with Store.create(tmp_path / "p.db") as store, store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_creating_over_an_existing_project_is_refused(db_url: str) -> None:
    Project.init(db_url).close()
    with pytest.raises(DiplocodeError) as info:
        Project.init(db_url)
    assert info.value.code == "E041"


def test_opening_a_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(DiplocodeError) as info:
        Project.open(tmp_path / "nothing.db")
    assert info.value.code == "E040"
    assert "diplocode init" in str(info.value)


def test_opening_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(DiplocodeError) as info:
        Project.open(bogus)
    assert info.value.code == "E042"


def test_opening_an_empty_sqlite_database(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(DiplocodeError) as info:
        Project.open(path)
    assert info.value.code == "E042"


def test_a_project_from_a_newer_diplocode_is_refused(db_url: str) -> None:
    Project.init(db_url).close()
    store = Store.open(db_url)
    with store.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    store.close()
    with pytest.raises(DiplocodeError) as info:
        Project.open(db_url)
    assert info.value.code == "E043"
    assert "9999_future" in str(info.value)


def test_an_older_project_is_backed_up_then_upgraded(
    db_url: str, tmp_path: Path, monkeypatch
) -> None:
    """A project at the first revision opens at head, with a backup taken first
    (SQLite: a copy beside the file; PostgreSQL: a pg_dump in the working folder)."""
    monkeypatch.chdir(tmp_path)
    store = Store(Store._engine(db_url), db_url)
    store._upgrade("0001")
    with store.begin() as conn:
        conn.execute(text("INSERT INTO project_meta (key, value) VALUES ('name', '\"old\"')"))
    store.close()
    assert _head() != "0001"
    with Project.open(db_url) as proj:
        assert proj.store.revision() == _head()
        assert proj.name == "old"
    if is_url(db_url):
        [dump] = list(tmp_path.glob("diplocode-*.bak-upgrade-0001-*.sql"))
        assert "CREATE TABLE public.sources" in dump.read_text()
        return
    [backup] = list(Path(db_url).parent.glob(f"{Path(db_url).name}.bak-upgrade-0001-*"))
    with Store(Store._engine(str(backup)), str(backup)) as old:
        assert old.revision() == "0001"


def test_unsupported_url_scheme() -> None:
    assert is_url("mysql://x/y")
    with pytest.raises(DiplocodeError) as info:
        Store.create("mysql://localhost/db")
    assert info.value.code == "E046"


def test_meta_round_trip(project: Project) -> None:
    with project.store.begin() as conn:
        project.store.set_meta(conn, "languages", ["en", "kk"])
    assert project.languages == ("en", "kk")
    with project.store.begin() as conn:
        project.store.set_meta(conn, "languages", ["ru"])
    assert project.languages == ("ru",)
