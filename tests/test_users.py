"""Users, roles, passwords and sessions (the library under the web workbench)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from diplocode import audit
from diplocode.cli import app as cli
from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.store.schema import users, web_sessions
from diplocode.users import (
    LoginThrottle,
    add_user,
    authenticate,
    end_session,
    list_users,
    require,
    session_for,
    set_password,
    set_role,
    start_session,
)

PASSWORD = "a long enough password"


def test_passwords_are_argon2id_hashes_and_checked(project: Project) -> None:
    user = add_user(project, "aigerim", PASSWORD, "coder", display_name="Aigerim")
    with project.store.read() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(project, "aigerim", PASSWORD) == user
    for name, password in (("aigerim", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(DiplocodeError) as err:
            authenticate(project, name, password)
        assert err.value.code == "E082"  # the same error: user names are not revealed


@pytest.mark.parametrize(
    "username,password,role,code",
    [
        ("dana", "short", "coder", "E087"),
        ("dana", PASSWORD, "admin", "E060"),
        ("with space", PASSWORD, "coder", "E060"),
        ("", PASSWORD, "coder", "E060"),
    ],
)
def test_bad_users_are_refused_with_a_code(
    project: Project, username: str, password: str, role: str, code: str
) -> None:
    with pytest.raises(DiplocodeError) as err:
        add_user(project, username, password, role)
    assert err.value.code == code
    assert list_users(project) == []


def test_duplicate_user(project: Project) -> None:
    add_user(project, "dana", PASSWORD)
    with pytest.raises(DiplocodeError) as err:
        add_user(project, "dana", PASSWORD)
    assert err.value.code == "E081"


def test_roles_and_their_audit_events(project: Project) -> None:
    viewer = add_user(project, "erlan", PASSWORD, "viewer", by="owner1")
    with pytest.raises(DiplocodeError) as err:
        require(viewer, "code")
    assert err.value.code == "E084" and "viewer" in str(err.value)
    set_role(project, "erlan", "coder", by="owner1")
    assert authenticate(project, "erlan", PASSWORD).role == "coder"
    with project.store.read() as conn:
        events = audit.log(conn, actor="owner1")
        assert [e["kind"] for e in events] == ["user.added", "user.role_changed"]
        assert events[1]["payload"] == {"username": "erlan", "from": "viewer", "to": "coder"}
        assert audit.verify(conn) == []


def test_sessions_live_until_logout_expiry_or_a_new_password(project: Project) -> None:
    user = add_user(project, "madina", PASSWORD)
    token, csrf = start_session(project, user)
    session = session_for(project, token)
    assert session is not None and session.user == user and session.csrf == csrf
    with project.store.read() as conn:
        stored = conn.execute(select(web_sessions.c.token_hash)).scalars().all()
    assert token not in stored  # only its digest is kept
    assert session_for(project, "forged") is None and session_for(project, None) is None
    end_session(project, token)
    assert session_for(project, token) is None
    expired, _ = start_session(project, user, hours=0)
    assert session_for(project, expired) is None
    live, _ = start_session(project, user)
    set_password(project, "madina", "another long password")
    assert session_for(project, live) is None
    assert authenticate(project, "madina", "another long password").username == "madina"


def test_login_throttle_window() -> None:
    throttle = LoginThrottle(limit=3, window=60)
    for _ in range(3):
        throttle.check("a", "1.2.3.4")
        throttle.failed("a", "1.2.3.4")
    with pytest.raises(DiplocodeError) as err:
        throttle.check("a", "1.2.3.4")
    assert err.value.code == "E083" and 0 < err.value.fields["wait"] <= 61
    throttle.check("a", "5.6.7.8")  # another address
    throttle.check("b", "1.2.3.4")  # another user
    throttle.succeeded("a", "1.2.3.4")
    throttle.check("a", "1.2.3.4")
    short = LoginThrottle(limit=1, window=0.0)
    short.failed("c", "x")
    short.check("c", "x")  # the failure already left a zero-length window


def test_user_commands(db_url: str) -> None:
    runner = CliRunner()
    Project.init(db_url).close()
    r = runner.invoke(
        cli,
        ["user", "add", "nurlan", "--role", "owner", "-p", db_url, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli, ["user", "add", "nurlan", "-p", db_url, "--password-stdin"], input=PASSWORD + "\n"
    )
    assert r.exit_code == 2 and "E081" in r.output
    r = runner.invoke(cli, ["user", "role", "nurlan", "viewer", "-p", db_url])
    assert r.exit_code == 0
    r = runner.invoke(cli, ["user", "list", "-p", db_url])
    assert "nurlan" in r.output and "viewer" in r.output
    with Project.open(db_url) as project:
        assert authenticate(project, "nurlan", PASSWORD).role == "viewer"


def test_login_failures_are_shared_by_server_processes(project: Project) -> None:
    """Two throttles on one project stand for two worker processes of `serve --workers`."""
    first, second = LoginThrottle(limit=3, project=project), LoginThrottle(limit=3, project=project)
    for throttle in (first, second, first):
        throttle.check("aliya", "10.0.0.7")
        throttle.failed("aliya", "10.0.0.7")
    for throttle in (first, second):
        with pytest.raises(DiplocodeError) as err:
            throttle.check("aliya", "10.0.0.7")
        assert err.value.code == "E083"
    second.check("aliya", "10.0.0.8")
    second.succeeded("aliya", "10.0.0.7")
    first.check("aliya", "10.0.0.7")
