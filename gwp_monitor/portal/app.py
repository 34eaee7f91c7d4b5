"""The supplier portal's web application (spec 8): `create_app(settings)` builds it, uvicorn serves it.

Three small layers around the pages (portal.pages) and the JSON API (portal.api):
- `BodyLimit` (pure ASGI): a body larger than the upload limit is answered 413, by its
  Content-Length at once, or while it streams in, before it is all read (no client can fill the disk);
- the session middleware: reads the signed cookie into ``request.state.session`` (a new anonymous
  session, with its CSRF token, when there is none) and writes it back Secure (when the deployment
  says HTTPS), HttpOnly and SameSite=Lax;
- security headers: a Content-Security-Policy that allows only the portal's own stylesheet, no
  framing, no MIME sniffing.
"""

from __future__ import annotations

import logging
import secrets
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gwp_monitor.config.register import Register, load_register
from gwp_monitor.config.settings import Settings
from gwp_monitor.portal.access import CSRF_FIELD, SignInRequired, session_of
from gwp_monitor.portal.security import Session, SessionSigner, new_session
from gwp_monitor.store.database import Database, open_database

COOKIE = "gwp_portal_session"
#: Room for the multipart framing and the CSRF field around the file itself.
FORM_OVERHEAD = 64 * 1024
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
log = logging.getLogger(__name__)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413, f"the file is larger than the {limit / 1048576:.0f} MB limit: split it by contract or period"
        )


class BodyLimit:
    """Refuse request bodies over `limit` bytes: by Content-Length before reading, else while streaming."""

    def __init__(self, app: ASGIApp, limit: int, shown_limit: int) -> None:
        self.app, self.limit, self.shown = app, limit, shown_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            error = BodyTooLarge(self.shown) if length.isdigit() else HTTPException(400, "bad Content-Length")
            await _plain_error(scope, send, error)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.shown)
            return message

        await self.app(scope, limited, send)


async def _plain_error(scope: Scope, send: Send, error: HTTPException) -> None:
    is_api = str(scope.get("path", "")).startswith("/api/")
    response: Response = (
        JSONResponse({"detail": error.detail}, status_code=error.status_code)
        if is_api
        else HTMLResponse(f"<!DOCTYPE html><title>Refused</title><p>{error.detail}</p>", status_code=error.status_code)
    )

    async def no_body() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, no_body, send)


@cache
def environment() -> Environment:
    """The pages' Jinja2 environment: autoescaped, so nothing from a file or the database is markup."""
    env = Environment(
        loader=PackageLoader("gwp_monitor.portal", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["CSRF_FIELD"] = CSRF_FIELD
    env.filters["when"] = lambda v: v.strftime("%d %b %Y %H:%M UTC") if v else "—"
    env.filters["day"] = lambda v: _day_text(v)
    return env


def _day_text(value: Any) -> str:
    if value is None:
        return "—"
    text = str(value)[:10]
    try:
        from datetime import date

        return date.fromisoformat(text).strftime("%d %b %Y")
    except ValueError:
        return text


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    session = session_of(request)
    html = (
        environment()
        .get_template(template)
        .render(
            csrf_token=session.csrf if session else "",
            user=getattr(request.state, "user", None),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)


class PortalState:
    """What every request reads: the settings, the database, the session signer, the register."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        key = settings.portal_secret_key.get_secret_value() if settings.portal_secret_key else None
        if key is None:
            log.warning("GWP_PORTAL_SECRET_KEY is not set: sessions are signed with a random key and end on restart")
        self.signer = SessionSigner(key or secrets.token_urlsafe(32), settings.portal_session_minutes * 60)
        self._register: tuple[Path, float, Register] | None = None
        #: The live dashboard's pages and when they were rendered (portal.returns.dashboard_page).
        self.dashboard: tuple[float, dict[str, str]] | None = None

    def register(self) -> Register:
        """The contract register (GWP_REGISTER), read again when the file changes."""
        path = Path(self.settings.contract_register)
        try:
            mtime = path.stat().st_mtime
        except OSError as exc:
            raise HTTPException(
                503, f"the portal cannot read its contract register ({path.name}): tell your contract manager"
            ) from exc
        if self._register is None or self._register[:2] != (path, mtime):
            try:
                self._register = (path, mtime, load_register(path))
            except Exception as exc:  # noqa: BLE001 - a broken register is the operator's problem, said plainly
                raise HTTPException(
                    503, "the portal's contract register is not valid: tell your contract manager"
                ) from exc
        return self._register[2]


def create_app(settings: Settings, database: Database | None = None) -> FastAPI:
    """The portal for `settings` (database, register, landing folder, limits); the schema is upgraded."""
    from gwp_monitor.portal import api, pages

    db = database or open_database(settings.database_url)
    app = FastAPI(
        title="gwp-monitor supplier portal API",
        version="1",
        description="Hand in payroll and workforce returns and read what happened to them. "
        "Authenticate with `Authorization: Bearer <token>` (`gwp-monitor portal token create`).",
        docs_url=None,
        redoc_url=None,
    )
    state = PortalState(settings, db)
    app.state.portal = state
    app.state.db = db
    app.include_router(pages.router)
    app.include_router(api.router)
    app.mount("/static", StaticFiles(packages=[("gwp_monitor.portal", "static")]), name="static")

    # Added first, so it sits inside the session middleware: a body refused while streaming raises in
    # the request's own task, where FastAPI passes an HTTPException on (413) instead of "cannot parse".
    limit = settings.portal_max_upload_bytes
    app.add_middleware(BodyLimit, limit=limit + FORM_OVERHEAD, shown_limit=limit)

    @app.middleware("http")
    async def sessions(request: Request, call_next):  # noqa: ANN001, ANN202 - Starlette's middleware signature
        cookie = request.cookies.get(COOKIE)
        session = state.signer.loads(cookie)
        request.state.session = session or new_session()
        request.state.session_changed = session is None
        response = await call_next(request)
        if request.state.session_changed and not request.url.path.startswith("/api/"):
            _set_cookie(response, state, request.state.session)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path.startswith("/openapi"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        if isinstance(exc, SignInRequired) and request.method == "GET":
            return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)
        return render(request, "error.html", status_code=exc.status_code, message=exc.detail, status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        shown = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": shown}, status_code=422)
        text = "; ".join(f"{'.'.join(map(str, e['loc'][1:])) or 'form'}: {e['msg']}" for e in shown)
        return render(request, "error.html", status_code=422, message=text, status=422)

    return app


def _set_cookie(response: Response, state: PortalState, session: Session) -> None:
    response.set_cookie(
        COOKIE,
        state.signer.dumps(session),
        max_age=state.settings.portal_session_minutes * 60,
        httponly=True,
        secure=state.settings.portal_https,
        samesite="lax",
        path="/",
    )


def start_session(request: Request, user_id: int | None) -> None:
    """Sign in (or out): a new session, with a new CSRF token, written back with the response."""
    request.state.session = new_session(user_id)
    request.state.session_changed = True
