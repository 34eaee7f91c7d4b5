"""Authorisation over every route of the portal, read from the application's own route table: a new
route without an access level, or one that shows supplier B's data to supplier A, fails here.

Runs on SQLite and PostgreSQL (the accounts, tokens and scoping queries are SQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import APIRoute
from portal_support import ACCOUNTS, B_MARKERS, B_UPLOAD_LABEL, PASSWORD, build_world, csrf_of, sign_in
from sqlalchemy import update

from gwp_monitor.portal import accounts
from gwp_monitor.portal.access import Access, allowed
from gwp_monitor.portal.security import Session


@pytest.fixture(scope="module")
def world(module_reporting_db_url, tmp_path_factory, returns):
    return build_world(tmp_path_factory.mktemp("portal"), module_reporting_db_url, returns)


def access_of(route: APIRoute) -> Access:
    found = [d.call for d in route.dependant.dependencies if isinstance(d.call, Access)]
    found += [d.call for d in route.dependant.dependencies for d in d.dependencies if isinstance(d.call, Access)]
    assert len(found) == 1, f"{route.path} declares {len(found)} Access dependencies: give it exactly one"
    return found[0]


def routes(app) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every route of the application (the static files mount excepted)."""
    out = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            out += [(m, route.path, route) for m in sorted(route.methods - {"HEAD"})]
    return out


def concrete(world, path: str) -> str:
    """A URL for a route's path: B's own objects wherever the route names one."""
    b_upload = next(u for u in _uploads(world) if u["label"] == B_UPLOAD_LABEL)["upload_id"]
    values = {
        "kind": "payroll",
        "fmt": "csv",
        "token": "not-a-valid-link",
        "upload_id": str(b_upload),
        "user_id": str(world.users["b"].user_id),
        "path": "index.html",
    }
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], path)


def _uploads(world):
    from gwp_monitor.portal import data

    return data.uploads(world.db, world.users["manager"])


