"""Payroll return rows (spec 2.2): a contract's workers and their pay, month by month, as Arrow columns.

Rows are made with numpy in vectorised blocks and turned into Arrow columns without a Python loop per
row; ``big_csv`` streams the same blocks to disk for the benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gwp_monitor.demo.breaches import PlantedBreach
from gwp_monitor.demo.dates import DateRange, PeriodLike, as_period, month_index
from gwp_monitor.demo.mistakes import PROBLEM_KINDS, inject_problems
from gwp_monitor.demo.pay import Month, month_pay, period_floors
from gwp_monitor.demo.register import commitment_map
from gwp_monitor.demo.seeding import ShareArg, seeded_rng, share_for
from gwp_monitor.demo.workers import Profile, build_pool, contract_profile, id_width, subset
from gwp_monitor.domain.periods import is_calendar_month
from gwp_monitor.domain.rates import WageFloors, load_wage_floors
from gwp_monitor.domain.templates import (
    AGE_BANDS,
    CONTRACT_TYPES,
    EMPLOYMENT_TYPES,
    GENDERS,
    PAY_PERIOD_COLUMNS,
    columns,
    monthly_column_names,
)


def payroll_month(period: PeriodLike) -> DateRange:
    """``period`` as (start, end), refused unless it is a calendar month: payroll periods are (spec 2.2)."""
    start, end = as_period(period)
    if not is_calendar_month(start, end):
        raise ValueError(f"payroll periods are calendar months (spec 2.2); {start} to {end} is not one")
    return start, end


def payroll_schema() -> pa.Schema:
    """The payroll template as an Arrow schema: money and hours as floats, everything else as text."""
    return pa.schema(
        [
            (c.name, pa.float64() if c.type == "decimal" else pa.string())
            for c in columns("payroll")
            if c.name not in PAY_PERIOD_COLUMNS
        ]
    )


def _refs(prefix: str, ids: np.ndarray, width: int) -> pa.Array:
    """ "W000123"-style strings for integer ids, built as one byte buffer (no Python loop)."""
    n = len(ids)
    if n:
        width = max(width, len(str(int(ids.max()))))
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    row = len(head) + width
    buf = np.empty((n, row), dtype=np.uint8)
    buf[:, : len(head)] = head
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    buf[:, len(head) :] = (ids.astype(np.int64)[:, None] // powers) % 10 + 48
    offsets = np.arange(0, (n + 1) * row, row, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(buf.ravel())).cast(pa.string())


def _labels(vocabulary: Sequence[str], codes: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
    """Template words for integer codes (dictionary lookup in Arrow); ``blank`` rows left empty."""
    indices = pa.array(codes.astype(np.int32), mask=blank)
    return pc.take(pa.array(list(vocabulary), type=pa.string()), indices)


def _numbers(values: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
    """A float column; ``blank`` rows left empty, as a supplier leaves an optional number out."""
    return pa.array(values.astype(float), type=pa.float64(), mask=blank)


def payroll_table(
    p: Profile,
    period: DateRange,
    ids: np.ndarray,
    width: int,
    w: Mapping[str, np.ndarray],
    m: Month,
) -> pa.Table:
    """One (contract, month) block in the payroll template's columns and order."""
    n = len(ids)
    start, end = period
    true_s, false_s = p.bool_style
    yes_no = pa.array([false_s, true_s], type=pa.string())
    rate_blank = ~w["rate_given"] | (m.hours <= 0)
    values: dict[str, pa.Array] = {
        "contract_ref": pa.repeat(pa.scalar(p.contract_ref, pa.string()), n),
        "period_start": pa.repeat(pa.scalar(start.isoformat(), pa.string()), n),
        "period_end": pa.repeat(pa.scalar(end.isoformat(), pa.string()), n),
        "worker_ref": _refs("W", ids, width),
        "employer": _labels(p.employers, w["employer"], w["employer_blank"]),
        "employment_type": _labels(EMPLOYMENT_TYPES, w["employment"]),
        "contract_type": _labels(CONTRACT_TYPES, w["contract_type"]),
        "age_band": _labels(AGE_BANDS, w["age"]),
        "apprentice": pc.take(yes_no, pa.array(w["apprentice"].astype(np.int8))),
        "london": pa.repeat(pa.scalar(true_s if p.london else false_s, pa.string()), n),
        "hours_paid": _numbers(m.hours),
        "basic_pay": _numbers(m.pay),
        "hourly_rate": _numbers(m.rate, rate_blank),
        "gender": _labels(GENDERS, w["gender"], w["gender_blank"]),
    }
    return pa.table({name: values[name] for name in monthly_column_names("payroll")})


@dataclass
class _PayrollBlock:
    """One contract-month of rows, with the underpayment counts that become planted breaches."""

    table: pa.Table
    below_rlw: int
    below_statutory: int


