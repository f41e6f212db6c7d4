"""Users, roles, passwords and server-side sessions for team projects.

Roles (:data:`ROLES`): an **owner** does everything, including managing users and project
settings; a **coder** reads, codes, memos and reviews suggestions; a **viewer** only reads.
What each role may do is data (:data:`PERMISSIONS`), checked by :func:`require` in the
library and by the web layer on every route.

Passwords are stored as argon2id hashes (argon2-cffi). A session is a random token held
only in the browser's cookie; the store keeps its SHA-256, the user, a CSRF token and the
expiry. Every change to users is an audit event.

>>> can("viewer", "code"), can("coder", "code"), can("coder", "manage_users")
(False, True, False)
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from . import audit
from .errors import DiplocodeError
from .project import Project
from .store import inserted_id, now
from .store.schema import USER_ROLES, login_failures, users, web_sessions

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "PERMISSIONS",
    "ROLES",
    "LoginThrottle",
    "Session",
    "User",
    "add_user",
    "authenticate",
    "can",
    "end_session",
    "get_user",
    "list_users",
    "require",
    "session_for",
    "set_password",
    "set_role",
    "start_session",
]

ROLES = USER_ROLES
MIN_PASSWORD_LENGTH = 10
SESSION_HOURS = 12

#: action -> roles allowed to do it
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "read": ("owner", "coder", "viewer"),
    "code": ("owner", "coder"),
    "review": ("owner", "coder"),
    "memo": ("owner", "coder"),
    "upload": ("owner", "coder"),
    "edit_source": ("owner", "coder"),
    "delete_source": ("owner",),
    "edit_codebook": ("owner",),
    "manage_users": ("owner",),
    "settings": ("owner",),
}

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str | None
    role: str

    def can(self, action: str) -> bool:
        return can(self.role, action)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    expires_at: str


def can(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (a key of :data:`PERMISSIONS`)."""
    return role in PERMISSIONS[action]


def require(user: User, action: str) -> None:
    """E084 unless the user's role allows the action."""
    if not user.can(action):
        raise DiplocodeError("E084", role=user.role, action=action.replace("_", " "))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise DiplocodeError(
            "E060", param="role", owner="user", constraint=f"one of {', '.join(ROLES)}", value=role
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DiplocodeError("E087", min_length=MIN_PASSWORD_LENGTH)


def _user(row: Any) -> User:
    return User(row.id, row.username, row.display_name, row.role)


def add_user(
    project: Project,
    username: str,
    password: str,
    role: str = "coder",
    *,
    display_name: str | None = None,
    by: str = "cli",
) -> User:
    """Add a user with an argon2id password hash; one transaction with its audit event."""
    username = username.strip()
    if not username or len(username) > 128 or any(c.isspace() for c in username):
        raise DiplocodeError(
            "E060",
            param="username",
            owner="user add",
            constraint="1-128 characters without spaces",
            value=username,
        )
    _check_role(role)
    _check_password(password)
    hashed = _hasher.hash(password)
    with project.store.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == username)).first():
            raise DiplocodeError("E081", username=username)
        user_id = inserted_id(
            conn.execute(
                users.insert().values(
                    username=username,
                    display_name=display_name,
                    role=role,
                    password_hash=hashed,
                    created_at=now(),
                )
            )
        )
        audit.append(conn, "user.added", by, {"username": username, "role": role})
    return User(int(user_id), username, display_name, role)


def get_user(project: Project, username: str) -> User:
    with project.store.read() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise DiplocodeError("E080", username=username)
    return _user(row)


def list_users(project: Project) -> list[User]:
    with project.store.read() as conn:
        return [_user(r) for r in conn.execute(select(users).order_by(users.c.username))]


def set_role(project: Project, username: str, role: str, *, by: str = "cli") -> None:
    _check_role(role)
    with project.store.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise DiplocodeError("E080", username=username)
        conn.execute(users.update().where(users.c.id == row.id).values(role=role))
        audit.append(
            conn, "user.role_changed", by, {"username": username, "from": row.role, "to": role}
        )


def set_password(project: Project, username: str, password: str, *, by: str = "cli") -> None:
    """A new password; every session of the user ends."""
    _check_password(password)
    hashed = _hasher.hash(password)
    with project.store.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            raise DiplocodeError("E080", username=username)
        conn.execute(users.update().where(users.c.id == row.id).values(password_hash=hashed))
        conn.execute(web_sessions.delete().where(web_sessions.c.user_id == row.id))
        audit.append(conn, "user.password_changed", by, {"username": username})


