"""Validation: the GX payroll suite plus the wage commitments on 1,000,000 rows, against plain pandas.

Both sides start from the same input, the trimmed text table `read_return_file` gives (reading is not
timed), and end with the same answers: every failing row per submission and rule, which submissions
are accepted, and the wage figures (workers assessed / below / arrears per submission, rate type and
band) of the accepted ones.

* figure: the product path, in-process: `prepare` (typing, derived columns, submission grouping and
  content hashes) + `validate` (the payroll suite and the register rule, one GX run) + the intake's
  acceptance + `assess_payroll` (statutory minimum and Real Living Wage as GX expectations).
* floor: bench/baseline_pandas.py, the same rules as vectorised pandas.
* target: figure <= 2x floor.

The return has problems injected into 5 of its 20 contracts (about 900 bad cells of 16 kinds), so
failures are found, reported with row numbers and the rest is assessed; the two sides' answers are
compared and the benchmark fails loudly if they differ. GX is imported and its context created before
timing (a fixed cost per process, reported by the end-to-end benchmark). Each side runs once to warm
up, then the best of --repeat runs (default 3) is taken.

    python bench/bench_validation.py [--rows N] [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import AS_OF, Row, best_of, check_ratio, info, log, report  # noqa: E402

#: (column, bad value or None for blank, how many rows): the mistakes suppliers make (see demo/mistakes.py)
PROBLEMS = [
    ("hours_paid", "12,5", 60),
    ("basic_pay", "£1,200.00", 60),
    ("worker_ref", "QQ 12 34 56 C", 60),
    ("worker_ref", "pat@example.org", 60),
    ("worker_ref", "=HYPERLINK(1)", 60),
    ("worker_ref", "<dup>", 60),
    ("employment_type", "permanent staff", 60),
    ("age_band", None, 60),
    ("apprentice", "maybe", 60),
    ("hourly_rate", "99.99", 60),
    ("hours_paid", "800", 60),
    ("period_end", "2025-06-31", 40),
    ("employer", "=cmd", 60),
    ("gender", "F", 60),
    ("contract_ref", "NOT-IN-REGISTER", 20),
    ("basic_pay", "-5", 60),
]
BROKEN_CONTRACTS = 5


def broken_input(rows: int) -> common.PayrollInput:
    """The benchmark return with problems injected into the rows of 5 of its contracts (cached)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    clean = common.payroll_input(rows)
    folder = common.DATA / f"payroll-{rows}-broken"
    csv, done = folder / "landing" / "payroll.csv", folder / ".complete"
    if done.exists():
        return common.PayrollInput(csv, clean.register, rows, clean.contracts)
    log(f"injecting problems into {folder.relative_to(common.ROOT)}")
    header = pacsv.read_csv(clean.csv, read_options=pacsv.ReadOptions(skip_rows_after_names=rows)).column_names
    table = pacsv.read_csv(
        clean.csv, convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in header})
    )
    refs = table.column("contract_ref").to_numpy(zero_copy_only=False)
    broken_refs = sorted(set(refs))[:BROKEN_CONTRACTS]
    candidates = np.flatnonzero(np.isin(refs, broken_refs))
    rng = np.random.default_rng(7)
    picked = rng.choice(candidates[1:], size=sum(n for _, _, n in PROBLEMS), replace=False)
    columns = {n: table.column(n).to_pylist() for n in header}
    at = 0
    for column, value, n in PROBLEMS:
        for i in picked[at : at + n]:
            columns[column][i] = columns["worker_ref"][i - 1] if value == "<dup>" else value
        at += n
    folder.joinpath("landing").mkdir(parents=True, exist_ok=True)
    out = pa.table({n: pa.array(columns[n], type=pa.string()) for n in header})
    pacsv.write_csv(out, csv, write_options=pacsv.WriteOptions(quoting_style="needed"))
    done.write_text("ok\n")
    return common.PayrollInput(csv, clean.register, rows, clean.contracts)


def product(files, register, floors):
    """The product path from read text to problems, acceptance and wage figures, timed by stage."""
    import time

    from gwp_monitor.assess.wages import assess_payroll
    from gwp_monitor.ingest.intake import Intake, _submissions_of
    from gwp_monitor.ingest.prepare import prepare
    from gwp_monitor.validate.expectations import validate

    t0 = time.perf_counter()
    ready = prepare(files, "payroll")
    t1 = time.perf_counter()
    outcome = validate(ready, register.contracts.keys())
    t2 = time.perf_counter()
    submissions = _submissions_of(ready, outcome.problems, register, AS_OF)
    intake = Intake(submissions, {"payroll": ready}, {"payroll": outcome.gx_result})
    assessment = assess_payroll(intake.accepted_rows("payroll"), register, floors, AS_OF)
    t3 = time.perf_counter()
    return {
        "ready": ready,
        "submissions": submissions,
        "assessment": assessment,
        "stages": {"prepare": t1 - t0, "validate (GX suite)": t2 - t1, "accept + assess_payroll (GX wages)": t3 - t2},
    }


def _sub_key(contract_ref, start, end) -> tuple:
    return tuple(None if v is None or v != v else str(v) for v in (contract_ref, start, end))


