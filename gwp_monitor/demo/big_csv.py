"""The big payroll file the benchmarks read: a valid CSV of any number of rows, streamed to disk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.csv as pacsv

from gwp_monitor.demo.dates import DateRange, PeriodLike, first_of_month_after
from gwp_monitor.demo.pay import month_pay, period_floors
from gwp_monitor.demo.payroll import payroll_month, payroll_schema, payroll_table
from gwp_monitor.demo.register import demo_register
from gwp_monitor.demo.seeding import seeded_rng
from gwp_monitor.demo.workers import contract_profile, draw_workers, id_width
from gwp_monitor.domain.rates import WageFloors, load_wage_floors

#: Rows per generated block when streaming a CSV: big enough for numpy to be efficient, small enough
#: to keep memory flat whatever n_rows is.
_CHUNK_ROWS = 250_000


@dataclass(frozen=True)
class PayrollCsv:
    """What ``write_payroll_csv`` wrote: the file, its row count and a register that covers it."""

    path: Path
    rows: int
    period: DateRange
    register: dict[str, Any]


def write_payroll_csv(
    path: str | Path,
    n_rows: int,
    seed: int = 0,
    n_contracts: int = 20,
    period: PeriodLike = (date(2025, 6, 1), date(2025, 6, 30)),
    *,
    breach_share: float = 0.02,
    floors: WageFloors | None = None,
) -> PayrollCsv:
    """Stream a valid payroll CSV of exactly ``n_rows`` rows for one month, for benchmarks.

    Rows are spread evenly over ``n_contracts`` contracts of ``demo_register(seed, n_contracts)``
    (starting two months before ``period``, so the period is one every contract expects); the
    returned ``register`` is that register, for ``write_register``. Each contract is generated in
    blocks of up to 250,000 rows with the same worker and pay model as ``make_payroll`` (without
    month-to-month churn: one month only) and written with pyarrow's CSV writer, so memory stays
    flat and a million rows take about a second.
    """
    if n_rows < 0:
        raise ValueError("n_rows must be >= 0")
    start, end = payroll_month(period)
    register = demo_register(seed, n_contracts, start=first_of_month_after(start, -2))
    floors = floors or load_wage_floors()
    fl = period_floors(floors, start)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    per_contract = np.full(n_contracts, n_rows // n_contracts)
    per_contract[: n_rows % n_contracts] += 1
    schema = payroll_schema()
    options = pacsv.WriteOptions(quoting_style="none", quoting_header="none")
    written = 0
    with pacsv.CSVWriter(str(path), schema, write_options=options) as writer:
        for contract, total in zip(register["contracts"], per_contract, strict=False):
            p = contract_profile(contract, seed, int(total), None)
            width = id_width(p, int(total))
            for block, offset in enumerate(range(0, int(total), _CHUNK_ROWS)):
                n = min(_CHUNK_ROWS, int(total) - offset)
                rng = seeded_rng(seed, "bench", p.contract_ref, block)
                w = draw_workers(rng, n, p)
                m = month_pay(rng, w, p, (start, end), fl, breach_share, 0.0)
                ids = p.id_base + offset + np.arange(n)
                writer.write_table(payroll_table(p, (start, end), ids, width, w, m).cast(schema))
                written += n
    return PayrollCsv(path, written, (start, end), register)
