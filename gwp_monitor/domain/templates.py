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
    """One template column. `description` and `example` are what a supplier is told about it: the
    XLSX template's explanation sheet, docs/supplier-guide.md and `gwp-monitor template` read them here,
    so the words cannot drift from the rules."""

    name: str
    type: ColumnType
    required: bool
    allowed: tuple[str, ...] = ()
    description: str = ""
    unit: Unit = ""
    #: A value as a supplier would type it, valid for the column (the examples of one template make a valid row).
    example: str = ""


KEY_COLUMNS = ("contract_ref", "period_start", "period_end")

_CONTRACT_REF = Column(
    "contract_ref",
    "text",
    True,
    description="the council's reference for the contract, exactly as in the contract register",
    example="NCC-2025-0142",
)

PAYROLL: tuple[Column, ...] = (
    _CONTRACT_REF,
    Column(
        "period_start",
        "date",
        True,
        description="first day of the calendar month the return covers (whatever the pay frequency)",
        example="01/04/2025",
    ),
    Column("period_end", "date", True, description="last day of the same month", example="30/04/2025"),
    Column(
        "worker_ref",
        "text",
        True,
        description="your own pseudonymous id for the worker, unique within contract and month; "
        "never a name, National Insurance number or e-mail address",
        example="W00017",
    ),
    Column(
        "employer", "text", False, description="prime contractor or subcontractor name", example="Tyneside Care Ltd"
    ),
    Column(
        "employment_type",
        "enum",
        True,
        EMPLOYMENT_TYPES,
        description="who employs the worker: you directly, a subcontractor, or an agency",
        example="direct",
    ),
    Column(
        "contract_type",
        "enum",
        True,
        CONTRACT_TYPES,
        description="the worker's employment contract",
        example="permanent",
    ),
    Column("age_band", "enum", True, AGE_BANDS, description="the worker's age on period_start", example="21_plus"),
    Column("apprentice", "boolean", True, description="the worker is an apprentice", example="no"),
    Column(
        "london",
        "boolean",
        True,
        description="the work is done in Greater London (the London Living Wage applies)",
        example="no",
    ),
    Column(
        "hours_paid",
        "decimal",
        True,
        description="basic hours paid in the month (weekly-paid staff: the month's total, or the pay period's "
        "with pay_period_start/end), from 0 to 744",
        example="150",
    ),
    Column(
        "basic_pay",
        "decimal",
        True,
        description="basic pay in GBP for those hours, 0 or more: no overtime premium, bonus, allowance or expenses",
        unit="gbp",
        example="£2,025.00",
    ),
    Column(
        "hourly_rate",
        "decimal",
        False,
        description="basic hourly rate, more than 0; when given it must agree with basic_pay / hours_paid within 1%",
        unit="gbp",
        example="13.50",
    ),
    Column("gender", "enum", False, GENDERS, description="the worker's gender, if you record it", example="female"),
    Column(
        "pay_period_start",
        "date",
        False,
        description="weekly, fortnightly or four-weekly pay: first day of the pay period this row belongs to "
        "(give both pay period dates or neither; blank: the month)",
        example="29/03/2025",
    ),
    Column(
        "pay_period_end",
        "date",
        False,
        description="last day of that pay period: inside the return's month, at most 35 days after "
        "pay_period_start counting both days",
        example="04/04/2025",
    ),
    Column(
        "job_ref",
        "text",
        False,
        description="which job, for a worker with several jobs on the contract (one row per job)",
        example="J1",
    ),
)

#: The optional payroll columns for weekly/fortnightly pay and several jobs (spec 2.2): a return
#: paid monthly, one job a worker, leaves them out.
PAY_PERIOD_COLUMNS = ("pay_period_start", "pay_period_end", "job_ref")

#: A pay period is at most this many days, first and last day included (spec 2.2: five weeks).
MAX_PAY_PERIOD_DAYS = 35

_AT_MOST_HEADCOUNT = "at most headcount"

WORKFORCE: tuple[Column, ...] = (
    _CONTRACT_REF,
    Column(
        "period_start",
        "date",
        True,
        description="first day of the return's calendar quarter (or month, if the council asks for monthly returns)",
        example="01/04/2025",
    ),
    Column("period_end", "date", True, description="last day of the same quarter (or month)", example="30/06/2025"),
    Column(
        "headcount",
        "integer",
        True,
        description="people who worked on the contract in the period, 0 or more",
        example="40",
    ),
    Column("fte", "decimal", True, description="full-time equivalents, 0 or more", example="32.5"),
    Column(
        "zero_hours_workers",
        "integer",
        True,
        description=f"workers on zero-hours contracts, {_AT_MOST_HEADCOUNT}",
        example="2",
    ),
    Column("agency_workers", "integer", True, description=f"agency workers, {_AT_MOST_HEADCOUNT}", example="3"),
    Column("apprentices", "integer", True, description=f"apprentices, {_AT_MOST_HEADCOUNT}", example="2"),
    Column(
        "local_residents",
        "integer",
        True,
        description=f"workers living in the contracting council's area, {_AT_MOST_HEADCOUNT}",
        example="20",
    ),
    Column("disabled_workers", "integer", False, description=f"disabled workers, {_AT_MOST_HEADCOUNT}", example="4"),
    Column(
        "ethnic_minority_workers",
        "integer",
        False,
        description=f"workers from ethnic minorities, {_AT_MOST_HEADCOUNT}",
        example="6",
    ),
    Column("female_workers", "integer", False, description=f"female workers, {_AT_MOST_HEADCOUNT}", example="22"),
    Column(
        "gender_pay_gap_median_pct",
        "decimal",
        False,
        description="median gender pay gap: (men - women) / men x 100, from -100 to 100",
        unit="pct",
        example="4.5%",
    ),
    Column(
        "gender_pay_gap_mean_pct",
        "decimal",
        False,
        description="mean gender pay gap: (men - women) / men x 100, from -100 to 100",
        unit="pct",
        example="6.25",
    ),
    Column(
        "recognised_trade_union",
        "boolean",
        True,
        description="you recognise a trade union for these workers",
        example="yes",
    ),
    Column(
        "worker_voice_forum",
        "boolean",
        True,
        description="there is an elected staff forum or equivalent",
        example="no",
    ),
    Column(
        "flexible_working_from_day_one",
        "boolean",
        True,
        description="workers may ask for flexible working from their first day",
        example="yes",
    ),
    Column("training_hours", "decimal", False, description="training hours in the period, 0 or more", example="120"),
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


_TYPE_WORDS: dict[ColumnType, str] = {
    "text": "text",
    "date": "date (YYYY-MM-DD or DD/MM/YYYY)",
    "decimal": "number",
    "integer": "whole number",
    "boolean": "yes/no (also true/false, y/n, 1/0)",
    "enum": "one of",
}
_UNIT_WORDS: dict[Unit, str] = {"": "", "gbp": "amount in GBP (£ sign allowed)", "pct": "percentage (% sign allowed)"}


def type_words(column: Column) -> str:
    """The column's type as a supplier reads it: "whole number", "one of: direct, subcontractor, agency"."""
    if column.type == "enum":
        return f"{_TYPE_WORDS['enum']}: {', '.join(column.allowed)}"
    return _UNIT_WORDS[column.unit] or _TYPE_WORDS[column.type]