def authenticate(project: Project, username: str, password: str) -> User:
    """The user, or E082 (the same error whether the name or the password was wrong)."""
    with project.store.read() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None or not row.password_hash:
        # spend the same time as a real check, so response times do not reveal user names
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        raise DiplocodeError("E082")
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise DiplocodeError("E082") from None
    return _user(row)


_DUMMY_HASH = _hasher.hash("not a password anyone has" + secrets.token_hex(8))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def start_session(project: Project, user: User, *, hours: int = SESSION_HOURS) -> tuple[str, str]:
    """A new session for ``user``: returns (token for the cookie, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    created = datetime.now(UTC)
    with project.store.begin() as conn:
        conn.execute(
            web_sessions.insert().values(
                token_hash=_token_hash(token),
                user_id=user.id,
                csrf=csrf,
                created_at=_stamp(created),
                expires_at=_stamp(created + timedelta(hours=hours)),
            )
        )
        # expired sessions are cleared whenever someone logs in
        conn.execute(web_sessions.delete().where(web_sessions.c.expires_at < _stamp(created)))
    return token, csrf


def session_for(project: Project, token: str | None) -> Session | None:
    """The live session of a cookie token, or None."""
    if not token:
        return None
    with project.store.read() as conn:
        row = conn.execute(
            select(web_sessions, users.c.username, users.c.display_name, users.c.role)
            .join(users, users.c.id == web_sessions.c.user_id)
            .where(web_sessions.c.token_hash == _token_hash(token))
        ).first()
    if row is None or row.expires_at < _stamp(datetime.now(UTC)):
        return None
    return Session(
        User(row.user_id, row.username, row.display_name, row.role), row.csrf, row.expires_at
    )


def end_session(project: Project, token: str | None) -> None:
    if token:
        with project.store.begin() as conn:
            conn.execute(
                web_sessions.delete().where(web_sessions.c.token_hash == _token_hash(token))
            )


class LoginThrottle:
    """Failed logins per (user name, address) in a sliding window: after ``limit``
    failures within ``window`` seconds, further attempts wait until the oldest failure
    leaves the window.

    With a ``project``, failures are rows of ``login_failures`` in its store, so every
    server process (``serve --workers N``) sees the same count; without one they are kept
    in memory (one process, or tests)."""

    def __init__(self, limit: int = 5, window: float = 300.0, project: Project | None = None):
        self.limit = limit
        self.window = window
        self.project = project
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], moment: float) -> list[float]:
        """The failure times of ``key`` inside the window, oldest first."""
        if self.project is not None:
            with self.project.store.read() as conn:
                return [
                    float(t)
                    for t in conn.execute(
                        select(login_failures.c.at)
                        .where(
                            login_failures.c.username == key[0],
                            login_failures.c.address == key[1],
                            login_failures.c.at > moment - self.window,
                        )
                        .order_by(login_failures.c.at)
                    ).scalars()
                ]
        with self._lock:
            failures = self._failures.setdefault(key, deque())
            while failures and failures[0] <= moment - self.window:
                failures.popleft()
            return list(failures)

    def check(self, username: str, address: str) -> None:
        """E083 while the (user, address) pair is throttled."""
        moment = time.time()
        failures = self._recent((username, address), moment)
        if len(failures) >= self.limit:
            wait = int(failures[-self.limit] + self.window - moment) + 1
            raise DiplocodeError("E083", username=username, wait=wait)

    def failed(self, username: str, address: str) -> None:
        moment = time.time()
        if self.project is not None:
            with self.project.store.begin() as conn:
                conn.execute(
                    login_failures.insert().values(username=username, address=address, at=moment)
                )
                # failures older than the window are no longer needed
                conn.execute(
                    login_failures.delete().where(login_failures.c.at <= moment - self.window)
                )
            return
        with self._lock:
            self._failures.setdefault((username, address), deque()).append(moment)

    def succeeded(self, username: str, address: str) -> None:
        if self.project is not None:
            with self.project.store.begin() as conn:
                conn.execute(
                    login_failures.delete().where(
                        login_failures.c.username == username,
                        login_failures.c.address == address,
                    )
                )
            return
        with self._lock:
            self._failures.pop((username, address), None)
