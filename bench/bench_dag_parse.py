"""DAG parse time: importing each file under dags/ in a fresh process that has already imported Airflow.

For each DAG file a new Python process imports `airflow` and `airflow.sdk` (what Airflow's DAG
processor has loaded before it parses a file: not charged to the DAG), then imports the DAG file the
way the processor does (as a module from its path) and reports both times. Best of 3 processes.

* figure: time to import the DAG file after Airflow; target < 0.5 s per file.
* floor: the time to import Airflow itself in that process, for scale (informational ratio).
* also: total (Airflow + DAG file) per file, and whether the DAG file itself pulled in pandas, numpy,
  pyarrow, GX or SQLAlchemy beyond what Airflow had loaded (it must not: heavy imports belong in tasks).

Runs with a throwaway AIRFLOW_HOME so nothing is written to the user's Airflow set-up.

    python bench/bench_dag_parse.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import Row, check_limit, log, report  # noqa: E402

PROBE = r"""
import importlib.util, json, sys, time
t0 = time.perf_counter()
import airflow, airflow.sdk
t1 = time.perf_counter()
already = set(sys.modules)
path = sys.argv[1]
spec = importlib.util.spec_from_file_location("unusual_prefix_dag_" + str(abs(hash(path))), path)
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
t2 = time.perf_counter()
heavy = sorted(m for m in ("pandas", "great_expectations", "sqlalchemy", "pyarrow", "numpy", "gwp_monitor.pipeline")
               if m in sys.modules and m not in already)  # what the DAG file itself pulled in
print(json.dumps({"airflow": t1 - t0, "dag": t2 - t1, "total": t2 - t0, "heavy": heavy}))
"""


def probe(dag: Path, home: str) -> dict:
    env = {**os.environ, "AIRFLOW_HOME": home, "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(common.ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(dag)], check=True, capture_output=True, text=True, env=env, cwd=common.ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows, details = [], {}
    with tempfile.TemporaryDirectory(prefix="gwp-bench-airflow-") as home:
        probe(sorted((common.ROOT / "dags").glob("*.py"))[0], home)  # first import compiles .pyc files
        for dag in sorted((common.ROOT / "dags").glob("*.py")):
            log(f"parsing {dag.name} x{args.repeat}")
            runs = [probe(dag, home) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["dag"])
            details[dag.name] = runs
            heavy = sorted({m for r in runs for m in r["heavy"]})
            note = f"heavy modules imported at parse time: {', '.join(heavy)}" if heavy else ""
            rows.append(
                check_limit(
                    f"DAG parse {dag.name}",
                    best["dag"],
                    0.5,
                    strict=True,
                    floor=best["airflow"],
                    floor_label="import airflow",
                    note=note,
                )
            )
            rows.append(Row(f"  total with airflow import, {dag.name}", min(r["total"] for r in runs)))
            if heavy:
                rows[-2].passed = False
    report("dag_parse", rows, details)
    return rows


if __name__ == "__main__":
    main()
