"""The demo landing folder: a contract register and the supplier files a council would have by a date.

``landing_plan`` decides what the folder holds; this module generates each file's rows, writes them
and reports what it wrote (``DemoFiles``), so the demo can narrate it and tests can assert on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from gwp_monitor.demo.breaches import PlantedBreach, planted_breaches
from gwp_monitor.demo.files import write_return
from gwp_monitor.demo.landing_plan import ExpectedReturn, PlannedFile, default_start, plan_landing
from gwp_monitor.demo.mistakes import InjectedProblem, injected_problems
from gwp_monitor.demo.payroll import make_payroll
from gwp_monitor.demo.real_world import uk_export, weekly_and_two_jobs
from gwp_monitor.demo.register import demo_register, write_register
from gwp_monitor.demo.seeding import seeded_rng
from gwp_monitor.demo.workforce import make_workforce
from gwp_monitor.domain.rates import WageFloors, load_wage_floors
from gwp_monitor.domain.templates import Kind


@dataclass(frozen=True)
class LandingFile:
    """One supplier file written to the landing folder; its mtime is ``received_at`` (UTC)."""

    path: Path
    kind: Kind
    contract_ref: str
    period_start: date
    period_end: date
    due_date: date
    received_at: datetime
    format: Literal["csv", "xlsx"]
    rows: int
    problems: tuple[InjectedProblem, ...] = ()
    breaches: tuple[PlantedBreach, ...] = ()  # commitments this file's content breaks on purpose
    supersedes: Path | None = None  # a resubmission: the earlier file for the same contract and period
    superseded_by: Path | None = None
    weekly: bool = False  # some workers paid weekly (one row per pay week) and one in two jobs
    uk_format: bool = False  # a UK payroll export: "Contract Ref", 01/04/2025, £1,234.50, 3.5%

    @property
    def late(self) -> bool:
        """Received after its due date (a return received on the due date is on time, spec 2.1)."""
        return self.received_at.date() > self.due_date

    @property
    def broken(self) -> bool:
        """Has deliberate data-quality problems (see ``problems``)."""
        return bool(self.problems)


@dataclass(frozen=True)
class DemoFiles:
    """What ``write_demo_landing`` wrote, so the demo can narrate it and tests can assert on it."""

    directory: Path
    register_path: Path
    landing: Path
    as_of: date
    seed: int
    register: dict[str, Any]
    files: tuple[LandingFile, ...]
    overdue: tuple[ExpectedReturn, ...]  # past due and deliberately not sent
    awaiting: tuple[ExpectedReturn, ...]  # ended but not yet due, so not sent yet
    breaches: tuple[PlantedBreach, ...]  # commitments broken on purpose in the files as finally corrected

    @property
    def broken(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.broken)

    @property
    def late(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.late)

    @property
    def resubmissions(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.supersedes is not None)

    @property
    def weekly(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.weekly)

    @property
    def uk_format(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.uk_format)

    @property
    def xlsx(self) -> tuple[LandingFile, ...]:
        return tuple(f for f in self.files if f.format == "xlsx")

    def summary(self) -> str:
        """A few plain lines on what the demo data holds, for the demo command to print."""
        kinds = {k: sum(1 for f in self.files if f.kind == k) for k in ("payroll", "workforce")}
        lines = [
            f"{len(self.register['contracts'])} contracts in {self.register_path}",
            f"{len(self.files)} supplier files in {self.landing} ({kinds['payroll']} payroll, "
            f"{kinds['workforce']} workforce, {len(self.xlsx)} XLSX), as of {self.as_of}",
            f"{len(self.late)} received late, {len(self.broken)} with data-quality problems, "
            f"{len(self.resubmissions)} corrected resubmission(s)",
            f"{len(self.weekly)} payroll file(s) with weekly-paid workers and a two-job worker, "
            f"{len(self.uk_format)} in a UK payroll export's format (day-first dates, £1,234.50, 3.5%)",
            f"{len(self.overdue)} return(s) overdue on purpose, {len(self.awaiting)} not yet due",
            f"{len(self.breaches)} commitment breach(es) planted",
        ]
        return "\n".join(lines)


def _prepare_landing(landing: Path, overwrite: bool) -> None:
    """An empty landing folder: an old run's files must never mix with these."""
    if landing.exists() and any(landing.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{landing} is not empty; pass overwrite=True to replace its CSV and XLSX files")
        for old in landing.iterdir():
            if old.is_file() and old.suffix.lower() in (".csv", ".xlsx"):
                old.unlink()
    landing.mkdir(parents=True, exist_ok=True)


def _rows(pl: PlannedFile, seed: int, workers: int, floors: WageFloors) -> pd.DataFrame:
    """The planned file's content, from the same seeded model as every other return of its contract."""
    if pl.kind == "payroll":
        return make_payroll(
            [pl.contract],
            [pl.period],
            seed,
            workers,
            pl.breach_share,
            pl.broken_rows,
            minimum_wage_share=pl.minimum_share,
            floors=floors,
        )
    return make_workforce([pl.contract], [pl.period], seed, 0.15, workers, floors=floors)


def write_demo_landing(
    directory: str | Path,
    seed: int = 42,
    as_of: date | None = None,
    *,
    n_contracts: int = 6,
    workers_per_contract: int = 40,
    start: date | None = None,
    overwrite: bool = False,
    floors: WageFloors | None = None,
) -> DemoFiles:
    """Write ``register.yaml`` and ``landing/`` with the supplier files a council would have by ``as_of``.

    One payroll file per contract and month and one workforce file per contract and period whose
    return is past due by ``as_of``; months and quarters that have ended but are not yet due are left
    absent (``awaiting``). On purpose: one contract's latest past-due payroll return is missing
    (``overdue``); one supplier sends every return as XLSX (first sheet, plain values, title-case
    headers); one file has a row of every data-quality problem kind; one month is sent, then
    corrected by a later file (the original underpaid workers against the Real Living Wage, the
    correction applies the uplift, clearing the breach); about one file in eight arrives after its due date, at least one;
    the Real Living Wage breach contract pays three workers weekly (one row per pay week) and one worker
    in two jobs (``weekly``); the statutory minimum contract's supplier sends UK payroll exports
    ("Contract Ref" headers, day-first dates, £ amounts with thousands commas, % signs: ``uk_format``);
    one contract underpays the Real Living Wage in its last three months and another the statutory
    minimum in its last month; workforce commitments are broken at random (see ``breaches``). Every
    file's mtime is its received time (UTC), which the pipeline reads as the submission time.

    ``start`` defaults to 1 April of a financial year with at least six months before ``as_of``
    (default: today, UTC). With ``overwrite`` the CSV/XLSX files already in landing/ are removed
    first; otherwise a non-empty landing/ is refused, so an old run's files never mix with these.
    """
    as_of = as_of or datetime.now(UTC).date()
    directory = Path(directory)
    landing = directory / "landing"
    _prepare_landing(landing, overwrite)
    register = demo_register(seed, n_contracts, start or default_start(as_of))
    register_path = write_register(directory / "register.yaml", register)
    floors = floors or load_wage_floors()
    plan = plan_landing(register["contracts"], seed, as_of, floors)

    written: list[LandingFile] = []
    breaches: list[PlantedBreach] = []
    for pl in plan.files:
        path = landing / pl.name
        frame = _rows(pl, seed, workers_per_contract, floors)
        if pl.superseded_by is None:
            breaches.extend(planted_breaches(frame))
        sent = frame
        if pl.weekly and pl.kind == "payroll":
            sent = weekly_and_two_jobs(sent, seeded_rng(seed, "weekly", pl.name))
        if pl.uk_format:
            sent = uk_export(sent, pl.kind)
        write_return(path, sent, pl.kind, pl.fmt, pl.received)
        written.append(
            LandingFile(
                path,
                pl.kind,
                pl.contract["contract_ref"],
                pl.period[0],
                pl.period[1],
                pl.due,
                pl.received,
                pl.fmt,
                len(sent),
                injected_problems(frame),
                planted_breaches(frame),
                supersedes=landing / pl.supersedes if pl.supersedes else None,
                superseded_by=landing / pl.superseded_by if pl.superseded_by else None,
                weekly=pl.weekly and pl.kind == "payroll",
                uk_format=pl.uk_format,
            )
        )
    written.sort(key=lambda f: (f.contract_ref, f.kind, f.period_start, f.received_at))
    return DemoFiles(
        directory,
        register_path,
        landing,
        as_of,
        seed,
        register,
        tuple(written),
        tuple(plan.overdue),
        tuple(plan.awaiting),
        tuple(breaches),
    )
