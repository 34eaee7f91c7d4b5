"""Importing a public register: fetch, read, validate, store, then check every contract again.

What `gwp-monitor registers import-gpg` and the monthly `gwp_public_registers` DAG both call. A file
that fails its GX suite is refused whole with every problem and nothing is stored; a good file
stores one snapshot per reporting year it holds (unchanged years are left as they are), and then the
checks and the register commitments' verdicts are recomputed for the as-of date.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gwp_monitor.domain.problems import Problem, file_problem, row_problem
from gwp_monitor.public_registers.gpg_checks import CheckSummary, check_public_registers, year_label
from gwp_monitor.public_registers.gpg_quality import check_register
from gwp_monitor.public_registers.gpg_source import fetch, read_register
from gwp_monitor.public_registers.gpg_store import YearOutcome, save_snapshots
from gwp_monitor.store.database import Database


@dataclass
class ImportResult:
    source: str
    employers: int = 0
    problems: list[Problem] = field(default_factory=list)
    years: list[YearOutcome] = field(default_factory=list)
    checks: CheckSummary | None = None
    seconds: float = 0.0

    @property
    def accepted(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> bool:
        return any(y.status != "unchanged" for y in self.years)

    def summary(self) -> str:
        if self.problems:
            return f"{self.source}: refused, {len(self.problems)} problem(s); nothing was stored"
        years = ", ".join(f"{year_label(y.reporting_year)} {y.status} ({y.employers} employers)" for y in self.years)
        return f"{self.source}: {self.employers} employers read and validated in {self.seconds:.1f} s; {years}"


def import_gpg(
    db: Database, source: str | Path, *, year: int | None = None, as_of: date, max_bytes: int
) -> ImportResult:
    """Import one gender pay gap register file; `year` (e.g. 2017 for 2017-18), when given, must be the
    only reporting year the file holds. Raises SourceError when the file cannot be fetched or parsed."""
    started = time.perf_counter()
    fetched = fetch(source, max_bytes)
    result = ImportResult(fetched.source)
    register = read_register(fetched.content)
    result.employers = len(register.frame)
    if register.frame.empty:
        result.problems = [file_problem("the file holds no employers")]
        return result
    result.problems = check_register(register)
    if not result.problems and year is not None:
        other = sorted({int(y) for y in register.frame["reporting_year"].dropna()} - {year})
        if other:
            wrong = register.frame["reporting_year"] != year

            result.problems = [
                row_problem(
                    "DueDate",
                    f"falls in reporting year {', '.join(year_label(y) for y in other)}, not {year_label(year)} "
                    "as --year says",
                    register.row_numbers[wrong].tolist(),
                )
            ]
    if result.problems:
        result.seconds = time.perf_counter() - started
        return result
    result.years = save_snapshots(db, register.frame, fetched.source)
    result.seconds = time.perf_counter() - started
    result.checks = check_public_registers(db, as_of)
    return result
