"""Run every benchmark, or one, each in its own fresh process; print one combined table.

    python bench/run_all.py                 # all (what `./dev bench` runs), about 5-8 minutes
    python bench/run_all.py validation      # one: end_to_end | validation | many_returns | dag_parse | memory | sftp_fetch | portal
    python bench/run_all.py airflow         # on request only: the DAG under a real scheduler (~5-15 minutes)
    python bench/run_all.py airflow --files 200 --celery-workers 1 2
    python bench/run_all.py validation --rows 200000   # extra arguments go to that benchmark

Each benchmark prints its own table and writes bench/results/<name>.json (git-ignored); this script
then prints all rows together and writes bench/results/all.json. Exit status 0 when every target is
met, 1 when any is missed, 2 when a benchmark failed to run. See docs/performance.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import Row, log  # noqa: E402

BENCHMARKS = {
    "end_to_end": "bench_end_to_end.py",
    "validation": "bench_validation.py",
    "many_returns": "bench_many_returns.py",
    "dag_parse": "bench_dag_parse.py",
    "memory": "bench_memory.py",
    "sftp_fetch": "bench_sftp_fetch.py",
    "portal": "bench_portal.py",
    "airflow": "bench_airflow.py",
}
#: Run only when named (`./dev bench airflow`): they start real servers and take many minutes.
ON_REQUEST = {"airflow"}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    names, extra = ([n for n in BENCHMARKS if n not in ON_REQUEST], []) if not argv else ([argv[0]], argv[1:])
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; choose from: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    rows: list[Row] = []
    failed = []
    started = time.perf_counter()
    for name in names:
        log(f"=== {name}")
        script = common.BENCH / BENCHMARKS[name]
        done = subprocess.run([sys.executable, str(script), *extra], cwd=common.ROOT)
        if done.returncode != 0:
            failed.append(name)
            continue
        result = json.loads((common.RESULTS / f"{name}.json").read_text(encoding="utf-8"))
        rows += [Row(**r) for r in result["rows"]]
    print("\n=== all benchmarks")
    print(common.table(rows))
    machine = common.machine()
    print(
        f"\nmachine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram_gib']} GiB RAM, Python {machine['python']}; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    if len(names) > 1:
        from dataclasses import asdict

        (common.RESULTS / "all.json").write_text(
            json.dumps({"machine": machine, "rows": [asdict(r) for r in rows]}, indent=2, default=str) + "\n",
            encoding="utf-8",
        )
    if failed:
        print(f"benchmark(s) that failed to run: {', '.join(failed)}", file=sys.stderr)
        return 2
    return 1 if any(r.passed is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
