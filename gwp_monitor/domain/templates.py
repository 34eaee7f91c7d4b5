"""The two return templates of spec 2.2 and 2.3, as data.

Everything that needs to know a column (the reader, the preparer that types values, the Great
Expectations suites, the sample generator, the docs) reads it from here, so a template change is made
in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "date", "decimal", "integer", "boolean", "enum"]
#: How a number is written besides plain digits: "gbp" takes a £ sign, "pct" a % sign (spec 2.2).
Unit = Literal["", "gbp", "pct"]
Kind = Literal["payroll", "workforce"]
AgeBand = Literal["under_18", "18_20", "21_plus"]
KINDS: tuple[Kind, ...] = ("payroll", "workforce")

BOOLEAN_TRUE = ("true", "yes", "y", "1")
BOOLEAN_FALSE = ("false", "no", "n", "0")

EMPLOYMENT_TYPES = ("direct", "subcontractor", "agency")
CONTRACT_TYPES = ("permanent", "fixed_term", "zero_hours", "minimum_hours", "casual", "annualised")
AGE_BANDS: tuple[AgeBand, ...] = ("under_18", "18_20", "21_plus")
GENDERS = ("female", "male", "other", "not_disclosed")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool
    allowed: tuple[str, ...] = ()
    description: str = ""
    unit: Unit = ""


KEY_COLUMNS = ("contract_ref", "period_start", "period_end")

_KEY = (
    Column("contract_ref", "text", True, description="a contract in the register"),
    Column("period_start", "date", True, description="first day of the return's period"),
    Column("period_end", "date", True, description="last day of the return's period"),
)

PAYROLL: tuple[Column, ...] = _KEY + (
    Column("worker_ref", "text", True, description="pseudonymous worker id, unique per contract and period"),
    Column("employer", "text", False, description="prime contractor or subcontractor name"),
    Column("employment_type", "enum", True, EMPLOYMENT_TYPES),
    Column("contract_type", "enum", True, CONTRACT_TYPES),
    Column("age_band", "enum", True, AGE_BANDS),
    Column("apprentice", "boolean", True),
    Column("london", "boolean", True, description="work done in Greater London"),
    Column("hours_paid", "decimal", True, description="basic hours paid in the month, >= 0"),
    Column("basic_pay", "decimal", True, description="basic pay in GBP for those hours, >= 0", unit="gbp"),
    Column("hourly_rate", "decimal", False, description="basic hourly rate, > 0", unit="gbp"),
    Column("gender", "enum", False, GENDERS),
    Column("pay_period_start", "date", False, description="first day of the row's pay period (weekly, fortnightly...)"),
    Column("pay_period_end", "date", False, description="last day of the row's pay period, inside the month"),
    Column("job_ref", "text", False, description="which job, for a worker with several jobs on the contract"),
)

#: The optional payroll columns for weekly/fortnightly pay and several jobs (spec 2.2): a return
#: paid monthly, one job a worker, leaves them out.
PAY_PERIOD_COLUMNS = ("pay_period_start", "pay_period_end", "job_ref")

#: A pay period is at most this many days, first and last day included (spec 2.2: five weeks).
MAX_PAY_PERIOD_DAYS = 35

WORKFORCE: tuple[Column, ...] = _KEY + (
    Column("headcount", "integer", True),
    Column("fte", "decimal", True),
    Column("zero_hours_workers", "integer", True),
    Column("agency_workers", "integer", True),
    Column("apprentices", "integer", True),
    Column("local_residents", "integer", True),
    Column("disabled_workers", "integer", False),
    Column("ethnic_minority_workers", "integer", False),
    Column("female_workers", "integer", False),
    Column("gender_pay_gap_median_pct", "decimal", False, unit="pct"),
    Column("gender_pay_gap_mean_pct", "decimal", False, unit="pct"),
    Column("recognised_trade_union", "boolean", True),
    Column("worker_voice_forum", "boolean", True),
    Column("flexible_working_from_day_one", "boolean", True),
    Column("training_hours", "decimal", False),
)

#: Workforce counts that may not exceed headcount (spec 2.3).
HEADCOUNT_BOUNDED = (
    "zero_hours_workers",
    "agency_workers",
    "apprentices",
    "local_residents",
    "disabled_workers",
    "ethnic_minority_workers",
    "female_workers",
)

TEMPLATES: dict[Kind, tuple[Column, ...]] = {"payroll": PAYROLL, "workforce": WORKFORCE}


def columns(kind: Kind) -> tuple[Column, ...]:
    return TEMPLATES[kind]


def column_names(kind: Kind) -> list[str]:
    return [c.name for c in TEMPLATES[kind]]


def monthly_column_names(kind: Kind) -> list[str]:
    """The columns of a return without pay periods or jobs: what the samples and most suppliers write."""
    return [name for name in column_names(kind) if name not in PAY_PERIOD_COLUMNS]


def required_names(kind: Kind) -> list[str]:
    return [c.name for c in TEMPLATES[kind] if c.required]


def canonical_header(name: str) -> str:
    """A header as the templates spell columns: trimmed, lower case, spaces, hyphens and dots as one
    underscore ("Contract Ref" is contract_ref), as spec 2.2 matches column names."""
    return re.sub(r"[\s\-.]+", "_", name.strip().lower()).strip("_")