def call(client, method: str, url: str, *, csrf: str | None = None, api_token: str | None = None):
    headers = {"Authorization": f"Bearer {api_token}"} if api_token else {}
    if method == "GET":
        return client.get(url, headers=headers)
    data = {"csrf_token": csrf} if csrf else {}
    return client.post(url, data=data, headers=headers, files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")})


def test_every_route_declares_who_may_use_it(world):
    table = routes(world.app)
    assert len(table) >= 20
    for _, path, route in table:
        level = access_of(route)
        assert level.api == path.startswith("/api/"), f"{path}: API routes use tokens, pages use sessions"


def test_unauthenticated_requests_are_refused_everywhere(world):
    client = world.anonymous()
    csrf = csrf_of(client.get("/sign-in").text)
    for method, path, route in routes(world.app):
        access = access_of(route)
        if access.level == "public":
            continue
        response = call(client, method, concrete(world, path), csrf=csrf)
        if access.api:
            assert response.status_code == 401, (method, path)
        elif method == "GET":
            assert response.status_code == 303 and response.headers["location"].startswith("/sign-in"), (method, path)
        else:
            assert response.status_code == 401, (method, path)


@pytest.mark.parametrize("who", ["a", "manager", "admin"])
def test_each_role_reaches_exactly_its_routes(world, who):
    client = world.client(who)
    user = world.users[who]
    for method, path, route in routes(world.app):
        access = access_of(route)
        if path.startswith("/admin/") and method == "POST":
            continue  # would disable an account the other tests use; refused roles are checked below
        csrf = csrf_of(client.get("/contracts").text)
        response = call(
            client, method, concrete(world, path), csrf=csrf, api_token=world.tokens[who] if access.api else None
        )
        if not allowed(user, access.level):
            assert response.status_code == 403, (who, method, path, response.status_code)
        else:
            assert response.status_code not in (401, 403, 500), (who, method, path, response.status_code)
        if path in ("/sign-out", "/sign-in") and method == "POST":
            client = world.client(who)  # that call signed out (or failed to sign in): sign in again


def test_admin_only_post_refuses_others(world):
    for who in ("a", "manager"):
        client = world.client(who)
        csrf = csrf_of(client.get("/contracts").text)
        url = f"/admin/users/{world.users['b'].user_id}/disable"
        assert client.post(url, data={"csrf_token": csrf}).status_code == 403


def test_supplier_a_never_sees_supplier_b(world):
    """Every page and API answer a supplier may read, as supplier A: nothing of B's in any of them,
    while B sees its own (so the markers are real)."""
    seen_by = {}
    for who in ("a", "b"):
        client = world.client(who)
        text = []
        for method, path, route in routes(world.app):
            access = access_of(route)
            if method != "GET" or not allowed(world.users[who], access.level):
                continue
            url = concrete(world, path)
            response = call(client, method, url, api_token=world.tokens[who] if access.api else None)
            text.append(
                response.text
                if "text" in response.headers.get("content-type", "")
                or "json" in response.headers.get("content-type", "")
                else ""
            )
        seen_by[who] = "\n".join(text)
    for marker in B_MARKERS:
        assert marker not in seen_by["a"], f"supplier A was shown {marker!r}"
    assert all(m in seen_by["b"] for m in (B_MARKERS[0], B_MARKERS[1], "cleaning-may"))
    assert "hours_paid" in seen_by["b"]  # B's own problems are shown to B


def test_a_supplier_cannot_fetch_another_suppliers_file(world):
    b_upload = next(u for u in _uploads(world) if u["label"] == B_UPLOAD_LABEL)["upload_id"]
    a, b, manager = world.client("a"), world.client("b"), world.client("manager")
    refused = a.get(f"/uploads/{b_upload}/file")
    missing = a.get("/uploads/999999/file")
    assert refused.status_code == missing.status_code == 404

    def shown(text: str) -> str:  # the page without its CSRF token (random per session)
        return re.sub(r'value="[^"]*"', "", text)

    assert shown(refused.text) == shown(missing.text)
    assert b.get(f"/uploads/{b_upload}/file").status_code == 200
    assert manager.get(f"/uploads/{b_upload}/file").content == b.get(f"/uploads/{b_upload}/file").content


def test_api_answers_are_scoped_to_the_token(world):
    client = world.anonymous()
    headers = {"Authorization": f"Bearer {world.tokens['a']}"}
    contracts = client.get("/api/v1/contracts", headers=headers).json()
    assert [c["contract_ref"] for c in contracts] == ["TST-001"]
    subs = client.get("/api/v1/submissions", headers=headers).json()
    assert subs and {s["contract_ref"] for s in subs} == {"TST-001"}
    every = client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {world.tokens['manager']}"}).json()
    assert {s["contract_ref"] for s in every} == {"TST-001", "TST-002"}


def test_every_form_without_its_csrf_token_is_refused(world):
    admin = world.client("admin")
    other = world.anonymous()
    foreign = csrf_of(other.get("/sign-in").text)  # a real token, but of another session
    for method, path, route in routes(world.app):
        if method != "POST" or access_of(route).api:
            continue
        url = concrete(world, path)
        assert call(admin, method, url).status_code == 403, path
        assert call(admin, method, url, csrf=foreign).status_code == 403, path
    fresh = world.anonymous()
    token = csrf_of(fresh.get("/sign-in").text)
    refused = fresh.post("/sign-in", data={"email": ACCOUNTS["a"][0], "password": PASSWORD})
    assert refused.status_code == 403
    assert (
        fresh.post("/sign-in", data={"email": ACCOUNTS["a"][0], "password": PASSWORD, "csrf_token": token}).status_code
        == 303
    )


def test_sign_in_cookie_is_http_only_same_site_and_a_new_session(world):
    client = world.anonymous()
    before = csrf_of(client.get("/sign-in").text)
    response = sign_in(client, ACCOUNTS["a"][0], PASSWORD)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert csrf_of(client.get("/contracts").text) != before  # signing in starts a new session


def test_a_disabled_account_and_an_expired_token_are_refused(world):
    db = world.db
    email = "temp@care.example"
    user = accounts.add_user(db, email, "supplier", "08064685", PASSWORD)
    token, _ = accounts.create_token(db, user, "api", 1)
    client = world.anonymous()
    sign_in(client, email, PASSWORD)
    assert client.get("/contracts").status_code == 200
    assert client.get("/api/v1/contracts", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    expired, _ = accounts.create_token(db, user, "api", 1)
    tokens = db.table("portal_tokens")
    with db.engine.begin() as conn:
        past = datetime.now(UTC) - timedelta(minutes=1)
        conn.execute(
            update(tokens)
            .where(tokens.c.token_sha256 == accounts.secret_digest(expired))
            .values(expires_at=past.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else past)
        )
    assert client.get("/api/v1/contracts", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    accounts.set_disabled(db, email)
    assert client.get("/contracts").status_code == 303  # the session of a disabled account no longer works
    assert client.get("/api/v1/contracts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    again = world.anonymous()
    assert sign_in(again, email, PASSWORD).status_code == 401


def test_a_tampered_or_old_session_cookie_is_refused(world, monkeypatch):
    client = world.client("a")
    cookie = client.cookies.get("gwp_portal_session")
    forged = world.anonymous()
    forged.cookies.set("gwp_portal_session", cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"))
    assert forged.get("/contracts").status_code == 303
    signer = world.app.state.portal.signer
    import itsdangerous.timed

    made = itsdangerous.timed.time.time() - signer.max_age - 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: made)
    stale = signer.dumps(Session(world.users["a"].user_id, "x"))
    monkeypatch.undo()
    aged = world.anonymous()
    aged.cookies.set("gwp_portal_session", stale)
    assert aged.get("/contracts").status_code == 303
