"""Many small returns: 1,000 returns of 200 rows in one run, against the same rows in one file.

The same 200,000 rows (1,000 contracts x 200 workers, June 2025) are run twice through
`run_pipeline` in-process, each into a new SQLite database:

* figure: 1,000 files, one return (one contract) each;
* floor: 1 file holding all 1,000 returns (the same work, without the per-file part);
* target: (figure - floor) / 1,000 <= 60 ms per return, i.e. what a file costs on top of its rows.

It also counts what must not happen per file: GX contexts created and database connections opened
during each run (a connection opened per file would show up as ~1,000).

    python bench/bench_many_returns.py [--returns N] [--rows-per-return N] [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import AS_OF, Row, check_limit, info, log, report  # noqa: E402


def inputs(returns: int, rows_per_return: int) -> tuple[Path, Path, Path]:
    """(register, folder with one file, folder with one file per return), cached."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    total = returns * rows_per_return
    one = common.payroll_input(total, contracts=returns, seed=1, name=f"many-{returns}x{rows_per_return}")
    split = one.csv.parent.parent / "split"
    done = split / ".complete"
    if not done.exists():
        log(f"splitting into {returns} files")
        split.mkdir(parents=True, exist_ok=True)
        names = pacsv.read_csv(one.csv, read_options=pacsv.ReadOptions(skip_rows_after_names=total)).column_names
        table = pacsv.read_csv(
            one.csv, convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names})
        )
        refs = table.column("contract_ref").to_numpy(zero_copy_only=False)
        starts = np.flatnonzero(
            np.r_[True, refs[1:] != refs[:-1]]
        )  # the generator writes each contract's rows together
        ends = np.r_[starts[1:], len(refs)]
        options = pacsv.WriteOptions(quoting_style="none", quoting_header="none")
        for i, (s, e) in enumerate(zip(starts, ends, strict=False)):
            pacsv.write_csv(table.slice(s, e - s), split / f"return-{i:04d}.csv", write_options=options)
        done.write_text("ok\n")
    return one.register, one.csv.parent, split


class Counters:
    """GX contexts created and DB connections opened while a run is in progress."""

    def __init__(self) -> None:
        self.contexts = 0
        self.connections = 0
        self.checkouts = 0

    def install(self):
        import great_expectations as gx

        real = gx.get_context

        def counting(*a, **kw):
            self.contexts += 1
            return real(*a, **kw)

        gx.get_context = counting
        return self


def run(register: Path, landing: Path, counters: Counters) -> tuple[float, dict]:
    from sqlalchemy import event

    from gwp_monitor.pipeline import run_pipeline
    from gwp_monitor.store.database import open_database

    folder = common.fresh_dir("many")
    try:
        database = open_database(common.sqlite_url(folder))  # the run's one engine; its connects are counted
        before_ctx, counters.connections, counters.checkouts = counters.contexts, 0, 0

        @event.listens_for(database.engine, "connect")
        def _count(*_):  # noqa: ANN002
            counters.connections += 1

        @event.listens_for(database.engine, "checkout")
        def _count_use(*_):  # noqa: ANN002
            counters.checkouts += 1

        seconds, summary = common.timed(lambda: run_pipeline(register, landing, database, as_of=AS_OF))
        database.engine.dispose()
        return seconds, {
            "outcomes": dict(summary.outcomes),
            "files": summary.files_read,
            "gx_contexts_created": counters.contexts - before_ctx,
            "db_connections_opened": counters.connections,
            "db_connection_checkouts": counters.checkouts,
        }
    finally:
        common.rmtree(folder)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--returns", type=int, default=1000)
    parser.add_argument("--rows-per-return", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)

    register, one, split = inputs(args.returns, args.rows_per_return)
    common.warn_if_busy()
    counters = Counters().install()
    warm = common.payroll_input(200, name="payroll-200-warmup")
    log("warm-up: one small run (imports GX, builds its context)")
    run(warm.register, warm.csv.parent, counters)

    ones, manys, facts = [], [], {}
    for _ in range(args.repeat):
        log(f"1 file of {args.returns * args.rows_per_return:,} rows")
        t, facts["one_file"] = run(register, one, counters)
        ones.append(t)
        log(f"{args.returns} files of {args.rows_per_return} rows")
        t, facts["many_files"] = run(register, split, counters)
        manys.append(t)
    floor, figure = min(ones), min(manys)
    per_return_ms = (figure - floor) / args.returns * 1000
    expected = {"accepted": args.returns}
    ok = facts["many_files"]["outcomes"] == expected and facts["one_file"]["outcomes"] == expected
    one, many = facts["one_file"], facts["many_files"]
    note = (
        f"during the runs (1 file / {args.returns} files): GX contexts created {one['gx_contexts_created']} / "
        f"{many['gx_contexts_created']}; DB connections opened {one['db_connections_opened']} / {many['db_connections_opened']} "
        f"(pooled connection checked out {one['db_connection_checkouts']} / {many['db_connection_checkouts']} times)"
    )
    if not ok:
        note += f"; UNEXPECTED OUTCOMES {facts}"
    rows = [
        info(
            f"{args.returns} files x {args.rows_per_return} rows, one run",
            figure,
            floor=floor,
            floor_label="1 file, same rows",
            ratio=figure / floor,
            extra={"runs": manys, "floor_runs": ones},
        ),
        check_limit("  per-return overhead ((files - one) / returns)", per_return_ms, 60, unit="ms", note=note),
    ]
    rows[1].passed = rows[1].passed and ok and facts["many_files"]["gx_contexts_created"] == 0
    report("many_returns", rows, facts)
    return rows


if __name__ == "__main__":
    main()