def _payroll_blocks(
    contracts: Sequence[Mapping[str, Any]],
    periods: Sequence[PeriodLike],
    seed: int,
    workers: int,
    breach_share: ShareArg,
    minimum_wage_share: ShareArg,
    london: Mapping[str, bool] | None,
    floors: WageFloors | None,
) -> list[tuple[Mapping[str, Any], DateRange, _PayrollBlock]]:
    """One block per (contract, month), in argument order, with how many workers it underpays."""
    if workers < 1:
        raise ValueError("workers_per_contract must be at least 1")
    months = [payroll_month(p) for p in periods]
    floors = floors or load_wage_floors()
    out = []
    for contract in contracts:
        p = contract_profile(contract, seed, workers, london)
        last = max((month_index(s) for s, _ in months), default=p.start_month)
        pool = build_pool(p, seed, workers, last)
        width = id_width(p, workers)
        rlw_share = share_for(breach_share, p.contract_ref)
        min_share = share_for(minimum_wage_share, p.contract_ref)
        for period in months:
            month = month_index(period[0])
            idx = pool.active(month, p.start_month)
            w = subset(pool.w, idx)
            rng = seeded_rng(seed, "month", p.contract_ref, workers, month)
            m = month_pay(rng, w, p, period, period_floors(floors, period[0]), rlw_share, min_share)
            table = payroll_table(p, period, pool.ids[idx], width, w, m)
            block = _PayrollBlock(table, int(m.below_rlw.sum()), int(m.below_statutory.sum()))
            out.append((contract, period, block))
    return out


def make_payroll(
    contracts: Sequence[Mapping[str, Any]],
    periods: Sequence[PeriodLike],
    seed: int = 0,
    workers_per_contract: int = 40,
    breach_share: ShareArg = 0.0,
    broken_rows: int = 0,
    *,
    minimum_wage_share: ShareArg = 0.0,
    london: Mapping[str, bool] | None = None,
    floors: WageFloors | None = None,
) -> pd.DataFrame:
    """Payroll return rows (spec 2.2) for each contract (register dicts) and calendar month.

    Columns are exactly the payroll template's, holding what a supplier's file holds: text for
    references, dates (ISO), enumerations and booleans (each supplier has its own spelling of
    yes/no, all accepted by the spec), floats for hours and money (hourly_rate NaN where the supplier
    left it blank). About ``workers_per_contract`` people work each month; they leave and join over
    time, keep their pseudonymous ref ("W000123") from month to month, and are ordered by ref.

    ``breach_share`` is the share of Real Living Wage-scope workers (18+, not apprentices unless the
    commitment includes them) paid below the Real Living Wage but at or above the statutory minimum;
    ``minimum_wage_share`` the share of workers paid below the statutory minimum. Either may be a
    mapping contract_ref -> share. A positive share underpays at least one worker; a worker cannot be
    underpaid against the Real Living Wage in a month when it is not above their statutory minimum
    (e.g. April, before the new rate must be paid), so those months may have fewer. Everyone else is
    paid at least max(Real Living Wage, statutory minimum) if in scope, the statutory minimum if not.

    ``broken_rows`` (0 to len(PROBLEM_KINDS)) injects that many data-quality problems, each of a
    different kind, at distinct rows; ``injected_problems(frame)`` lists them. A frame with problems
    holds text in the number column that received text. ``planted_breaches(frame)`` lists the
    contract-months with underpaid workers.
    """
    if not 0 <= broken_rows <= len(PROBLEM_KINDS):
        raise ValueError(f"broken_rows must be between 0 and {len(PROBLEM_KINDS)} (one problem of each kind)")
    blocks = _payroll_blocks(
        contracts, periods, seed, workers_per_contract, breach_share, minimum_wage_share, london, floors
    )
    if blocks:
        frame = pa.concat_tables([b.table for _, _, b in blocks]).to_pandas()
    else:
        frame = payroll_schema().empty_table().to_pandas()
    breaches: list[PlantedBreach] = []
    for contract, (start, end), block in blocks:
        ref = str(contract["contract_ref"])
        if block.below_statutory:
            detail = f"{block.below_statutory} workers below"
            breaches.append(PlantedBreach(ref, "statutory_minimum_wage", start, end, detail))
        if block.below_rlw and "real_living_wage" in commitment_map(contract):
            breaches.append(PlantedBreach(ref, "real_living_wage", start, end, f"{block.below_rlw} workers below"))
    frame.attrs["breaches"] = tuple(breaches)
    frame.attrs["problems"] = ()
    if broken_rows:
        frame.attrs["problems"] = inject_problems(frame, seeded_rng(seed, "broken", broken_rows), broken_rows)
    return frame
