"""A supplier portal with two suppliers, a contract manager and an administrator, for the portal tests.

Supplier A (Test Care Ltd, 08064685) has TST-001; supplier B (Test Cleaning Ltd, 01234567) has TST-002
(the conftest's standard register). Each supplier hands in a return through the portal, B also has a
rejected return in the landing folder, and the pipeline has run: both have submissions, B has
problems, B has an upload, so every page has something of B's that A must never see.

    world = build_world(folder, database_url, returns)
    client = world.client("a")      # signed in as supplier A (TestClient with its session cookie)
    world.tokens["a"]               # A's API token
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factories import AS_OF, PAYROLL_ONLY_REF, REGISTER_YAML, ReturnBuilder
from fastapi.testclient import TestClient

from gwp_monitor.config.register import load_register
from gwp_monitor.config.settings import Settings
from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.portal import accounts
from gwp_monitor.portal.app import create_app
from gwp_monitor.store.database import Database, open_database

PASSWORD = "correct horse battery staple"
ACCOUNTS = {
    "a": ("payroll@care.example", "supplier", "08064685"),
    "b": ("payroll@cleaning.example", "supplier", "01234567"),
    "manager": ("contracts@council.example", "contract_manager", None),
    "admin": ("admin@council.example", "admin", None),
}
#: Text that only supplier B's data holds: none of it may appear in anything supplier A is shown.
B_MARKERS = (PAYROLL_ONLY_REF, "Test Cleaning", "cleaning-may", "cleaning-bad")
B_UPLOAD_LABEL = "cleaning-may.csv"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csv_bytes(rows: Iterable[Mapping[str, object]], columns: list[str] | None = None) -> bytes:
    rows = list(rows)
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue().encode("utf-8")


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def portal_settings(root: Path, database_url: str, **extra: Any) -> Settings:
    return Settings.load(
        database_url=database_url,
        register=root / "register.yaml",
        landing_dir=root / "landing",
        as_of=AS_OF,
        portal_secret_key="test-secret-key-" + "x" * 32,
        **extra,
    )


@dataclass
class World:
    root: Path
    settings: Settings
    db: Database
    app: Any
    users: dict[str, accounts.User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    def anonymous(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def client(self, who: str) -> TestClient:
        client = self.anonymous()
        sign_in(client, ACCOUNTS[who][0], PASSWORD)
        return client

    def upload(self, client: TestClient, name: str, data: bytes, csrf: str | None = None):
        token = csrf if csrf is not None else csrf_of(client.get("/upload").text)
        return client.post(
            "/upload", data={"csrf_token": token}, files={"file": (name, data, "application/octet-stream")}
        )


def sign_in(client: TestClient, email: str, password: str):
    token = csrf_of(client.get("/sign-in").text)
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token, "next": "/contracts"}
    )


def build_world(root: Path, database_url: str, returns: ReturnBuilder, *, run: bool = True, **settings: Any) -> World:
    """Register, accounts, tokens, one portal upload per supplier, B's rejected file, one pipeline run."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "register.yaml").write_text(REGISTER_YAML, encoding="utf-8")
    (root / "landing").mkdir(exist_ok=True)
    s = portal_settings(root, database_url, **settings)
    db = open_database(database_url)
    world = World(root, s, db, create_app(s, db))
    for who, (email, role, supplier) in ACCOUNTS.items():
        world.users[who] = accounts.add_user(db, email, role, supplier, PASSWORD)
        world.tokens[who], _ = accounts.create_token(db, world.users[who], "api", 30)
    may = ("2025-05-01", "2025-05-31")
    assert world.upload(world.client("a"), "care-may.csv", csv_bytes([returns.payroll_row(may)])).status_code == 200
    b_rows = [returns.payroll_row(may, contract_ref=PAYROLL_ONLY_REF)]
    assert world.upload(world.client("b"), B_UPLOAD_LABEL, csv_bytes(b_rows)).status_code == 200
    bad = [returns.payroll_row(("2025-04-01", "2025-04-30"), contract_ref=PAYROLL_ONLY_REF, hours_paid="-5")]
    (world.landing / "cleaning-bad-april.csv").write_bytes(csv_bytes(bad))
    if run:
        run_world_pipeline(world)
    return world


def run_world_pipeline(world: World) -> None:
    with_settings = world.settings
    from gwp_monitor.config.settings import use_settings

    with use_settings(with_settings):
        run_pipeline(load_register(world.root / "register.yaml"), world.landing, world.db, as_of=AS_OF)