def compare(prod: dict, base, row_numbers: np.ndarray) -> list[str]:
    """Differences between the product's and the baseline's answers (empty when they agree)."""
    from baseline_pandas import REGISTER_RULE, suite_labels

    from gwp_monitor.validate.expectations import register_expectation

    ready = prod["ready"]
    subs = ready.submissions
    key_of = {int(sid): _sub_key(r.contract_ref, r.period_start_text, r.period_end_text) for sid, r in subs.iterrows()}
    p_problems = {}
    for s in prod["submissions"]:
        for p in s.problems:
            if p.rows:
                p_problems[(key_of[s.submission_key], p.column, p.rule)] = (p.rows, p.first_rows)
    labels = suite_labels()
    reg = register_expectation([]).meta
    labels[(REGISTER_RULE.type, REGISTER_RULE.column, REGISTER_RULE.regex)] = (reg["column"], reg["rule"])
    b_subs = base.submissions
    b_key = {int(sid): _sub_key(r.contract_ref, r.period_start_text, r.period_end_text) for sid, r in b_subs.iterrows()}
    b_problems = {}
    for sid, found in base.problems.items():
        for rule_key, count, first in found:
            column, rule = labels[rule_key]
            b_problems[(b_key[sid], column, rule)] = (count, tuple(int(x) for x in np.sort(row_numbers[first])))
    diffs = []
    for k in sorted(set(p_problems) | set(b_problems), key=str):
        if p_problems.get(k) != b_problems.get(k):
            diffs.append(f"problem {k}: product {p_problems.get(k)} baseline {b_problems.get(k)}")
    p_rejected = {key_of[s.submission_key] for s in prod["submissions"] if s.status == "rejected"}
    b_rejected = {b_key[int(sid)] for sid, r in b_subs.iterrows() if r["rejected"]}
    if p_rejected != b_rejected:
        diffs.append(
            f"rejected submissions differ: product {sorted(p_rejected, key=str)} baseline {sorted(b_rejected, key=str)}"
        )
    cols = ["workers_assessed", "workers_below", "arrears_gbp", "workers_below_upcoming"]
    p_w = prod["assessment"].wages
    p_w = {
        (key_of[int(r.submission_key)], r.rate_type, r.band): tuple(_plain(getattr(r, c)) for c in cols)
        for r in p_w.itertuples()
    }
    b_w = {
        (b_key[int(r.submission)], r.rate_type, r.band): tuple(_plain(getattr(r, c)) for c in cols)
        for r in base.wages.itertuples()
    }
    for k in sorted(set(p_w) | set(b_w), key=str):
        pv, bv = p_w.get(k), b_w.get(k)
        if pv is None or bv is None or pv[:3] != bv[:3] or (pv[3] is not None and pv[3] != bv[3]):
            diffs.append(f"wages {k}: product {pv} baseline {bv}")
    return diffs


def _plain(v):
    import pandas as pd

    return None if pd.isna(v) else round(float(v), 2)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import baseline_pandas

    from gwp_monitor.config.register import load_register
    from gwp_monitor.domain.rates import load_wage_floors
    from gwp_monitor.ingest.reading import read_return_file
    from gwp_monitor.validate.expectations import gx_context, load_suite

    if not baseline_pandas.rules_match_suite():
        raise SystemExit(
            "bench/baseline_pandas.py no longer mirrors expectations/payroll.json: update the baseline first"
        )
    data = broken_input(args.rows)
    register, floors = load_register(data.register), load_wage_floors()
    gx_context(), load_suite("payroll")  # fixed per-process cost, not per-row work
    returned = read_return_file(data.csv)
    assert returned.table is not None, returned.problems
    files = [returned]

    common.warn_if_busy()
    log("product: prepare + GX suite + GX wage commitments")
    product(files, register, floors)  # warm-up: first-call costs (GX expectation classes, pandas paths)
    p_time, p_times, prod = best_of(lambda: product(files, register, floors), args.repeat)
    log("baseline: plain vectorised pandas")
    baseline_pandas.check(returned.table, register, floors, AS_OF)  # warm-up, as for the product
    b_time, b_times, base = best_of(lambda: baseline_pandas.check(returned.table, register, floors, AS_OF), args.repeat)
    diffs = compare(prod, base, returned.row_numbers)
    accepted = sum(1 for s in prod["submissions"] if s.status == "accepted")
    note = (
        f"{len(prod['submissions'])} submissions ({accepted} accepted); answers agree with the baseline"
        if not diffs
        else f"ANSWERS DIFFER from the baseline ({len(diffs)}): " + "; ".join(diffs[:5])
    )
    rows = [
        check_ratio(
            f"validation: GX suite + wage commitments, {args.rows:,} rows",
            p_time,
            b_time,
            2.0,
            floor_label="plain pandas",
            note=note,
            extra={"figure_runs": p_times, "floor_runs": b_times, "differences": diffs},
        )
    ]
    for stage, seconds in prod["stages"].items():  # of the product's best run
        rows.append(info(f"  of which {stage}", seconds))
    if diffs:
        rows[0].passed = False
    report("validation", rows, {"rows": args.rows, "submissions": len(prod["submissions"]), "accepted": accepted})
    return rows


if __name__ == "__main__":
    main()
