"""The web workbench: FastAPI routes over the library, Jinja2 pages, a JSON API.

Routes parse, check the role, call the library and render; they hold no logic of their
own. Every page and API route declares the action it needs (:data:`~diplocode.users.PERMISSIONS`).

- **Single-user mode** (default): no login; the person at the machine is the owner. The
  CLI binds it to 127.0.0.1 only.
- **Team mode** (``team=True``): login with argon2id-hashed passwords, server-side
  sessions (HttpOnly, SameSite=Lax cookie), per-user roles, login throttling.

Every state-changing request (form or API) must carry the session's CSRF token, in the
``X-CSRF-Token`` header or a ``csrf_token`` form field; in single-user mode the token is
per server process, which stops other web pages from posting to the local server.

Errors are one shape for the API, ``{"ok": false, "error": {"code", "what", "fix",
"what_local", "fix_local"}}`` (``what``/``fix`` in English, stable for scripts; the
``_local`` pair in the request's language), and an error page, in the request's language,
for the HTML routes.
"""

from __future__ import annotations

import getpass
import json
import re
import secrets
import socket
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import uvicorn
from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.middleware.base import BaseHTTPMiddleware

from .. import __version__, audit, auditlog, coding, workbench
from ..analysis import stats
from ..analysis.compare import Spec
from ..analysis.compare import compare as run_compare
from ..analysis.data import ACTOR_ROLES
from ..codebook import edit as cbedit
from ..corpus.ingest import IngestItem, ingest
from ..corpus.metadata import SourceMeta, check_group, parse_actors, parse_date
from ..corpus.readers import ReadOptions
from ..errors import REQUEST_INVALID, DiplocodeError, localized, translate
from ..i18n import ACTOR_KIND_NAMES, NAME_KIND_NAMES, SOURCE_GROUP_NAMES, name_in
from ..project import Project
from ..store.schema import SOURCE_GROUPS, audit_head
from ..store.sources import SourceFilter, parse_attributes
from ..users import (
    LoginThrottle,
    Session,
    User,
    authenticate,
    end_session,
    require,
    session_for,
    start_session,
)
from .i18n import LANGUAGES, error_translations, negotiate, translations

__all__ = ["app_from_environment", "create_app", "serve_workers"]

SESSION_COOKIE = "dc_session"
LANG_COOKIE = "dc_lang"
MAX_UPLOAD_MB = 50.0

#: HTTP status for each error code the routes can meet
_STATUS = {
    "E050": 404,
    "E089": 404,
    "E103": 404,
    "E102": 409,
    "E080": 404,
    "E072": 404,
    "E082": 401,
    "E088": 401,
    "E083": 429,
    "E084": 403,
    "E085": 403,
    "E086": 409,
    "E081": 409,
    "E090": 409,
}


class InvalidRequest(DiplocodeError):
    """A coded error in a request's parameters: sent as 422, as FastAPI sends its own
    validation errors."""

    @classmethod
    def of(cls, error: DiplocodeError) -> InvalidRequest:
        return cls(error.code, **error.fields)


class _Context:
    """Per-request state: who, in which language, with which CSRF token."""

    def __init__(self, user: User, csrf: str, lang: str) -> None:
        self.user = user
        self.csrf = csrf
        self.lang = lang
        self.gettext = translations(lang).gettext

    def can(self, action: str) -> bool:
        return self.user.can(action)


def _safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (other hosts, ``//host``,
    ``/\\host``, schemes) becomes ``/``: no open redirects."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(c in target for c in "\r\n\\") or ":" in target.split("?")[0]:
        return "/"
    return target


class _SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
            "form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


