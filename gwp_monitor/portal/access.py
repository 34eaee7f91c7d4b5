"""Who may call a route: every route of the portal declares it with one `Access` dependency.

The access level lives on the route itself (``dependencies=[Depends(Access("supplier"))]``), so the
authorisation tests read it from the application's route table and a route without one fails them.
Pages use the signed session cookie and check the CSRF token of every POST; the JSON API uses bearer
tokens only (a browser never sends those by itself, so the API needs no CSRF token).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import HTTPException, Request

from gwp_monitor.portal import accounts
from gwp_monitor.portal.accounts import User
from gwp_monitor.portal.security import Session, csrf_ok

Level = Literal["public", "signed_in", "supplier", "manager", "admin"]
LEVELS: tuple[Level, ...] = ("public", "signed_in", "supplier", "manager", "admin")
CSRF_FIELD = "csrf_token"


class SignInRequired(HTTPException):
    """Nobody (or a disabled account) is signed in: a page answers with the sign-in form."""

    def __init__(self, detail: str = "sign in first") -> None:
        super().__init__(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def allowed(user: User, level: Level) -> bool:
    if level in ("public", "signed_in"):
        return True
    if level == "supplier":
        return user.role == "supplier"
    if level == "manager":
        return user.role in ("contract_manager", "admin")
    return user.role == "admin"


@dataclass(frozen=True)
class Access:
    """The dependency a route declares: its level, and whether it is an API route (bearer token)."""

    level: Level
    api: bool = False

    async def __call__(self, request: Request) -> User | None:
        db = request.app.state.db
        if not self.api and request.method == "POST":
            form = await request.form()
            given = form.get(CSRF_FIELD)
            if not csrf_ok(session_of(request), given if isinstance(given, str) else None):
                raise HTTPException(
                    403, "this form has expired or did not come from this site: reload the page and try again"
                )
        user = self._user(request, db)
        if self.level == "public":
            return user
        if user is None:
            raise SignInRequired("a valid API token is needed" if self.api else "sign in first")
        if not allowed(user, self.level):
            raise HTTPException(403, "your account may not use this page")
        request.state.user = user
        return user

    def _user(self, request: Request, db) -> User | None:  # noqa: ANN001 - a store.database.Database
        if self.api:
            header = request.headers.get("authorization", "")
            scheme, _, secret = header.partition(" ")
            return accounts.token_user(db, secret.strip(), "api") if scheme.lower() == "bearer" else None
        session = session_of(request)
        if session is None or session.user_id is None:
            return None
        user = accounts.user_by_id(db, session.user_id)
        return user if user is not None and not user.disabled else None


def session_of(request: Request) -> Session | None:
    return getattr(request.state, "session", None)
