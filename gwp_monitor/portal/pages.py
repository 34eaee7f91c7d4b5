"""The portal's HTML pages. Every route declares who may use it with `Access` (portal.access)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gwp_monitor.domain.templates import KINDS
from gwp_monitor.portal import accounts, data, guide, returns
from gwp_monitor.portal.access import Access
from gwp_monitor.portal.accounts import User
from gwp_monitor.portal.app import PortalState, render, start_session

router = APIRouter(include_in_schema=False)
Anyone = Annotated[User | None, Depends(Access("public"))]
SignedIn = Annotated[User, Depends(Access("signed_in"))]
Supplier = Annotated[User, Depends(Access("supplier"))]
Manager = Annotated[User, Depends(Access("manager"))]
Admin = Annotated[User, Depends(Access("admin"))]


def _state(request: Request) -> PortalState:
    return request.app.state.portal


def _local(path: str | None) -> str:
    """Where to go after signing in: only a path of this site (never //elsewhere or a full URL)."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/contracts"


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: Anyone) -> Response:
    return RedirectResponse("/contracts" if user else "/sign-in", status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, user: Anyone, next: str | None = None) -> Response:  # noqa: A002
    return render(request, "sign_in.html", next=_local(next), message=None)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    user: Anyone,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=1000)] = "/contracts",  # noqa: A002
) -> Response:
    state = _state(request)
    s = state.settings
    window = timedelta(minutes=s.portal_sign_in_window_minutes)
    client = request.client.host if request.client else "unknown"
    # One account: the setting's attempts. One address: ten times as many, since an office or a proxy
    # puts many people behind one address, who must not lock each other out.
    limits = {
        f"email:{email.strip().lower()[:320]}": s.portal_sign_in_attempts,
        f"client:{client}": s.portal_sign_in_attempts * 10,
    }
    keys = list(limits)
    if accounts.throttled(state.db, limits, window):
        accounts.audit(state.db, email.strip().lower()[:320], "sign_in", None, "throttled")
        message = f"Too many failed attempts: wait {s.portal_sign_in_window_minutes} minutes and try again."
        return render(request, "sign_in.html", status_code=429, next=_local(next), message=message)
    found = accounts.check_password(state.db, email, password)
    if found is None:
        accounts.record_failure(state.db, keys, window)
        accounts.audit(state.db, email.strip().lower()[:320], "sign_in", None, "failed")
        return render(
            request,
            "sign_in.html",
            status_code=401,
            next=_local(next),
            message="That e-mail and password do not match an account.",
        )
    accounts.clear_failures(state.db, keys[:1])  # the account's count; the address keeps its own
    accounts.audit(state.db, found.email, "sign_in")
    start_session(request, found.user_id)
    return RedirectResponse(_local(next), status_code=303)


@router.post("/sign-out", response_class=HTMLResponse)
def sign_out(request: Request, user: SignedIn) -> Response:
    accounts.audit(_state(request).db, user.email, "sign_out")
    start_session(request, None)
    return RedirectResponse("/sign-in", status_code=303)


@router.get("/welcome/{token}", response_class=HTMLResponse)
def welcome_form(request: Request, user: Anyone, token: str) -> Response:
    found = accounts.token_user(_state(request).db, token, "sign_in")
    if found is None:
        raise HTTPException(404, "this sign-in link has been used or has expired: ask for a new one")
    return render(request, "welcome.html", token=token, email=found.email, message=None)


@router.post("/welcome/{token}", response_class=HTMLResponse)
def welcome(
    request: Request,
    user: Anyone,
    token: str,
    password: Annotated[str, Form(max_length=1024)],
    repeat: Annotated[str, Form(max_length=1024)],
) -> Response:
    db = _state(request).db
    found = accounts.token_user(db, token, "sign_in")
    if found is None:
        raise HTTPException(404, "this sign-in link has been used or has expired: ask for a new one")
    problem = "the two passwords differ" if password != repeat else None
    if problem is None:
        try:
            accounts.set_password(db, found, password)
        except accounts.AccountError as exc:
            problem = str(exc)
    if problem is not None:
        return render(request, "welcome.html", status_code=400, token=token, email=found.email, message=problem)
    spent = accounts.use_sign_in_link(db, token)
    if spent is None:
        raise HTTPException(404, "this sign-in link has been used or has expired: ask for a new one")
    accounts.audit(db, found.email, "set_password")
    start_session(request, found.user_id)
    return RedirectResponse("/contracts", status_code=303)


