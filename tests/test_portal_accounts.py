"""Portal accounts: `gwp-monitor portal user/token` commands, what the database keeps (argon2id hashes,
token digests, never a secret in clear), one-time sign-in links, the sign-in throttle and the audit
trail. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import pytest
from factories import REGISTER_YAML
from fastapi.testclient import TestClient
from portal_support import PASSWORD, csrf_of, portal_settings, sign_in

from gwp_monitor.cli import build_parser, main
from gwp_monitor.portal import accounts
from gwp_monitor.portal.app import create_app
from gwp_monitor.store.database import open_database


@pytest.fixture
def portal(reporting_db_url, tmp_path):
    (tmp_path / "register.yaml").write_text(REGISTER_YAML, encoding="utf-8")
    settings = portal_settings(tmp_path, reporting_db_url, portal_base_url="https://portal.example")
    db = open_database(reporting_db_url)
    return reporting_db_url, db, TestClient(create_app(settings, db), follow_redirects=False)


def run(capsys, monkeypatch, url: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    monkeypatch.setenv("GWP_PORTAL_BASE_URL", "https://portal.example")
    code = main(["portal", *args, "--db", url])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_user_add_prints_a_one_time_link_that_sets_a_password(portal, capsys, monkeypatch, db_rows):
    url, db, client = portal
    code, out, _ = run(
        capsys,
        monkeypatch,
        url,
        "user",
        "add",
        "--email",
        "Pay@Care.example",
        "--role",
        "supplier",
        "--supplier-id",
        "08064685",
    )
    assert code == 0
    link = re.search(r"https://portal\.example(/welcome/\S+)", out)
    assert link, out
    form = client.get(link.group(1))
    assert form.status_code == 200 and "pay@care.example" in form.text
    token = csrf_of(form.text)
    short = client.post(link.group(1), data={"password": "short", "repeat": "short", "csrf_token": token})
    assert short.status_code == 400 and "at least 12" in short.text
    done = client.post(link.group(1), data={"password": PASSWORD, "repeat": PASSWORD, "csrf_token": token})
    assert done.status_code == 303 and client.get("/contracts").status_code == 200
    assert client.get(link.group(1)).status_code == 404  # used once
    stored = db_rows(db, "SELECT password_hash FROM portal_users")[0]["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    secret = link.group(1).rsplit("/", 1)[1]
    tokens = db_rows(db, "SELECT token_sha256 FROM portal_tokens")
    assert all(secret not in t["token_sha256"] for t in tokens)


def test_a_supplier_id_the_register_does_not_know_is_warned_about(portal, capsys, monkeypatch, tmp_path):
    url, _, _ = portal
    monkeypatch.setenv("GWP_REGISTER", str(tmp_path / "register.yaml"))
    code, _, err = run(
        capsys,
        monkeypatch,
        url,
        "user",
        "add",
        "--email",
        "p@q.example",
        "--role",
        "supplier",
        "--supplier-id",
        "8064685",
    )
    assert code == 0 and "no contract in" in err and "'8064685'" in err
    code, _, err = run(
        capsys,
        monkeypatch,
        url,
        "user",
        "add",
        "--email",
        "r@q.example",
        "--role",
        "supplier",
        "--supplier-id",
        "08064685",
    )
    assert code == 0 and "warning" not in err


def test_password_from_stdin_never_from_a_flag(portal, capsys, monkeypatch):
    url, db, client = portal
    with pytest.raises(SystemExit):
        build_parser().parse_args(
            ["portal", "user", "add", "--email", "a@b.example", "--role", "admin", "--password", "x"]
        )
    code, out, _ = run(
        capsys,
        monkeypatch,
        url,
        "user",
        "add",
        "--email",
        "admin@council.example",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0 and "welcome" not in out and PASSWORD not in out
    assert sign_in(client, "admin@council.example", PASSWORD).status_code == 303
    code, _, err = run(
        capsys,
        monkeypatch,
        url,
        "user",
        "add",
        "--email",
        "x@council.example",
        "--role",
        "admin",
        "--password-stdin",
        stdin="short\n",
    )
    assert code == 2 and "at least 12" in err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--role", "supplier"], "needs --supplier-id"),
        (["--role", "contract_manager", "--supplier-id", "1"], "leave out --supplier-id"),
    ],
)
def test_user_add_refuses_inconsistent_accounts(portal, capsys, monkeypatch, args, words):
    url, _, _ = portal
    code, _, err = run(capsys, monkeypatch, url, "user", "add", "--email", "p@q.example", *args)
    assert code == 2 and words in err


def test_list_disable_and_tokens(portal, capsys, monkeypatch, db_rows):
    url, db, client = portal
    run(
        capsys,
        monkeypatch,
        url,
        "user",
        "add",
        "--email",
        "pay@care.example",
        "--role",
        "supplier",
        "--supplier-id",
        "08064685",
        "--password-stdin",
        stdin=PASSWORD,
    )
    code, out, _ = run(
        capsys, monkeypatch, url, "token", "create", "--email", "pay@care.example", "--expires-days", "2"
    )
    assert code == 0
    token = out.strip().splitlines()[-1]
    assert client.get("/api/v1/contracts", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    stored = [t["token_sha256"] for t in db_rows(db, "SELECT token_sha256 FROM portal_tokens WHERE purpose = 'api'")]
    assert stored == [accounts.secret_digest(token)]
    code, out, _ = run(capsys, monkeypatch, url, "user", "list")
    assert "pay@care.example\tsupplier\t08064685\tactive" in out
    assert run(capsys, monkeypatch, url, "user", "disable", "--email", "pay@care.example")[0] == 0
    assert client.get("/api/v1/contracts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "disabled" in run(capsys, monkeypatch, url, "user", "list")[1]
    code, _, err = run(capsys, monkeypatch, url, "token", "create", "--email", "pay@care.example")
    assert code == 2 and "no enabled account" in err
    actions = [r["action"] for r in db_rows(db, "SELECT action FROM portal_audit_log ORDER BY audit_id")]
    assert actions == ["add_user", "create_token", "disable_user"]


def test_sign_in_is_throttled_and_audited(portal, db_rows):
    url, db, client = portal
    accounts.add_user(db, "pay@care.example", "supplier", "08064685", PASSWORD)
    for _ in range(5):
        assert sign_in(client, "pay@care.example", "wrong password!").status_code == 401
    throttled = sign_in(client, "pay@care.example", PASSWORD)
    assert throttled.status_code == 429 and "Too many failed attempts" in throttled.text
    other = TestClient(client.app, follow_redirects=False)
    assert sign_in(other, "PAY@care.example", PASSWORD).status_code == 429  # the account is throttled, any client
    outcomes = [r["outcome"] for r in db_rows(db, "SELECT outcome FROM portal_audit_log WHERE action = 'sign_in'")]
    assert outcomes == ["failed"] * 5 + ["throttled", "throttled"]
    with db.engine.begin() as conn:  # the window passes
        conn.execute(db.table("portal_sign_in_failures").delete())
    assert sign_in(other, "pay@care.example", PASSWORD).status_code == 303


def test_one_address_is_throttled_only_after_many_accounts_failed(portal):
    """Many people sign in from one office address: one person's mistakes do not lock out the others,
    but guessing across many accounts from one address is stopped too (2 per account, 20 per address)."""
    _, db, client = portal
    settings = client.app.state.portal.settings.model_copy(update={"portal_sign_in_attempts": 2})
    client = TestClient(create_app(settings, db), follow_redirects=False)
    accounts.add_user(db, "pay@care.example", "supplier", "08064685", PASSWORD)
    for i in range(6):
        sign_in(client, f"guess{i}@care.example", "wrong password!")
    assert sign_in(client, "pay@care.example", PASSWORD).status_code == 303  # 6 failures < 20 for the address
    for i in range(6, 20):
        sign_in(client, f"guess{i}@care.example", "wrong password!")
    assert sign_in(client, "pay@care.example", PASSWORD).status_code == 429


def test_the_supplier_guide_is_shown(portal):
    _, _, client = portal
    page = client.get("/guide")
    assert page.status_code == 200 and "<h1>Supplier guide" in page.text and "<script" not in page.text


def test_unknown_email_and_wrong_password_get_the_same_answer(portal):
    url, db, client = portal
    accounts.add_user(db, "pay@care.example", "supplier", "08064685", PASSWORD)
    wrong = sign_in(client, "pay@care.example", "not the password")
    unknown = sign_in(TestClient(client.app, follow_redirects=False), "nobody@care.example", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert re.sub(r'value="[^"]+"', "", wrong.text) == re.sub(r'value="[^"]+"', "", unknown.text)


def test_audit_page_shows_sign_ins_uploads_and_downloads_to_managers(portal):
    url, db, client = portal
    accounts.add_user(db, "contracts@council.example", "contract_manager", None, PASSWORD)
    sign_in(client, "contracts@council.example", PASSWORD)
    client.get("/templates/payroll.xlsx")
    page = client.get("/audit").text
    assert "sign_in" in page and "download_template" in page and "payroll.xlsx" in page


def test_the_database_refuses_inconsistent_accounts(portal):
    """The CHECK constraints of revision 0006, on both backends: a supplier user needs its supplier, and
    a role is one of the three."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import IntegrityError

    _, db, _ = portal
    users = db.table("portal_users")
    base = {"password_hash": None, "disabled": False, "created_at": datetime.now(UTC)}
    for bad in (
        {"email": "a@x.example", "role": "supplier", "supplier_id": None},
        {"email": "b@x.example", "role": "root", "supplier_id": None},
    ):
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(users.insert().values(**base, **bad))
    accounts.add_user(db, "c@x.example", "admin")
    with pytest.raises(accounts.AccountError, match="already an account"):
        accounts.add_user(db, "C@x.example", "admin")


def test_sign_in_goes_back_only_to_a_page_of_this_site(portal):
    _, db, client = portal
    accounts.add_user(db, "pay@care.example", "supplier", "08064685", PASSWORD)
    assert client.get("/submissions").headers["location"] == "/sign-in?next=/submissions"
    for target, expected in (
        ("/submissions", "/submissions"),
        ("//evil.example/x", "/contracts"),
        ("https://evil.example", "/contracts"),
    ):
        fresh = TestClient(client.app, follow_redirects=False)
        token = csrf_of(fresh.get("/sign-in").text)
        answer = fresh.post(
            "/sign-in", data={"email": "pay@care.example", "password": PASSWORD, "csrf_token": token, "next": target}
        )
        assert answer.headers["location"] == expected
