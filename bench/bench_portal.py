"""Supplier portal under load: N suppliers at once sign in and hand in a 1,000-row payroll return each,
R times, against the real server (`gwp-monitor portal serve`, uvicorn, one process) on the embedded
default (SQLite) or --db postgresql://...

Each client is its own supplier (its own contract), signs in (GET the form for its CSRF token, POST
the password: one argon2id verification), GETs the upload form and POSTs a CSV of 1,000 worker rows
for a new month every round, which the portal checks with the full validation (Great Expectations)
and lands. Then the pipeline runs once over the landing folder.

* figure: requests per second over the whole run (all four requests of every round), and p95 latency
  of a request and of an upload; informational (no target yet: docs/performance.md).
* correctness: every upload answered "passed"; exactly N x R uploads recorded, N x R files landed with
  distinct content, and after the pipeline exactly N x R accepted portal submissions in v_submissions:
  none lost, none doubled.

    python bench/bench_portal.py [--clients 8] [--rounds 3] [--rows 1000] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import common  # noqa: E402
from common import Row, info, log, report  # noqa: E402
from factories import ReturnBuilder, month, numbered_contracts, write_register  # noqa: E402

PASSWORD = "bench password for every supplier"
AS_OF = "2026-01-31"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def payroll_csv(builder: ReturnBuilder, ref: str, period: tuple[str, str], rows: int) -> bytes:
    header = list(builder.payroll_row(period, contract_ref=ref))
    lines = [",".join(header)]
    for worker in range(1, rows + 1):
        row = builder.paid_row(ref, period, worker, rate="13.50", hours=str(100 + worker % 60), employer="Bench Ltd")
        lines.append(",".join(row[c] for c in header))
    return ("\n".join(lines) + "\n").encode()


async def client_run(
    base: str, email: str, files: list[bytes], latencies: dict[str, list[float]], failures: list[str]
) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=300) as http:
        for data in files:
            http.cookies.clear()

            async def timed(kind: str, request):  # noqa: ANN001, ANN202
                started = time.perf_counter()
                response = await request
                latencies[kind].append(time.perf_counter() - started)
                return response

            form = await timed("get", http.get("/sign-in"))
            token = _CSRF.search(form.text).group(1)  # type: ignore[union-attr]
            signed = await timed(
                "sign_in", http.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
            )
            if signed.status_code != 303:
                failures.append(f"{email}: sign-in answered {signed.status_code}")
                continue
            page = await timed("get", http.get("/upload"))
            token = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
            answer = await timed(
                "upload",
                http.post("/upload", data={"csrf_token": token}, files={"file": ("return.csv", data, "text/csv")}),
            )
            if answer.status_code != 200 or "passed every check" not in answer.text:
                failures.append(f"{email}: upload answered {answer.status_code}")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else 0.0)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--db", default=None, help="reporting database URL (default: a SQLite file in a temp folder)")
    args = parser.parse_args(argv)

    from gwp_monitor.config.register import load_register
    from gwp_monitor.pipeline import run_pipeline
    from gwp_monitor.portal import accounts
    from gwp_monitor.store.database import open_database

    folder = Path(tempfile.mkdtemp(prefix="gwp-bench-portal-"))
    landing = folder / "landing"
    landing.mkdir()
    contracts = numbered_contracts(args.clients, "B", start_date="2024-01-01")
    register_path = write_register(folder / "register.yaml", *contracts)
    url = args.db or f"sqlite:///{folder / 'gwp.db'}"
    db = open_database(url)
    builder = ReturnBuilder()
    emails = []
    plans: list[list[bytes]] = []
    for i, contract in enumerate(contracts, 1):
        email = f"payroll{i}@bench.example"
        accounts.add_user(db, email, "supplier", contract["supplier"]["supplier_id"], PASSWORD)
        emails.append(email)
        plans.append(
            [payroll_csv(builder, contract["contract_ref"], month(2025, r + 1), args.rows) for r in range(args.rounds)]
        )
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(common.ROOT),
        "GWP_PORTAL_SECRET_KEY": "bench-" + "k" * 40,
        "GWP_AS_OF": AS_OF,
        "GWP_PORTAL_SIGN_IN_ATTEMPTS": "1000",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gwp_monitor.cli",
            "portal",
            "serve",
            "--db",
            url,
            "--contracts",
            str(register_path),
            "--landing",
            str(landing),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/sign-in", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the portal did not start") from None
                time.sleep(0.2)
        latencies: dict[str, list[float]] = {"get": [], "sign_in": [], "upload": []}
        failures: list[str] = []
        log(f"{args.clients} clients x {args.rounds} rounds, {args.rows} rows per return, on {url.split(':')[0]}")
        started = time.perf_counter()
        asyncio.run(_all(base, emails, plans, latencies, failures))
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    expected = args.clients * args.rounds
    with db.engine.connect() as conn:
        from sqlalchemy import text

        uploads = conn.execute(text("SELECT COUNT(*), COUNT(DISTINCT file_sha256) FROM portal_uploads")).one()
    landed = [p for p in landing.iterdir() if p.name.startswith("portal-")]
    t0 = time.perf_counter()
    run_pipeline(load_register(register_path), landing, db, as_of=__import__("datetime").date.fromisoformat(AS_OF))
    pipeline_s = time.perf_counter() - t0
    with db.engine.connect() as conn:
        accepted = conn.execute(
            text("SELECT COUNT(*) FROM v_submissions WHERE source = 'portal' AND status = 'accepted'")
        ).scalar_one()
    everything = [v for vs in latencies.values() for v in vs]
    ok = not failures and tuple(uploads) == (expected, expected) and len(landed) == expected and accepted == expected
    rows: list[Row] = [
        info(
            "portal requests per second",
            len(everything) / wall,
            unit="req/s",
            note=f"{args.clients} clients x {args.rounds} rounds x 4 requests in {wall:.1f} s",
        ),
        info("portal p95 request latency", p95(everything), note="sign-in form, sign-in, upload form, upload"),
        info(
            "portal p95 upload latency", p95(latencies["upload"]), note=f"{args.rows}-row CSV, checked with GX, landed"
        ),
        info("portal p95 sign-in latency", p95(latencies["sign_in"]), note="one argon2id verification"),
        Row(
            "portal uploads lost or doubled",
            float(0 if ok else 1),
            unit="",
            target="0",
            passed=ok,
            note=f"{uploads[0]} recorded ({uploads[1]} distinct), {len(landed)} landed, {accepted} accepted after the run; "
            f"{len(failures)} failed answers",
        ),
        info("pipeline over the uploads", pipeline_s, note=f"{expected} files"),
    ]
    report(
        "portal", rows, {"failures": failures[:20], "clients": args.clients, "rounds": args.rounds, "rows": args.rows}
    )
    return 0 if ok else 1


async def _all(base: str, emails: list[str], plans: list[list[bytes]], latencies, failures) -> None:  # noqa: ANN001
    await asyncio.gather(*(client_run(base, e, p, latencies, failures) for e, p in zip(emails, plans, strict=True)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