@router.get("/contracts", response_class=HTMLResponse)
def contracts_page(request: Request, user: SignedIn) -> Response:
    state = _state(request)
    register = _register_or_none(state)
    rows = data.contracts(state.db, user, register, state.settings.today)
    return render(request, "contracts.html", contracts=rows, today=state.settings.today)


def _register_or_none(state: PortalState):  # noqa: ANN202
    try:
        return state.register()
    except HTTPException:
        return None


@router.get("/templates", response_class=HTMLResponse)
def templates_page(request: Request, user: SignedIn) -> Response:
    return render(request, "templates.html", kinds=KINDS)


@router.get("/templates/{kind}.{fmt}")
def template_download(request: Request, user: SignedIn, kind: returns.KindName, fmt: returns.FormatName) -> Response:
    accounts.audit(_state(request).db, user.email, "download_template", f"{kind.value}.{fmt.value}")
    return returns.template_response(kind.value, fmt.value)


@router.get("/guide", response_class=HTMLResponse)
def guide_page(request: Request, user: Anyone) -> Response:
    return render(request, "guide.html", body=guide.supplier_guide_html())


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, user: Supplier) -> Response:
    return render(
        request, "upload.html", result=None, limit_mb=_state(request).settings.portal_max_upload_bytes / 1048576
    )


@router.post("/upload", response_class=HTMLResponse)
def upload(request: Request, user: Supplier, file: Annotated[UploadFile, File()]) -> Response:
    state = _state(request)
    outcome = returns.hand_in(state, user, file)
    status = 413 if outcome.too_large else 200 if outcome.result.accepted else 422
    return render(
        request,
        "upload.html",
        status_code=status,
        result=outcome.result,
        next_step=outcome.next_step,
        limit_mb=state.settings.portal_max_upload_bytes / 1048576,
    )


@router.get("/submissions", response_class=HTMLResponse)
def submissions_page(request: Request, user: SignedIn) -> Response:
    db = _state(request).db
    rows = data.submissions(db, user)
    verdicts = data.period_verdicts(db, user)
    for row in rows:
        row["verdicts"] = data.verdicts_of(verdicts, row)
    return render(
        request,
        "submissions.html",
        submissions=rows,
        waiting=data.waiting_uploads(db, user),
        changes=data.changes(db, user),
        uploads=data.uploads(db, user),
    )


@router.get("/uploads/{upload_id}/file")
def upload_file(request: Request, user: SignedIn, upload_id: int) -> Response:
    """A landed upload served back: only to its supplier's users and to contract managers."""
    state = _state(request)
    return returns.serve_upload(state, user, upload_id)


@router.get("/dashboard/{path:path}", response_class=HTMLResponse)
def dashboard(request: Request, user: Manager, path: str = "") -> Response:
    accounts.audit(_state(request).db, user.email, "view_dashboard", path or "index.html")
    return returns.dashboard_page(_state(request), path or "index.html")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, user: Manager) -> Response:
    return render(request, "audit.html", entries=accounts.audit_trail(_state(request).db))


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: Admin) -> Response:
    return render(request, "users.html", users=accounts.list_users(_state(request).db))


@router.post("/admin/users/{user_id}/disable", response_class=HTMLResponse)
def disable_user(request: Request, user: Admin, user_id: int) -> Response:
    db = _state(request).db
    target = accounts.user_by_id(db, user_id)
    if target is None:
        raise HTTPException(404, "no such account")
    accounts.set_disabled(db, target.email, True)
    accounts.audit(db, user.email, "disable_user", target.email)
    return RedirectResponse("/admin/users", status_code=303)