# -- /api/docs --------------------------------------------------------------------------------
#: the files of Swagger UI that /api/docs loads, served from the swagger-ui-bundle package
_SWAGGER_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"})
_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>diplocode workbench API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="icon" href="/api/docs/assets/favicon-32x32.png">
<script src="/api/docs/assets/swagger-ui-bundle.js" defer></script>
<script src="/static/api-docs.js" defer></script>
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
</body>
</html>
"""


def _add_api_docs(app: FastAPI, openapi_url: str) -> None:
    """``/api/docs``: Swagger UI from this machine (no CDN), its start-up in
    ``static/api-docs.js`` (no inline script), so it works offline and the
    Content-Security-Policy stays ``script-src 'self'``."""
    from fastapi.responses import FileResponse
    from swagger_ui_bundle import swagger_ui_path

    folder = Path(str(swagger_ui_path))
    html = _DOCS_PAGE.format(openapi_url=openapi_url)

    async def docs(request: Request) -> Response:
        return HTMLResponse(html)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _SWAGGER_FILES:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        return FileResponse(folder / name, headers={"Cache-Control": "max-age=86400"})

    app.add_route("/api/docs", docs, include_in_schema=False)
    app.add_route("/api/docs/assets/{name}", asset, include_in_schema=False)


# -- API request bodies ---------------------------------------------------------------------
class NewCoding(BaseModel):
    source_id: int
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    code: str
    memo: str | None = None


class ChangeCode(BaseModel):
    code: str
    note: str | None = None


class Review(BaseModel):
    note: str | None = None


class NewMemo(BaseModel):
    text: str
    source_id: int | None = None
    coding_id: int | None = None
    code_key: str | None = None


class MemoEdit(BaseModel):
    text: str = Field(min_length=1, max_length=100_000)


class SourceEdit(BaseModel):
    """Fields left out are not changed; an empty string clears an optional field."""

    model_config = {"extra": "forbid"}
    title: str | None = None
    group: str | None = None
    date: str | None = None
    language: str | None = None
    url: str | None = None
    publisher: str | None = None
    actors: list[str] | None = None
    attributes: dict[str, str | None] | None = None


class Reopen(BaseModel):
    note: str | None = Field(default=None, max_length=10_000)
    expect: str | None = Field(default=None, pattern="^(accepted|rejected|final)$")


class CodeEdit(BaseModel):
    label: dict[str, str] = Field(default_factory=dict)
    definition: dict[str, str] = Field(default_factory=dict)
    lexicon: dict[str, list[str]] = Field(default_factory=dict)


class NewCode(BaseModel):
    dimension: str = Field(min_length=1, max_length=64)
    key: str = Field(min_length=1, max_length=128)
    label: dict[str, str]
    definition: dict[str, str] = Field(default_factory=dict)


class CodeRename(BaseModel):
    new_key: str = Field(min_length=1, max_length=128)


class CodeMove(BaseModel):
    dimension: str = Field(min_length=1, max_length=64)
    position: int | None = None


class CodeMerge(BaseModel):
    into: str = Field(min_length=1, max_length=128)


class NewPart(BaseModel):
    key: str = Field(min_length=1, max_length=128)
    label: dict[str, str] = Field(default_factory=dict)
    definition: dict[str, str] = Field(default_factory=dict)


class CodeSplit(BaseModel):
    into: list[NewPart] = Field(min_length=2, max_length=20)


class NewActor(BaseModel):
    name: str = Field(min_length=1, max_length=256)
    kind: str = "state"


class ActorName(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    lang: str = Field(min_length=2, max_length=8)
    kind: str = "name"


class Settings(BaseModel):
    blind_coding: bool


class _TcpConfig(uvicorn.Config):
    """uvicorn's configuration with a listener made with ``IPPROTO_TCP``.

    uvicorn's own multi-worker path binds the listening socket with protocol 0; accepted
    sockets inherit it and asyncio then leaves Nagle's algorithm on, so every keep-alive
    request after the first waits ~40 ms for a delayed ACK (Kludex/uvicorn#3149; measured
    here: 48 ms for ``GET /api/me`` with 2 workers against 3 ms with one).
    """

    def bind_socket(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.set_inheritable(True)
        return sock


def serve_workers(host: str, port: int, workers: int, **options: Any) -> None:
    """Run :func:`app_from_environment` in ``workers`` uvicorn processes (see
    :class:`_TcpConfig` for why the listener is made here)."""
    from uvicorn.supervisors import Multiprocess

    config = _TcpConfig(
        "diplocode.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **options,
    )
    Multiprocess(config, sockets=[config.bind_socket()]).run()


def app_from_environment() -> FastAPI:
    """The app for a worker process started by ``diplocode serve --workers N`` (uvicorn
    imports it by name in each worker): the project and mode come from the environment
    the CLI sets (``DIPLOCODE_SERVE_PROJECT``, ``DIPLOCODE_SERVE_TEAM``,
    ``DIPLOCODE_SERVE_USER``, ``DIPLOCODE_SERVE_CSRF``)."""
    import os

    project = Project.open(os.environ["DIPLOCODE_SERVE_PROJECT"])
    return create_app(
        project,
        team=os.environ.get("DIPLOCODE_SERVE_TEAM") == "1",
        local_user=os.environ.get("DIPLOCODE_SERVE_USER") or None,
        local_csrf=os.environ.get("DIPLOCODE_SERVE_CSRF") or None,
    )


def create_app(
    project: Project,
    *,
    team: bool = False,
    local_user: str | None = None,
    local_csrf: str | None = None,
) -> FastAPI:
    """The workbench for one open project.

    ``team`` requires login; otherwise every request acts as ``local_user`` (default: the
    operating-system user) with the owner role, and writes need ``local_csrf`` (default: a
    random token for this process; worker processes share one).
    """
    app = FastAPI(
        title="diplocode workbench",
        version=__version__,
        docs_url=None,  # served by _add_api_docs: offline, under the strict CSP
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(_SecurityHeaders)
    here = Path(__file__).parent
    app.mount("/static", StaticFiles(directory=here / "static"), name="static")
    _add_api_docs(app, "/api/openapi.json")
    env = Environment(
        loader=PackageLoader("diplocode.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    throttle = LoginThrottle(project=project)  # in the store: shared by worker processes
    local = User(0, local_user or _os_user(), None, "owner")
    local_csrf = local_csrf or secrets.token_urlsafe(32)
    app.state.project = project
    app.state.team = team
    app.state.throttle = throttle

    # -- who is asking -------------------------------------------------------------------
    def _lang(request: Request) -> str:
        return negotiate(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))

    def _session(request: Request) -> Session | None:
        if not team:
            return Session(local, local_csrf, "")
        return session_for(project, request.cookies.get(SESSION_COOKIE))

    def context(request: Request) -> _Context:
        """The request's user (E088 when not logged in) and, for writes, a valid CSRF
        token (E085)."""
        session = _session(request)
        if session is None:
            raise DiplocodeError("E088")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.headers.get("x-csrf-token") or getattr(request.state, "form_csrf", None)
            if not sent or not secrets.compare_digest(sent, session.csrf):
                raise DiplocodeError("E085")
        return _Context(session.user, session.csrf, _lang(request))

    def needs(action: str) -> Any:
        def check(ctx: _Context = Depends(context)) -> _Context:
            require(ctx.user, action)
            return ctx

        return Depends(check)

    async def form_csrf(request: Request) -> None:
        """Forms send the CSRF token as a field; read it before the context check."""
        if request.method == "POST" and "x-csrf-token" not in request.headers:
            content_type = request.headers.get("content-type", "")
            if content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
                form = await request.form()
                token = form.get("csrf_token")
                if isinstance(token, str):
                    request.state.form_csrf = token

    # -- errors: one shape for the API, a page for the browser -------------------------------
    @app.exception_handler(DiplocodeError)
    async def _on_error(request: Request, exc: DiplocodeError) -> Response:
        status = 422 if isinstance(exc, InvalidRequest) else _STATUS.get(exc.code, 400)
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"ok": False, "error": _err(exc, _lang(request))}, status_code=status
            )
        if exc.code == "E088":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        lang = _lang(request)
        session = _session(request)
        ctx = _Context(session.user, session.csrf, lang) if session else None
        return HTMLResponse(
            _render("error.html", request, ctx, error=_err(exc, lang), status=status),
            status_code=status,
        )

    from fastapi.exceptions import RequestValidationError

    @app.exception_handler(RequestValidationError)
    async def _on_invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        fields = {
            "where": ".".join(str(p) for p in first.get("loc", ())),
            "detail": first.get("msg", "invalid"),
        }
        english = error_translations("en").gettext
        local = error_translations(_lang(request)).gettext
        what, fix = (translate(t, fields, english) for t in REQUEST_INVALID)
        what_local, fix_local = (translate(t, fields, local) for t in REQUEST_INVALID)
        return JSONResponse(
            {
                "ok": False,
                "error": {
                    "code": "E060",
                    "what": what,
                    "fix": fix,
                    "what_local": what_local,
                    "fix_local": fix_local,
                },
            },
            status_code=422,
        )

    # -- rendering ---------------------------------------------------------------------------
    def _render(name: str, request: Request, ctx: _Context | None, **values: Any) -> str:
        lang = ctx.lang if ctx else _lang(request)
        gettext = translations(lang).gettext
        ngettext = translations(lang).ngettext
        template = env.get_template(name)
        return template.render(
            _=gettext,
            gettext=gettext,
            ngettext=ngettext,
            ctx=ctx,
            lang=lang,
            languages=LANGUAGES,
            team=team,
            request_path=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            project_name=project.name,
            version=__version__,
            colours=_colours(),
            group_names=_names(SOURCE_GROUP_NAMES, lang),  # source groups in lang, by key
            dimension_names=_dimension_names(lang),  # the codebook's dimensions in lang
            **values,
        )

    def page(name: str, request: Request, ctx: _Context, **values: Any) -> HTMLResponse:
        return HTMLResponse(_render(name, request, ctx, **values))

    def _versions(name: str) -> list[dict[str, Any]]:
        from ..store.codebooks import list_versions

        with project.store.read() as conn:
            return list_versions(conn, name)

    def _dimension_names(lang: str) -> dict[str, str]:
        """Each dimension's label in ``lang`` (else English), by key: legends use it."""
        return {d.key: d.label.get(lang) or d.label["en"] for d in project.codebook()[1].dimensions}

    def _colours() -> dict[str, str]:
        """Each dimension's colour, from the codebook's tables: section (else the palette)."""
        return project.codebook()[1].layout().colours

    def ok(**values: Any) -> JSONResponse:
        return JSONResponse({"ok": True, **values})

    # -- login, logout, language ---------------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/") -> Response:
        if not team:
            return RedirectResponse(_safe_next(next), status_code=303)
        return HTMLResponse(_render("login.html", request, None, next=_safe_next(next), error=None))

    @app.post("/login")
    def login(
        request: Request,
        username: str = Form(...),
        password: str = Form(...),
        next: str = Form("/"),
    ) -> Response:
        if not team:
            return RedirectResponse("/", status_code=303)
        address = request.client.host if request.client else "?"
        try:
            throttle.check(username, address)
            user = authenticate(project, username, password)
        except DiplocodeError as exc:
            if exc.code == "E082":
                throttle.failed(username, address)
            status = _STATUS.get(exc.code, 400)
            return HTMLResponse(
                _render(
                    "login.html",
                    request,
                    None,
                    next=_safe_next(next),
                    error=_err(exc, _lang(request)),
                ),
                status_code=status,
            )
        throttle.succeeded(username, address)
        token, _ = start_session(project, user)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            max_age=12 * 3600,
        )
        return response

    @app.post("/logout", dependencies=[Depends(form_csrf)])
    def logout(request: Request, ctx: _Context = Depends(context)) -> Response:
        end_session(project, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login" if team else "/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/lang/{code}")
    def switch_language(code: str, next: str = "/") -> Response:
        response = RedirectResponse(_safe_next(next), status_code=303)
        if code in LANGUAGES:
            response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax")
        return response

    # -- corpus ---------------------------------------------------------------------------------
    def _number(value: str | None, name: str, kind: type = int) -> Any:
        """A query parameter as a number; empty means not given (HTML forms send empty
        fields), anything else not a number is E060."""
        value = (value or "").strip()
        if not value:
            return None
        try:
            return kind(value)
        except ValueError:
            raise DiplocodeError(
                "E060", param=name, owner="the filter", constraint="a number", value=value
            ) from None

    def source_filter(
        actor: str | None = None,
        group: str | None = None,
        language: str | None = None,
        year_from: str | None = None,
        year_to: str | None = None,
        q: str | None = None,
        has_codings: str | None = None,
        attr: list[str] = Query(default=[]),
        _: _Context = Depends(context),
    ) -> SourceFilter:
        """The corpus filters, from the page's form and the API alike (validated by
        :meth:`SourceFilter.validate`, after the login check: a bad value is a 422)."""
        coded = (has_codings or "").strip().lower()
        try:
            if coded not in ("", "yes", "no", "true", "false", "1", "0"):
                raise DiplocodeError(
                    "E060",
                    param="has_codings",
                    owner="the filter",
                    constraint="yes or no",
                    value=has_codings,
                )
            flt = SourceFilter(
                actor=actor or None,
                group=group or None,
                language=language or None,
                year_from=_number(year_from, "year_from"),
                year_to=_number(year_to, "year_to"),
                fulltext=q or None,
                has_codings=None if not coded else coded in ("yes", "true", "1"),
                attributes=parse_attributes([a for a in attr if a.strip()], "attr"),
            )
            with project.store.read() as conn:
                return flt.validate(project.languages, conn)
        except DiplocodeError as exc:
            raise InvalidRequest.of(exc) from None

    @app.get("/", response_class=HTMLResponse)
    def corpus(
        request: Request,
        flt: SourceFilter = Depends(source_filter),
        page_no: int = 1,
        ctx: _Context = needs("read"),
    ) -> HTMLResponse:
        rows, total = workbench.corpus_page(project, flt, page=page_no)
        names = ("actor", "group", "language", "year_from", "year_to", "q", "has_codings", "attr")
        params = {k: v for k, v in request.query_params.items() if k in names and v}
        return page(
            "corpus.html",
            request,
            ctx,
            rows=rows,
            total=total,
            page_no=page_no,
            per_page=50,
            params=params,
            query=urlencode(params),
            groups=SOURCE_GROUPS,
            project_languages=project.languages,
            max_upload_mb=MAX_UPLOAD_MB,
        )

    @app.get("/api/sources")
    def api_sources(
        flt: SourceFilter = Depends(source_filter),
        page_no: int = 1,
        ctx: _Context = needs("read"),
    ) -> JSONResponse:
        rows, total = workbench.corpus_page(project, flt, page=page_no)
        return ok(total=total, sources=[_jsonable(r) for r in rows])

    @app.post("/upload", dependencies=[Depends(form_csrf)])
    async def upload(
        request: Request,
        files: list[UploadFile] = File(...),
        actor: str = Form(""),
        group: str = Form(""),
        date: str = Form(""),
        ctx: _Context = needs("upload"),
    ) -> HTMLResponse:
        results = await _ingest_uploads(files, actor, group, date, ctx)
        return page("upload_done.html", request, ctx, results=results)

    @app.post("/api/upload", dependencies=[Depends(form_csrf)])
    async def api_upload(
        files: list[UploadFile] = File(...),
        actor: str = Form(""),
        group: str = Form(""),
        date: str = Form(""),
        ctx: _Context = needs("upload"),
    ) -> JSONResponse:
        results = await _ingest_uploads(files, actor, group, date, ctx)
        return ok(results=results)

    async def _ingest_uploads(
        files: list[UploadFile], actor: str, group: str, date: str, ctx: _Context
    ) -> list[dict[str, Any]]:
        """Uploaded files go through the same ingestion as the CLI: each in its own
        transaction, bad files reported with their code, the rest continue. Files are
        written under a fresh temporary folder with a sanitised name; nothing from the
        request chooses a path."""
        limit = int(MAX_UPLOAD_MB * 1024 * 1024)
        out: list[dict[str, Any]] = []
        meta = SourceMeta(
            actors=parse_actors(actor or None, "the upload form's actor field"),
            group=check_group(group or None, "the upload form's group field"),
            date=parse_date(date or None, "the upload form's date field"),
        )
        with tempfile.TemporaryDirectory(prefix="diplocode-upload-") as tmp:
            items = []
            for i, upload_file in enumerate(files):
                name = _safe_filename(upload_file.filename or f"upload-{i}")
                data = await upload_file.read(limit + 1)
                if len(data) > limit:
                    err = DiplocodeError(
                        "E002",
                        path=name,
                        size_mb=len(data) / 1048576,
                        limit_mb=MAX_UPLOAD_MB,
                    )
                    out.append({"file": name, "status": "failed", "error": _err(err, ctx.lang)})
                    continue
                path = Path(tmp) / f"{i:03d}-{name}"
                path.write_bytes(data)
                items.append(IngestItem(path, meta, origin=name))
            for result in ingest(
                project.store,
                items,
                languages=project.languages,
                options=ReadOptions(max_file_mb=MAX_UPLOAD_MB),
                who=ctx.user.username,
            ):
                out.append(
                    {
                        "file": result.path.name.split("-", 1)[-1],
                        "status": result.status,
                        "source_id": result.source_id,
                        "language": result.language,
                        "notes": list(result.notes),
                        "error": _err(_as_uploaded(result.error, tmp), ctx.lang)
                        if result.error
                        else None,
                    }
                )
        return out

    # -- one source -------------------------------------------------------------------------------
    @app.get("/sources/{source_id}", response_class=HTMLResponse)
    def source_view(
        request: Request,
        source_id: int,
        include_rejected: bool = False,
        ctx: _Context = needs("read"),
    ) -> HTMLResponse:
        source = workbench.source_page(
            project, source_id, ctx.user, include_rejected=include_rejected
        )
        _, codebook = project.codebook()
        return page(
            "source.html",
            request,
            ctx,
            source=source,
            include_rejected=include_rejected,
            groups=SOURCE_GROUPS,
            choices=workbench.code_choices(codebook, ctx.lang),
            labels=_labels(codebook, ctx.lang),
        )

    @app.get("/api/sources/{source_id}")
    def api_source(
        source_id: int, include_rejected: bool = False, ctx: _Context = needs("read")
    ) -> JSONResponse:
        source = workbench.source_page(
            project, source_id, ctx.user, include_rejected=include_rejected
        )
        source.pop("paragraphs")
        return ok(source=_jsonable(source))

    # -- codings ------------------------------------------------------------------------------------
    @app.post("/api/codings")
    def api_create(body: NewCoding, ctx: _Context = needs("code")) -> JSONResponse:
        coding_id = coding.create(
            project,
            body.source_id,
            body.start,
            body.end,
            body.code,
            ctx.user.username,
            memo=(body.memo or "").strip() or None,
        )
        return ok(coding_id=coding_id)

    @app.post("/api/codings/{coding_id}/accept")
    def api_accept(coding_id: int, body: Review, ctx: _Context = needs("review")) -> JSONResponse:
        coding.accept(project, coding_id, ctx.user.username, body.note, expect="suggested")
        return ok(coding_id=coding_id, status="accepted")

    @app.post("/api/codings/{coding_id}/reject")
    def api_reject(coding_id: int, body: Review, ctx: _Context = needs("review")) -> JSONResponse:
        coding.reject(project, coding_id, ctx.user.username, body.note, expect="suggested")
        return ok(coding_id=coding_id, status="rejected")

    @app.post("/api/codings/{coding_id}/reopen")
    def api_reopen(coding_id: int, body: Reopen, ctx: _Context = needs("review")) -> JSONResponse:
        """Undo a review decision: the suggestion is unreviewed again (#10)."""
        coding.reopen(project, coding_id, ctx.user.username, body.note, expect=body.expect)
        return ok(coding_id=coding_id, status="suggested")

    @app.post("/api/codings/{coding_id}/code")
    def api_change(coding_id: int, body: ChangeCode, ctx: _Context = needs("code")) -> JSONResponse:
        coding.change_code(project, coding_id, body.code, ctx.user.username, body.note)
        return ok(coding_id=coding_id, status="final", code=body.code)

    @app.delete("/api/codings/{coding_id}")
    def api_delete(coding_id: int, ctx: _Context = needs("code")) -> JSONResponse:
        coding.delete(project, coding_id, ctx.user.username, "deleted in the workbench")
        return ok(coding_id=coding_id, deleted=True)

    @app.get("/memos", response_class=HTMLResponse)
    def memos_page(request: Request, ctx: _Context = needs("read")) -> HTMLResponse:
        return page("memos.html", request, ctx, memos=workbench.project_memos(project, ctx.user))

    @app.patch("/api/memos/{memo_id}")
    def api_memo_edit(memo_id: int, body: MemoEdit, ctx: _Context = needs("memo")) -> JSONResponse:
        coding.edit_memo(project, memo_id, body.text, ctx.user.username)
        return ok(memo_id=memo_id)

    @app.delete("/api/memos/{memo_id}")
    def api_memo_delete(memo_id: int, ctx: _Context = needs("memo")) -> JSONResponse:
        coding.delete_memo(project, memo_id, ctx.user.username)
        return ok(memo_id=memo_id, deleted=True)

    @app.patch("/api/sources/{source_id}")
    def api_source_edit(
        source_id: int, body: SourceEdit, ctx: _Context = needs("edit_source")
    ) -> JSONResponse:
        from ..corpus.edit import edit_source

        given = {
            k: v
            for k, v in body.model_dump(exclude_unset=True).items()
            if k not in ("actors", "attributes")
        }
        if "actors" in body.model_fields_set:
            given["actors_"] = body.actors or []
        changed = edit_source(
            project, source_id, ctx.user.username, attributes=body.attributes, **given
        )
        return ok(source_id=source_id, changed=sorted(changed))

    @app.delete("/api/sources/{source_id}")
    def api_source_delete(
        source_id: int, reason: str | None = None, ctx: _Context = needs("delete_source")
    ) -> JSONResponse:
        from ..corpus.edit import delete_source

        done = delete_source(
            project, source_id, ctx.user.username, reason or "deleted in the workbench"
        )
        return ok(**done)

    @app.post("/api/memos")
    def api_memo(body: NewMemo, ctx: _Context = needs("memo")) -> JSONResponse:
        memo_id = coding.write_memo(
            project,
            body.text,
            ctx.user.username,
            source_id=body.source_id,
            coding_id=body.coding_id,
            code_key=body.code_key,
        )
        return ok(memo_id=memo_id)

    # -- review queue -------------------------------------------------------------------------------
    def review_filter(
        code: str | None = None,
        coder: str | None = None,
        min_score: str | None = None,
        max_score: str | None = None,
        actor: str | None = None,
        language: str | None = None,
        status: str | None = None,
        _: _Context = Depends(context),
    ) -> workbench.ReviewFilter:
        """The review queue's filters, from the page's form and the API alike (validated
        by :meth:`workbench.ReviewFilter.validate`, after the login check: a bad value is
        a 422)."""
        try:
            return workbench.ReviewFilter(
                code=code or None,
                coder=coder or None,
                min_score=_number(min_score, "min_score", float),
                max_score=_number(max_score, "max_score", float),
                actor=actor or None,
                language=language or None,
                status=status or "suggested",
            ).validate(project)
        except DiplocodeError as exc:
            raise InvalidRequest.of(exc) from None

    @app.get("/review", response_class=HTMLResponse)
    def review_page(
        request: Request,
        flt: workbench.ReviewFilter = Depends(review_filter),
        ctx: _Context = needs("read"),
    ) -> HTMLResponse:
        _, codebook = project.codebook()
        items = workbench.review_queue(project, flt, limit=100)
        return page(
            "review.html",
            request,
            ctx,
            items=items,
            progress=workbench.review_progress(project, flt),
            flt=flt,
            choices=workbench.code_choices(codebook, ctx.lang),
            labels=_labels(codebook, ctx.lang),
            project_languages=project.languages,
        )

    @app.get("/api/review")
    def api_review(
        flt: workbench.ReviewFilter = Depends(review_filter),
        limit: int = 50,
        ctx: _Context = needs("read"),
    ) -> JSONResponse:
        return ok(
            items=[_jsonable(r) for r in workbench.review_queue(project, flt, limit=limit)],
            progress=workbench.review_progress(project, flt),
        )

    # -- codebook ------------------------------------------------------------------------------------
    @app.get("/codebook", response_class=HTMLResponse)
    def codebook_page(
        request: Request, version: str | None = None, ctx: _Context = needs("read")
    ) -> HTMLResponse:
        view = workbench.codebook_view(project, version or None, ctx.user)
        return page(
            "codebook.html", request, ctx, **view, lexicon_langs=("en", "ru", "kk", "zh", "tr")
        )

    @app.get("/api/codebook")
    def api_codebook(version: str | None = None, ctx: _Context = needs("read")) -> JSONResponse:
        version_id, codebook = project.codebook(version or None)
        return ok(version_id=version_id, codebook=codebook.model_dump(mode="json"))

    @app.post("/api/codebook/codes/{code_key}")
    def api_edit_code(
        code_key: str, body: CodeEdit, ctx: _Context = needs("edit_codebook")
    ) -> JSONResponse:
        version_id, version = cbedit.edit_code(
            project,
            code_key,
            by=ctx.user.username,
            label=body.label,
            definition=body.definition,
            lexicon=body.lexicon or None,
        )
        return ok(version_id=version_id, version=version)

    @app.post("/api/codebook/codes")
    def api_add_code(body: NewCode, ctx: _Context = needs("edit_codebook")) -> JSONResponse:
        version_id, version = cbedit.add_code(
            project,
            body.dimension,
            body.key,
            by=ctx.user.username,
            label=body.label,
            definition=body.definition,
        )
        return ok(version_id=version_id, version=version)

    @app.post("/api/codebook/codes/{code_key}/rename")
    def api_rename_code(
        code_key: str, body: CodeRename, ctx: _Context = needs("edit_codebook")
    ) -> JSONResponse:
        version_id, version = cbedit.rename_code(
            project, code_key, body.new_key, by=ctx.user.username
        )
        return ok(version_id=version_id, version=version)

    @app.post("/api/codebook/codes/{code_key}/move")
    def api_move_code(
        code_key: str, body: CodeMove, ctx: _Context = needs("edit_codebook")
    ) -> JSONResponse:
        version_id, version = cbedit.move_code(
            project, code_key, body.dimension, by=ctx.user.username, position=body.position
        )
        return ok(version_id=version_id, version=version)

    @app.post("/api/codebook/codes/{code_key}/merge")
    def api_merge_code(
        code_key: str, body: CodeMerge, ctx: _Context = needs("edit_codebook")
    ) -> JSONResponse:
        version_id, version = cbedit.merge_codes(
            project, [code_key], body.into, by=ctx.user.username
        )
        return ok(version_id=version_id, version=version)

    @app.post("/api/codebook/codes/{code_key}/split")
    def api_split_code(
        code_key: str, body: CodeSplit, ctx: _Context = needs("edit_codebook")
    ) -> JSONResponse:
        version_id, version = cbedit.split_code(
            project, code_key, [p.model_dump() for p in body.into], by=ctx.user.username
        )
        return ok(version_id=version_id, version=version)

    @app.delete("/api/codebook/codes/{code_key}")
    def api_delete_code(
        code_key: str, into: str | None = None, ctx: _Context = needs("edit_codebook")
    ) -> JSONResponse:
        version_id, version = cbedit.delete_code(
            project, code_key, by=ctx.user.username, into=into or None
        )
        return ok(version_id=version_id, version=version)

    # -- actors and the gazetteer -------------------------------------------------------------------
    @app.get("/actors", response_class=HTMLResponse)
    def actors_page(request: Request, ctx: _Context = needs("read")) -> HTMLResponse:
        from ..attribution.gazetteer import ACTOR_KINDS, list_actors

        return page(
            "actors.html",
            request,
            ctx,
            actors=list_actors(project.store),
            kinds=ACTOR_KINDS,
            names=_actor_names(ctx.lang),
            kind_names=_names(ACTOR_KIND_NAMES, ctx.lang),
        )

    def _actor_names(lang: str) -> dict[str, str]:
        """Actors' canonical names -> their names in ``lang`` (none needed in English)."""
        from ..attribution.gazetteer import display_names

        return display_names(project.store, lang) if lang in ("ru", "kk") else {}

    @app.get("/api/actors")
    def api_actors(ctx: _Context = needs("read")) -> JSONResponse:
        """Every actor; ``label`` is its name in the request's language (``name`` the
        canonical one, which filters and manifests use)."""
        from ..attribution.gazetteer import list_actors

        names = _actor_names(ctx.lang)
        return ok(
            actors=[
                {**a, "label": names.get(a["name"], a["name"])} for a in list_actors(project.store)
            ]
        )

    @app.post("/api/actors")
    def api_actor_add(body: NewActor, ctx: _Context = needs("edit_codebook")) -> JSONResponse:
        """Add an actor (its name becomes its first English gazetteer name)."""
        from ..attribution.gazetteer import create_actor

        actor_id = create_actor(project.store, body.name, ctx.user.username, kind=body.kind)
        return ok(actor_id=actor_id)

    @app.get("/actors/{actor_key}", response_class=HTMLResponse)
    def actor_page(request: Request, actor_key: str, ctx: _Context = needs("read")) -> HTMLResponse:
        from ..attribution.gazetteer import ACTOR_NAME_KINDS, NAME_LANGUAGES, actor_names_of

        actor, names = actor_names_of(project.store, actor_key)
        grouped: dict[tuple[str, str], list[str]] = {}
        for n in names:
            grouped.setdefault((n["lang"], n["kind"]), []).append(n["name"])
        return page(
            "actor.html",
            request,
            ctx,
            actor=actor,
            actor_label=_actor_names(ctx.lang).get(actor["name"], actor["name"]),
            grouped=grouped,
            kinds=ACTOR_NAME_KINDS,
            name_languages=NAME_LANGUAGES,
            kind_names=_names(ACTOR_KIND_NAMES, ctx.lang),
            name_kind_names=_names(NAME_KIND_NAMES, ctx.lang),
        )

    @app.get("/api/actors/{actor_key}")
    def api_actor(actor_key: str, ctx: _Context = needs("read")) -> JSONResponse:
        from ..attribution.gazetteer import actor_names_of

        actor, names = actor_names_of(project.store, actor_key)
        return ok(actor=actor, names=names)

    @app.post("/api/actors/{actor_key}/names")
    def api_actor_name(
        actor_key: str, body: ActorName, ctx: _Context = needs("edit_codebook")
    ) -> JSONResponse:
        """Add a name that stands for the actor (the gazetteer is part of the analytical
        setup: owners edit it, as they edit the codebook); codings are re-attributed on the
        next comparison."""
        from ..attribution.gazetteer import name_actor

        actor_id, added = name_actor(
            project.store, actor_key, body.name, body.lang, ctx.user.username, kind=body.kind
        )
        return ok(actor_id=actor_id, added=added)

    @app.delete("/api/actors/{actor_key}/names")
    def api_actor_unname(
        actor_key: str, body: ActorName, ctx: _Context = needs("edit_codebook")
    ) -> JSONResponse:
        from ..attribution.gazetteer import unname_actor

        removed = unname_actor(
            project.store, actor_key, body.name, ctx.user.username, lang=body.lang
        )
        return ok(removed=removed)

    # -- compare -------------------------------------------------------------------------------------
    compare_cache: dict[tuple[int, Spec], tuple[Any, Markup | None]] = {}
    compare_lock = threading.Lock()

    def compare_spec(
        request: Request,
        include_suggested: bool = False,
        actor_role: str | None = None,
        unit: str | None = None,
        year_from: str | None = None,
        year_to: str | None = None,
        group: list[str] = Query(default=[]),
        language: list[str] = Query(default=[]),
        actor: list[str] = Query(default=[]),
        codebook: str | None = None,
        attr: list[str] = Query(default=[]),
        by: str | None = None,
        ctx: _Context = Depends(context),
    ) -> Spec:
        """The comparison's specification, from the page's form and the API alike (the
        engine validates it: a bad value is a coded error, never ignored)."""
        return Spec(
            actor_role=actor_role or "about",
            unit=unit or "segment",
            include_suggested=include_suggested,
            start=_number(year_from, "year_from"),
            end=_number(year_to, "year_to"),
            groups=tuple(g for g in group if g),
            languages=tuple(x for x in language if x),
            actors=tuple(a for a in actor if a),
            codebook=codebook or None,
            attributes=parse_attributes([a for a in attr if a.strip()], "attr"),
            by=by or "actor",
            lang=ctx.lang if ctx.lang in ("en", "ru", "kk") else "en",
        ).validate(project.languages)

    def comparison(spec: Spec, who: str) -> tuple[Any, Markup | None]:
        """The comparison (:func:`diplocode.analysis.compare.compare`, as the CLI and the
        report use it) and its heatmap, computed once per state of the project and spec:
        every change to codings appends an audit event, so the chain head's id is the key."""
        from ..report import charts

        with project.store.read() as conn:
            head = int(conn.execute(select(audit_head.c.last_id)).scalar() or 0)
        key = (head, spec)
        with compare_lock:
            if key in compare_cache:
                return compare_cache[key]
        result = run_compare(project, spec, who=who)
        svg = None
        if not result.empty:
            table = stats.crosstab(result.frame, unit=spec.unit)
            # matplotlib's own SVG (labels escaped by it), computed here, not user markup
            figure = charts.heatmap(table, result.labels, rows=result.actor_labels, lang=spec.lang)
            svg = Markup(charts.to_svg(figure))
        with compare_lock:
            if len(compare_cache) >= 8:
                compare_cache.pop(next(iter(compare_cache)))
            compare_cache[key] = (result, svg)
        return result, svg

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(
        request: Request, spec: Spec = Depends(compare_spec), ctx: _Context = needs("read")
    ) -> HTMLResponse:
        result, svg = comparison(spec, ctx.user.username)
        models = result.table("models")
        actors = list(dict.fromkeys(a for a, _ in (models.cells or {})))
        return page(
            "compare.html",
            request,
            ctx,
            data=result,
            models=models,
            actors=actors,
            columns=result.layout.columns,
            heatmap=svg,
            spec=spec,
            roles=ACTOR_ROLES,
            groups=SOURCE_GROUPS,
            versions=_versions(result.codebook.name),
        )

    @app.get("/api/compare")
    def api_compare(
        table: str = "models", spec: Spec = Depends(compare_spec), ctx: _Context = needs("read")
    ) -> JSONResponse:
        from ..analysis.compare import check_applies
        from ..report.export import table_json

        check_applies(table, ())
        result, _ = comparison(spec, ctx.user.username)
        body = table_json(result, result.table(table))
        return ok(**_jsonable(body))

    # -- code and retrieve (issue #9) -------------------------------------------------------------------
    from ..report.retrieval import csv_text, docx_bytes
    from ..retrieve import retrieve as retrieve_passages

    retrieve_per_page = 50
    docx_media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def retrieve_filter(
        code: list[str] = Query(default=[]),
        flt: SourceFilter = Depends(source_filter),
        include_suggested: bool = False,
        coder: str | None = None,
    ) -> dict[str, Any]:
        """What to retrieve (keyword arguments of ``retrieve``), from the page, the API and
        the downloads alike."""
        return {
            "codes_": [c for c in code if c.strip()],
            "flt": flt,
            "include_suggested": include_suggested,
            "coder": coder or None,
        }

    def retrieve_for(ctx: _Context, wanted: dict[str, Any], **window: Any) -> Any:
        return retrieve_passages(project, viewer=ctx.user, lang=ctx.lang, **wanted, **window)

    @app.get("/retrieve", response_class=HTMLResponse)
    def retrieve_page(
        request: Request,
        wanted: dict[str, Any] = Depends(retrieve_filter),
        page_no: int = 1,
        ctx: _Context = needs("read"),
    ) -> HTMLResponse:
        _, codebook = project.codebook()
        page_no = max(page_no, 1)
        found = None
        if wanted["codes_"]:
            offset = (page_no - 1) * retrieve_per_page
            found = retrieve_for(ctx, wanted, limit=retrieve_per_page, offset=offset)
        names = ("code", "actor", "group", "language", "year_from", "year_to", "coder")
        params = [(k, v) for k, v in request.query_params.multi_items() if k in names and v]
        if wanted["include_suggested"]:
            params.append(("include_suggested", "true"))
        dimensions = [
            {
                "key": dim.key,
                "label": dim.label.get(ctx.lang) or dim.label["en"],
                "codes": [(c.key, c.label.get(ctx.lang) or c.label["en"]) for c in dim.codes],
            }
            for dim in codebook.dimensions
        ]
        return page(
            "retrieve.html",
            request,
            ctx,
            found=found,
            wanted=wanted,
            selected=set(wanted["codes_"]),
            dimensions=dimensions,
            query=urlencode(params),
            page_no=page_no,
            per_page=retrieve_per_page,
            groups=SOURCE_GROUPS,
            project_languages=project.languages,
        )

    @app.get("/api/retrieve")
    def api_retrieve(
        wanted: dict[str, Any] = Depends(retrieve_filter),
        limit: int = 100,
        offset: int = 0,
        ctx: _Context = needs("read"),
    ) -> JSONResponse:
        found = retrieve_for(ctx, wanted, limit=min(limit, 1000), offset=offset)
        return ok(
            note=found.note,
            total=found.total,
            offset=found.offset,
            statuses=found.statuses,
            include_suggested=found.include_suggested,
            codebook=found.codebook,
            codebook_version_id=found.codebook_version_id,
            codes=found.codes,
            blind=found.blind,
            passages=[{**asdict(p), "link": p.link()} for p in found.passages],
        )

    @app.get("/retrieve.csv")
    def retrieve_csv(
        wanted: dict[str, Any] = Depends(retrieve_filter), ctx: _Context = needs("read")
    ) -> Response:
        found = retrieve_for(ctx, wanted)
        return Response(
            csv_text(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="passages.csv"'},
        )

    @app.get("/retrieve.docx")
    def retrieve_docx(
        wanted: dict[str, Any] = Depends(retrieve_filter), ctx: _Context = needs("read")
    ) -> Response:
        found = retrieve_for(ctx, wanted)
        return Response(
            docx_bytes(found),
            media_type=docx_media_type,
            headers={"Content-Disposition": 'attachment; filename="passages.docx"'},
        )

    # -- audit -----------------------------------------------------------------------------------------
    def audit_filter(
        kind: str | None = None,
        actor: str | None = None,
        code: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> dict[str, Any]:
        """The audit log's filters (keywords of ``auditlog.entries``; ``kind`` a prefix),
        from the page and the API."""
        return {
            "kind": kind or None,
            "actor": actor or None,
            "code_key": code or None,
            "since": since or None,
            "until": until or None,
        }

    @app.get("/audit", response_class=HTMLResponse)
    def audit_page(
        request: Request,
        filters: dict[str, Any] = Depends(audit_filter),
        verify: bool = False,
        ctx: _Context = needs("read"),
    ) -> HTMLResponse:
        log = auditlog.entries(project, lang=ctx.lang, viewer=ctx.user, **filters, limit=200)
        for event in log.events:  # the raw event, as text (Kazakh as Kazakh, not \u escapes)
            raw = json.dumps(event["payload"], ensure_ascii=False, indent=2, sort_keys=True)
            event["raw"] = raw if len(raw) <= 10_000 else raw[:10_000] + "\n…"
        problems = None
        if verify:
            with project.store.read() as conn:
                problems = [str(p) for p in audit.verify(conn)]
        return page(
            "audit.html",
            request,
            ctx,
            events=log.events[::-1],
            problems=problems,
            verified=verify,
            filters=filters,
        )

    @app.get("/api/audit")
    def api_audit(
        filters: dict[str, Any] = Depends(audit_filter),
        limit: int = 200,
        ctx: _Context = needs("read"),
    ) -> JSONResponse:
        log = auditlog.entries(
            project, lang=ctx.lang, viewer=ctx.user, **filters, limit=min(limit, 5000)
        )
        return ok(events=log.events)

    @app.get("/api/audit/verify")
    def api_verify(ctx: _Context = needs("read")) -> JSONResponse:
        with project.store.read() as conn:
            problems = [str(p) for p in audit.verify(conn)]
        return ok(intact=not problems, problems=problems)

    # -- settings ---------------------------------------------------------------------------------------
    @app.get("/settings", response_class=HTMLResponse)
    def settings_page(request: Request, ctx: _Context = needs("settings")) -> HTMLResponse:
        from ..users import list_users

        return page(
            "settings.html",
            request,
            ctx,
            blind=workbench.blind_coding(project),
            users=list_users(project),
        )

    @app.post("/api/settings")
    def api_settings(body: Settings, ctx: _Context = needs("settings")) -> JSONResponse:
        workbench.set_blind_coding(project, body.blind_coding, ctx.user.username)
        return ok(blind_coding=body.blind_coding)

    @app.get("/api/me")
    def api_me(ctx: _Context = needs("read")) -> JSONResponse:
        return ok(
            user={"username": ctx.user.username, "role": ctx.user.role},
            csrf=ctx.csrf,
            lang=ctx.lang,
        )

    return app


def _names(names: dict[str, str], lang: str) -> dict[str, str]:
    """One of :mod:`diplocode.i18n`'s name tables (key -> English) in ``lang``."""
    return {key: name_in(names, key, lang) for key in names}


def _labels(codebook: Any, lang: str) -> dict[str, str]:
    return {c.key: c.label.get(lang) or c.label["en"] for c in codebook.codes()}


def _as_uploaded(error: DiplocodeError, folder: str) -> DiplocodeError:
    """The error with the server's temporary path replaced by the uploaded file's name
    (``<folder>/003-name.pdf`` -> ``name.pdf``): users never see server paths."""
    prefix = re.compile(re.escape(folder.rstrip("/")) + r"/\d{3}-")
    fields = {k: prefix.sub("", v) if isinstance(v, str) else v for k, v in error.fields.items()}
    return DiplocodeError(error.code, **fields)


def _err(error: DiplocodeError, lang: str) -> dict[str, str]:
    """The API's (and the templates') form of an error: ``what``/``fix`` in English,
    ``what_local``/``fix_local`` in ``lang``."""
    what_local, fix_local = localized(error, error_translations(lang).gettext)
    return {
        "code": error.code,
        "what": error.what,
        "fix": error.fix,
        "what_local": what_local,
        "fix_local": fix_local,
    }


def _safe_filename(name: str) -> str:
    """The last path component, letters, digits and ``._-`` only, at most 120 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in base).lstrip(".")
    return (cleaned or "upload")[:120]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, workbench.Piece):
        return asdict(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "local"
