"""Shared helpers for the benchmark scripts: data, timing, the results table, JSON, throwaway databases.

Every benchmark measures a product figure against a floor in the same process run, and reports
benchmark | figure | floor | ratio | target | pass/miss. Generated inputs are cached under
bench/results/data/ (git-ignored, like the JSON results); delete that folder to regenerate them.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import platform
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
DATA = RESULTS / "data"
#: The as-of date every benchmark runs at: after the benchmark month's due date, so nothing is "awaiting".
AS_OF = date(2025, 7, 31)
PERIOD = (date(2025, 6, 1), date(2025, 6, 30))
PG_SERVER_URL = (
    os.environ.get("GWP_BENCH_PG_URL")
    or os.environ.get("GWP_TEST_PG_URL")
    or "postgresql://postgres@127.0.0.1:5432/test"
)

if str(ROOT) not in sys.path:  # so `python bench/x.py` finds the package without installing it
    sys.path.insert(0, str(ROOT))


@dataclass
class Row:
    """One line of a benchmark table. `ratio` is figure / floor; `passed` None means informational."""

    benchmark: str
    figure: float
    unit: str = "s"
    floor: float | None = None
    floor_label: str = ""
    target: str = ""
    passed: bool | None = None
    ratio: float | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ratio is None and self.floor:
            self.ratio = self.figure / self.floor


def check_ratio(
    benchmark: str,
    figure: float,
    floor: float,
    limit: float,
    *,
    floor_label: str = "",
    unit: str = "s",
    strict: bool = False,
    note: str = "",
    extra: dict | None = None,
) -> Row:
    ratio = figure / floor
    ok = ratio < limit if strict else ratio <= limit
    return Row(
        benchmark,
        figure,
        unit,
        floor,
        floor_label,
        f"{'<' if strict else '<='} {limit:g}x",
        ok,
        ratio,
        note,
        extra or {},
    )


def check_limit(
    benchmark: str,
    figure: float,
    limit: float,
    *,
    unit: str = "s",
    strict: bool = False,
    floor: float | None = None,
    floor_label: str = "",
    note: str = "",
    extra: dict | None = None,
) -> Row:
    ok = figure < limit if strict else figure <= limit
    target = f"{'<' if strict else '<='} {_fmt(limit, unit)}"
    return Row(
        benchmark,
        figure,
        unit,
        floor,
        floor_label,
        target,
        ok,
        None if not floor else figure / floor,
        note,
        extra or {},
    )


def info(benchmark: str, figure: float, unit: str = "s", note: str = "", **kw) -> Row:
    return Row(benchmark, figure, unit, note=note, **kw)


# --- machine ---------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for name in ("great_expectations", "pandas", "pyarrow", "numpy", "sqlalchemy", "psycopg"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[name] = version(name if name != "great_expectations" else "great-expectations")
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "nproc": os.cpu_count(),
        "ram_gib": ram,
        "cpu": cpu,
        "python": platform.python_version(),
        "versions": versions,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# --- timing ----------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, list[float], object]:
    """(best time, all times, the best run's value). The best of a few runs is the least noisy
    estimate of cost: noise from the rest of the machine only ever adds time."""
    times, best_value = [], None
    for _ in range(max(1, repeat)):
        t, value = timed(fn)
        if not times or t < min(times):
            best_value = value
        times.append(t)
    return min(times), times, best_value


# --- the table ---------------------------------------------------------------------------------------


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    return f"{value:g} {unit}".strip()


def table(rows: list[Row]) -> str:
    header = ("benchmark", "figure", "floor", "ratio", "target", "result")
    lines = []
    for r in rows:
        floor = _fmt(r.floor, r.unit) + (f" ({r.floor_label})" if r.floor_label and r.floor is not None else "")
        result = "-" if r.passed is None else ("pass" if r.passed else "MISS")
        lines.append(
            (
                r.benchmark,
                _fmt(r.figure, r.unit),
                floor if r.floor is not None else "-",
                f"{r.ratio:.2f}x" if r.ratio is not None else "-",
                r.target or "-",
                result,
            )
        )
    widths = [max(len(str(x[i])) for x in [header, *lines]) for i in range(len(header))]
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=False)), "  ".join("-" * w for w in widths)]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=False)) for line in lines]
    notes = [f"  {r.benchmark}: {r.note}" for r in rows if r.note]
    return "\n".join(out + ([""] + notes if notes else []))


def report(name: str, rows: list[Row], details: dict | None = None) -> Path:
    """Print the table and write bench/results/<name>.json."""
    print()
    print(table(rows))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), "rows": [asdict(r) for r in rows], "details": details or {}}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {path.relative_to(ROOT)}")
    return path


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def warn_if_busy() -> None:
    """Figures are only comparable on a quiet machine: say so when something else is running."""
    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        log(f"warning: load average {load:.2f} on {os.cpu_count()} CPUs: other work is running, figures will be noisy")


# --- inputs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayrollInput:
    csv: Path
    register: Path
    rows: int
    contracts: int


def payroll_input(rows: int, contracts: int = 20, seed: int = 0, name: str | None = None) -> PayrollInput:
    """A valid payroll CSV of `rows` rows for June 2025 and a register that covers it (cached)."""
    from gwp_monitor.demo.big_csv import write_payroll_csv
    from gwp_monitor.demo.register import write_register

    folder = DATA / (name or f"payroll-{rows}-{contracts}-{seed}")
    csv, register = folder / "landing" / "payroll.csv", folder / "register.yaml"
    done = folder / ".complete"
    if not done.exists():
        log(f"generating {rows:,} payroll rows for {contracts} contracts in {folder.relative_to(ROOT)}")
        made = write_payroll_csv(csv, rows, seed=seed, n_contracts=contracts, period=PERIOD)
        write_register(register, made.register)
        done.write_text("ok\n")
    return PayrollInput(csv, register, rows, contracts)


def fresh_dir(prefix: str) -> Path:
    path = RESULTS / "tmp" / f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    path.mkdir(parents=True)
    return path


def sqlite_url(folder: Path, name: str = "gwp.db") -> str:
    return f"sqlite:///{folder / name}"


@contextlib.contextmanager
def throwaway_postgres(label: str = "bench") -> Iterator[str]:
    """A PostgreSQL database created for one measurement and dropped after it."""
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.pool import NullPool

    server = make_url(PG_SERVER_URL).set(drivername="postgresql+psycopg")
    name = f"gwp_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_available() -> bool:
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.pool import NullPool

    try:
        engine = create_engine(make_url(PG_SERVER_URL).set(drivername="postgresql+psycopg"), poolclass=NullPool)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - no server: the PostgreSQL rows are skipped, with a note
        return False


def rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
