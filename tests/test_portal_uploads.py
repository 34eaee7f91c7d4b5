"""Uploads through the portal: what a hostile or careless file gets (a clear answer, nothing written
outside the landing folder, nothing landed unless it passes), the refusal of another supplier's
contract without saying whether it exists, what a landed upload carries to the pipeline, and the
Airflow asset event posted to a real local HTTP server."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from factories import PAYROLL_ONLY_REF, ReturnBuilder
from portal_support import build_world, csrf_of, csv_bytes, run_world_pipeline

from gwp_monitor.ingest.landed import delivery_of
from gwp_monitor.portal.airflow_trigger import ASSET_NAME

LIMIT = 1_000_000
JUNE = ("2025-06-01", "2025-06-30")


@pytest.fixture(scope="module")
def world(tmp_path_factory, returns):
    root = tmp_path_factory.mktemp("uploads") / "portal"
    return build_world(root, f"sqlite:///{root / 'gwp.db'}", returns, run=False, portal_max_upload_bytes=LIMIT)


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.name.startswith("gwp.db")}


def workbook(extra: dict[str, bytes] | None = None, sheet: bytes = b"<worksheet/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b"<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"<c>0</c>" * (1 << 17)  # 1 MiB
            for _ in range(40):  # 40 MiB unpacked, ~40 KB packed
                sheet.write(block)
    return buffer.getvalue()


def hostile(returns: ReturnBuilder) -> dict[str, tuple[str, bytes, str]]:
    """name -> (file name, bytes, words the answer must hold)."""
    good = csv_bytes([returns.payroll_row(JUNE)])
    return {
        "empty": ("june.csv", b"", "empty"),
        "binary": ("june.csv", bytes(range(256)) * 64, "binary"),
        "utf16 without BOM": ("june.csv", good.decode().encode("utf-16-le"), "binary"),
        "huge line": ("june.csv", b"contract_ref," + b"x" * 200_000 + b"\n", "longer than"),
        "xlsm": ("june.xlsm", workbook({"xl/vbaProject.bin": b"\x00macro"}), "macro-enabled"),
        "macro content type": ("june.xlsx", workbook({"[Content_Types].xml": b"macroEnabled"}), "macro-enabled"),
        "zip bomb": ("june.xlsx", zip_bomb(), "unpacks to"),
        "old xls": ("june.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
        "not a workbook zip": (
            "june.xlsx",
            workbook().replace(b"xl/workbook.xml", b"xl/notebook.xml"),
            "not an Excel workbook",
        ),
        "pdf named csv": ("june.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\n\x00\x00", "binary"),
    }


@pytest.mark.parametrize("case", list(hostile(ReturnBuilder())))
def test_hostile_upload_gets_a_clear_answer_and_lands_nothing(world, returns, case):
    name, data, words = hostile(returns)[case]
    before = tree(world.root)
    client = world.client("a")
    page = world.upload(client, name, data)
    assert page.status_code == 422, page.text[:300]
    assert words in page.text and "Nothing was handed in" in page.text
    api = client.post(
        "/api/v1/returns", headers={"Authorization": f"Bearer {world.tokens['a']}"}, files={"file": (name, data)}
    )
    assert api.status_code == 200 and api.json()["accepted"] is False and words in json.dumps(api.json())
    assert tree(world.root) == before  # nothing landed, nothing anywhere else under the portal's folder


def test_utf16_with_bom_is_read_and_accepted(world, returns):
    data = b"\xff\xfe" + csv_bytes([returns.payroll_row(JUNE)]).decode().encode("utf-16-le")
    page = world.upload(world.client("a"), "june-utf16.csv", data)
    assert page.status_code == 200 and "passed every check" in page.text


def test_path_traversal_name_is_only_a_label(world, returns):
    before = tree(world.root)
    page = world.upload(world.client("a"), "../../../../etc/passwd.csv", csv_bytes([returns.payroll_row(JUNE)]))
    assert page.status_code == 200
    new = tree(world.root) - before
    assert len(new) == 2 and all(n.startswith("landing/") for n in new)  # the file and its delivery record
    landed = next(world.root / n for n in new if not Path(n).name.startswith("."))
    assert landed.name.startswith("portal-") and landed.suffix == ".csv"
    delivery = delivery_of(landed)
    assert delivery is not None and delivery.label == "passwd.csv" and delivery.uploaded_by == "payroll@care.example"
    assert delivery.source == "portal"
    assert not (world.root.parent / "etc").exists() and not (world.root / "etc").exists()


def test_oversized_body_is_refused_by_length_and_while_streaming(world, returns):
    client = world.client("a")
    csrf = csrf_of(client.get("/upload").text)
    big = b"x" * (LIMIT + 200_000)
    by_length = client.post("/upload", data={"csrf_token": csrf}, files={"file": ("big.csv", big)})
    assert by_length.status_code == 413 and "limit" in by_length.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while it streams in
        yield b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + csrf.encode() + b"\r\n"
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(40):
            yield b"y" * 65536
        yield b"\r\n--b--\r\n"

    streamed = client.post("/upload", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert streamed.status_code == 413
    api = client.post(
        "/api/v1/returns", headers={"Authorization": f"Bearer {world.tokens['a']}"}, files={"file": ("big.csv", big)}
    )
    assert api.status_code == 413 and "limit" in api.json()["detail"]
    assert not [p for p in world.landing.iterdir() if "big" in p.name]


def test_file_just_over_the_limit_inside_the_form_overhead_is_refused(world):
    """A body within limit + form overhead passes the transport check; the handler still refuses the file."""
    client = world.client("a")
    page = world.upload(client, "big.csv", b"a" * (LIMIT + 10))
    assert page.status_code == 413 and "limit" in page.text


def test_another_suppliers_contract_is_refused_without_saying_whether_it_exists(world, returns):
    client = world.client("a")
    own = returns.payroll_row(JUNE)
    answers = {}
    for ref in (PAYROLL_ONLY_REF, "NO-SUCH-CONTRACT"):
        rows = [own, returns.payroll_row(JUNE, worker=2, contract_ref=ref)]
        response = client.post(
            "/api/v1/returns",
            headers={"Authorization": f"Bearer {world.tokens['a']}"},
            files={"file": ("mixed.csv", csv_bytes(rows))},
        )
        assert response.status_code == 200 and response.json()["accepted"] is False
        # the answer may quote back the reference the supplier typed, and nothing else differs
        answers[ref] = json.dumps(response.json()["submissions"], sort_keys=True).replace(ref, "<typed>")
    assert answers[PAYROLL_ONLY_REF] == answers["NO-SUCH-CONTRACT"]
    assert "Test Cleaning" not in answers[PAYROLL_ONLY_REF] and "01234567" not in answers[PAYROLL_ONLY_REF]
    assert "payroll@care.example" not in answers[PAYROLL_ONLY_REF]
    assert not [p for p in world.landing.iterdir() if p.name.startswith("portal-") and "mixed" in str(delivery_of(p))]


def test_a_landed_upload_reaches_v_submissions_with_its_received_time_label_and_uploader(world, returns, db_rows):
    run_world_pipeline(world)
    rows = db_rows(
        world.db, "SELECT file_name, source, received_at, status FROM v_submissions WHERE file_name = 'care-may.csv'"
    )
    assert len(rows) == 1 and rows[0]["source"] == "portal" and rows[0]["status"] == "accepted"
    uploads = db_rows(world.db, "SELECT uploaded_at, label FROM portal_uploads WHERE label = 'care-may.csv'")
    received, uploaded = (_naive_utc(rows[0]["received_at"]), _naive_utc(uploads[0]["uploaded_at"]))
    assert abs((received - uploaded).total_seconds()) < 1
    page = world.client("a").get("/submissions").text
    assert "care-may.csv" in page and "by payroll@care.example" in page and "accepted" in page


def _naive_utc(value) -> datetime:
    """A timestamp as SQLite (text) or PostgreSQL (aware) gives it, as naive UTC."""
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


class _FakeAirflow(BaseHTTPRequestHandler):
    """Airflow 3's token and asset endpoints, as the portal calls them (paths from the installed airflow)."""

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        self.server.calls.append((self.path, body, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        if self.path == "/auth/token":
            ok = body == {"username": "portal", "password": "s3cret pass"}
            self._json(201 if ok else 401, {"access_token": "jwt-123"} if ok else {"detail": "bad"})
        elif self.path == "/api/v2/assets/events" and self.headers.get("Authorization") == "Bearer jwt-123":
            self._json(200, {"id": 1, "asset_id": body["asset_id"]})
        else:
            self._json(403, {"detail": "no"})

    def do_GET(self) -> None:  # noqa: N802
        self.server.calls.append((self.path, None, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        assets = [{"id": 7, "name": "gwp_landing_old"}, {"id": 42, "name": ASSET_NAME}]
        self._json(200, {"assets": assets, "total_entries": 2})


@contextmanager
def fake_airflow() -> Iterator[tuple[str, list]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeAirflow)
    server.calls = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.calls  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def test_a_passing_upload_posts_an_asset_event_to_airflow(tmp_path, returns):
    with fake_airflow() as (url, calls):
        world = build_world(
            tmp_path / "p",
            f"sqlite:///{tmp_path / 'p' / 'gwp.db'}",
            returns,
            run=False,
            airflow_api_url=url,
            airflow_api_user="portal",
            airflow_api_password="s3cret pass",
        )
        calls.clear()
        page = world.upload(world.client("a"), "june.csv", csv_bytes([returns.payroll_row(JUNE)]))
        assert "has been started" in page.text
        event = [c for c in calls if c[0] == "/api/v2/assets/events"]
        assert len(event) == 1 and event[0][1]["asset_id"] == 42 and event[0][1]["extra"]["source"] == "portal"
        calls.clear()
        world.upload(world.client("a"), "bad.csv", csv_bytes([returns.payroll_row(JUNE, hours_paid="-1")]))
        assert calls == []  # a file that does not pass starts nothing


def test_airflow_unreachable_says_the_next_run_takes_it(tmp_path, returns):
    with fake_airflow() as (url, _):
        pass  # the server is gone: its port refuses connections
    world = build_world(
        tmp_path / "p",
        f"sqlite:///{tmp_path / 'p' / 'gwp.db'}",
        returns,
        run=False,
        airflow_api_url=url,
        airflow_api_user="portal",
        airflow_api_password="wrong",
    )
    page = world.upload(world.client("a"), "june.csv", csv_bytes([returns.payroll_row(JUNE)]))
    assert page.status_code == 200 and "could not be started at once" in page.text and "next scheduled run" in page.text
    assert httpx  # the client the portal uses


def test_uploads_checked_at_once_in_threads_get_their_own_answers(tmp_path, returns):
    """The portal checks uploads in a thread pool: concurrent checks must not read each other's rows
    (GX's one context per process; validate serialises them)."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import date

    from factories import make_register, month, numbered_contracts

    from gwp_monitor.ingest.reading import ReadLimits
    from gwp_monitor.portal.accounts import User
    from gwp_monitor.portal.uploads import check_upload

    contracts = numbered_contracts(4, "T", start_date="2024-01-01")
    register = make_register(tmp_path, *contracts)

    def check(i: int) -> list[str]:
        contract = contracts[i % 4]
        user = User(i, f"u{i}@t.example", "supplier", contract["supplier"]["supplier_id"], False, True)
        period = month(2025, 1 + i % 3)
        rows = [returns.paid_row(contract["contract_ref"], period, w, "13.50") for w in range(1, 401)]
        result, _ = check_upload(
            csv_bytes(rows), "r.csv", user, register, today=date(2026, 1, 31), limits=ReadLimits(), max_bytes=LIMIT
        )
        return [p.describe() for s in result.submissions for p in s.problems]

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(check, range(8)))
    assert answers == [[]] * 8


@pytest.mark.airflow
def test_the_calls_match_the_installed_airflow_rest_api():
    """The three calls the portal makes exist in the installed Airflow with these paths and bodies."""
    from airflow.api_fastapi.auth.managers.simple.datamodels.login import LoginBody
    from airflow.api_fastapi.auth.managers.simple.routes.login import login_router
    from airflow.api_fastapi.core_api.datamodels.assets import CreateAssetEventsBody
    from airflow.api_fastapi.core_api.routes.public import public_router
    from airflow.api_fastapi.core_api.routes.public.assets import assets_router

    def routes(router) -> set[tuple[str, str]]:  # noqa: ANN001
        return {(m, r.path) for r in router.routes for m in getattr(r, "methods", ())}

    assert ("POST", "/token") in routes(login_router)  # mounted under /auth (airflow.api_fastapi.app)
    assert public_router.prefix == "/api/v2"
    assert {("GET", "/assets"), ("POST", "/assets/events")} <= routes(assets_router)
    LoginBody.model_validate({"username": "portal", "password": "x"})
    body = CreateAssetEventsBody.model_validate({"asset_id": 42, "extra": {"source": "portal", "file": "f.csv"}})
    assert body.asset_id == 42
