"""Shared fixtures.

The whole suite runs against SQLite by default, and against PostgreSQL when
``DIPLOCODE_TEST_DB`` holds a server URL (each test then gets a fresh database created
on that server and dropped afterwards).

Tests that need ``../shared/data`` take the ``shared_data`` fixture: it skips only when
the folder is absent *and* ``CI`` is not set (a user's clone); in CI a missing folder
fails the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from diplocode.project import Project

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("DIPLOCODE_SHARED_DATA", REPO.parent / "shared" / "data"))
TEST_DB = os.environ.get("DIPLOCODE_TEST_DB", "")


def _pg_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(TEST_DB).set(drivername="postgresql+psycopg")
    name = f"dc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """Where a fresh project goes: a SQLite file, or a new PostgreSQL database."""
    if TEST_DB.startswith("postgres"):
        yield from _pg_database()
    else:
        yield str(tmp_path / "project.db")


@pytest.fixture
def project(db_url: str) -> Iterator[Project]:
    proj = Project.init(db_url)
    try:
        yield proj
    finally:
        proj.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but the shared data folder {SHARED_DATA} is missing")
        pytest.skip(f"{SHARED_DATA} is absent (a user's clone); these tests run in CI")
    return SHARED_DATA
