"""Peak memory of the 1,000,000-row run against the size of the typed frame.

* figure: peak RSS (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) of a fresh subprocess that runs
  `run_pipeline` on the 1,000,000-row payroll CSV into a new SQLite database. The process's RSS after
  imports and the GX context (before any row is read) is reported too: it is part of the peak.
* floor: `memory_usage(deep=True).sum()` of the typed frame the run validates (`prepare`'s frame
  for the same file), measured in another fresh subprocess.
* target: figure <= 4x floor.

    python bench/bench_memory.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import Row, check_ratio, info, log, report  # noqa: E402

RUN = r"""
import json, resource, sys
from datetime import date
from pathlib import Path
from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.validate.expectations import gx_context, load_suite
gx_context(); load_suite("payroll")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
summary = run_pipeline(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], as_of=date.fromisoformat(sys.argv[4]))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kib": before, "peak_kib": peak, "outcomes": dict(summary.outcomes)}))
"""

FRAME = r"""
import json, sys
from gwp_monitor.ingest.prepare import prepare
from gwp_monitor.ingest.reading import read_return_file
f = read_return_file(sys.argv[1])
frame = prepare([f], f.kind).frame
usage = frame.memory_usage(deep=True)
print(json.dumps({"bytes": int(usage.sum()), "rows": len(frame), "columns": {k: int(v) for k, v in usage.items()},
                  "dtypes": {k: str(v) for k, v in frame.dtypes.items()}}))
"""


def child(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, env=env, cwd=common.ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    data = common.payroll_input(args.rows)
    log("typed frame size (fresh process)")
    frame = child(FRAME, str(data.csv))
    folder = common.fresh_dir("memory")
    try:
        log("peak RSS of run_pipeline (fresh process)")
        run = child(RUN, str(data.register), str(data.csv.parent), common.sqlite_url(folder), common.AS_OF.isoformat())
    finally:
        common.rmtree(folder)
    mib = 1024 * 1024
    peak, before, frame_bytes = run["peak_kib"] * 1024 / mib, run["before_kib"] * 1024 / mib, frame["bytes"] / mib
    rows = [
        check_ratio(
            f"peak RSS, {args.rows:,}-row run", peak, frame_bytes, 4.0, unit="MiB", floor_label="typed frame, deep"
        ),
        info("  RSS after imports + GX context, before reading", before, unit="MiB"),
        info("  peak RSS above that", peak - before, unit="MiB", ratio=(peak - before) / frame_bytes),
    ]
    report("memory", rows, {"frame": frame, "run": run})
    return rows


if __name__ == "__main__":
    main()
