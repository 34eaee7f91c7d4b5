"""End to end: a 1,000,000-row payroll CSV through the pipeline into SQLite and PostgreSQL.

* figure: `run_pipeline` called in-process (what `gwp-monitor run` calls after parsing its flags), on a
  landing folder holding the one file, into a new database each time (SQLite file; PostgreSQL
  database created for the measurement and dropped after). Everything the run does is timed: register,
  reading, typing, GX validation, GX commitments, storing, timeliness. The process has already done one
  small run first, so importing GX and building its context (a fixed cost per process, reported on
  its own row) is not charged to the million rows.
* floor: one `pyarrow.csv.read_csv` of the same file (default options: all cores, types inferred),
  in the same process, best of 5 (measured again before the PostgreSQL runs).
* target: figure <= 3x floor.

An informational row gives the cold command line: `gwp-monitor run` in a fresh subprocess (interpreter
start, imports, GX context and the run), SQLite.

    python bench/bench_end_to_end.py [--rows N] [--repeat N] [--no-postgres] [--no-cli]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import AS_OF, Row, best_of, check_ratio, info, log, report  # noqa: E402


def pyarrow_read(path: Path):
    import pyarrow.csv as pacsv

    return pacsv.read_csv(path)


def one_run(data: common.PayrollInput, url: str):
    from gwp_monitor.pipeline import run_pipeline

    summary = run_pipeline(data.register, data.csv.parent, url, as_of=AS_OF)
    if summary.outcomes.get("accepted") != data.contracts or summary.warnings:
        raise RuntimeError(f"unexpected outcome {dict(summary.outcomes)} {summary.warnings}")
    return summary


def timed_sqlite(data: common.PayrollInput, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        folder = common.fresh_dir("e2e-sqlite")
        try:
            t, _ = common.timed(lambda folder=folder: one_run(data, common.sqlite_url(folder)))
            times.append(t)
        finally:
            common.rmtree(folder)
    return min(times), times


def timed_postgres(data: common.PayrollInput, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        with common.throwaway_postgres("e2e") as url:
            t, _ = common.timed(lambda: one_run(data, url))
            times.append(t)
    return min(times), times


def cold_cli(data: common.PayrollInput) -> float:
    folder = common.fresh_dir("e2e-cli")
    try:
        # The command moves what it stored to the processed area (retention): give it a landing folder
        # of its own, a hard link to the cached input (same bytes and times, nothing copied).
        landing = folder / "landing"
        landing.mkdir()
        os.link(data.csv, landing / data.csv.name)
        exe = Path(sys.executable).with_name("gwp-monitor")
        cmd = [
            str(exe),
            "run",
            "--contracts",
            str(data.register),
            "--landing",
            str(landing),
            "--db",
            common.sqlite_url(folder),
            "--as-of",
            AS_OF.isoformat(),
            "--quiet",
        ]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        return time.perf_counter() - start
    finally:
        common.rmtree(folder)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args(argv)

    data = common.payroll_input(args.rows)
    small = common.payroll_input(200, name="payroll-200-warmup")
    pyarrow_read(data.csv)  # the file is in the page cache for both sides

    log("warm-up: one 200-row run (imports GX, builds its context)")
    folder = common.fresh_dir("e2e-warmup")
    start = time.perf_counter()
    from gwp_monitor.pipeline import run_pipeline

    run_pipeline(small.register, small.csv.parent, common.sqlite_url(folder), as_of=AS_OF)
    warmup = time.perf_counter() - start
    common.rmtree(folder)

    common.warn_if_busy()
    floor, floor_runs, _ = best_of(lambda: pyarrow_read(data.csv), 5)
    rows: list[Row] = []
    log(f"SQLite: run_pipeline on {args.rows:,} rows x{args.repeat}")
    figure, runs = timed_sqlite(data, args.repeat)
    rows.append(
        check_ratio(
            f"end to end, {args.rows:,} rows -> SQLite",
            figure,
            floor,
            3.0,
            floor_label="pyarrow read",
            extra={"figure_runs": runs, "floor_runs": floor_runs},
        )
    )
    if args.no_postgres:
        pass
    elif common.postgres_available():
        log(f"PostgreSQL: run_pipeline on {args.rows:,} rows x{args.repeat}")
        floor_pg, floor_runs_pg, _ = best_of(lambda: pyarrow_read(data.csv), 5)
        figure, runs = timed_postgres(data, args.repeat)
        rows.append(
            check_ratio(
                f"end to end, {args.rows:,} rows -> PostgreSQL",
                figure,
                floor_pg,
                3.0,
                floor_label="pyarrow read",
                extra={"figure_runs": runs, "floor_runs": floor_runs_pg},
            )
        )
    else:
        rows.append(
            info("end to end -> PostgreSQL", float("nan"), note=f"skipped: no server at {common.PG_SERVER_URL}")
        )
    rows.append(info("  fixed cost per process: first 200-row run (GX import + context)", warmup))
    if not args.no_cli:
        log("cold CLI: gwp-monitor run in a fresh subprocess")
        rows.append(info(f"  cold `gwp-monitor run` subprocess, {args.rows:,} rows -> SQLite", cold_cli(data)))
    report("end_to_end", rows, {"rows": args.rows, "contracts": data.contracts, "mode": "run_pipeline in-process"})
    return rows


if __name__ == "__main__":
    main()
