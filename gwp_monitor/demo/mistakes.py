"""The data-quality mistakes suppliers really make, injected on purpose into a "broken" payroll file.

An NI number or an e-mail address as worker id, "£12.50" in a number column, a 4-weekly payroll
period, an unknown contract type ... Each injected problem is recorded on the frame, so tests and the
demo can check that validation finds every one of them, at the right row, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from gwp_monitor.demo.sectors import SURNAMES, slug

#: The data-quality problems ``broken_rows`` injects, in the order they are used.
PROBLEM_KINDS: tuple[str, ...] = (
    "missing_required",
    "unknown_enum",
    "negative_hours",
    "text_in_number",
    "ni_number_as_worker_ref",
    "email_as_worker_ref",
    "duplicate_worker_ref",
    "hourly_rate_inconsistent",
    "period_not_calendar_month",
    "bad_boolean",
)


@dataclass(frozen=True)
class InjectedProblem:
    """One deliberate data-quality problem: at frame position ``row`` (0-based), in ``column``.

    ``other_row`` is the row whose worker_ref a duplicate copies (that row is unchanged, but a
    uniqueness check flags both). ``file_row`` is the row number a supplier sees in a CSV or XLSX
    written from the frame (header = row 1).
    """

    row: int
    column: str
    kind: str
    other_row: int | None = None

    @property
    def file_row(self) -> int:
        """Row number in the written file: frame rows start at 0, files at 1 with a header row."""
        return self.row + 2


def injected_problems(frame: pd.DataFrame) -> tuple[InjectedProblem, ...]:
    """The problems ``make_payroll(..., broken_rows=N)`` put in ``frame`` (empty for a clean frame)."""
    return tuple(frame.attrs.get("problems", ()))


def inject_problems(frame: pd.DataFrame, rng: np.random.Generator, count: int) -> tuple[InjectedProblem, ...]:
    """Put ``count`` problems of different kinds into distinct rows of ``frame`` (in place).

    Each change makes exactly one rule fail: e.g. a negative hours_paid also blanks hourly_rate so the
    1% consistency rule does not fire as well, and text in hourly_rate is the correct rate with a
    pound sign, so only "not a number" applies. Loops over at most ten problems, never over rows.
    """
    hours = pd.to_numeric(frame["hours_paid"], errors="coerce").to_numpy()
    candidates = np.flatnonzero(hours > 0)
    if len(candidates) < count + 1:
        raise ValueError(f"need at least {count + 1} rows with hours to inject {count} problems")
    rows = [int(r) for r in rng.choice(candidates, size=count, replace=False)]
    used = set(rows)
    problems: list[InjectedProblem] = []
    for kind, row in zip(PROBLEM_KINDS, rows, strict=False):
        pay, hrs = float(frame.at[row, "basic_pay"]), float(frame.at[row, "hours_paid"])
        other: int | None = None
        value: object  # the cell's new content: None, text or a number, as a faulty file would hold
        if kind == "missing_required":
            column, value = "employment_type", None
        elif kind == "unknown_enum":
            column, value = "contract_type", "bank"  # NHS-style bank staff: not a template value
        elif kind == "negative_hours":
            column, value = "hours_paid", -hrs
            frame.at[row, "hourly_rate"] = None
        elif kind == "text_in_number":
            column, value = "hourly_rate", f"{pay / hrs:.2f} an hour"  # words a payroll export should not hold
        elif kind == "ni_number_as_worker_ref":
            column, value = "worker_ref", f"QQ{int(rng.integers(0, 1_000_000)):06d}{'ABCD'[int(rng.integers(4))]}"
        elif kind == "email_as_worker_ref":
            employer = frame.at[row, "employer"]
            domain = slug(str(employer) if pd.notna(employer) else "staff") + ".example"
            column, value = "worker_ref", f"{chr(97 + int(rng.integers(26)))}.{rng.choice(SURNAMES)}@{domain}"
        elif kind == "duplicate_worker_ref":
            same = (
                (frame["contract_ref"] == frame.at[row, "contract_ref"])
                & (frame["period_start"] == frame.at[row, "period_start"])
                & (frame["period_end"] == frame.at[row, "period_end"])
            ).to_numpy(copy=True)
            same[list(used)] = False
            partners = np.flatnonzero(same)
            if not len(partners):
                raise ValueError("need a second row in the same contract and period to duplicate a worker_ref")
            other = int(rng.choice(partners))
            used.add(other)
            column, value = "worker_ref", frame.at[other, "worker_ref"]
        elif kind == "hourly_rate_inconsistent":
            column, value = "hourly_rate", round(pay / hrs * 1.08, 2)  # 8% off: well outside the 1% rule
        elif kind == "period_not_calendar_month":
            start = date.fromisoformat(str(frame.at[row, "period_start"]))
            column, value = "period_end", (start + timedelta(days=27)).isoformat()  # a 4-weekly pay period
        elif kind == "bad_boolean":
            column, value = "apprentice", "maybe"
        else:  # pragma: no cover - PROBLEM_KINDS and this chain are kept in step
            raise AssertionError(kind)
        if isinstance(value, str) and pd.api.types.is_float_dtype(frame[column].dtype):
            frame[column] = frame[column].astype(object)  # a number column now holds text, as in the file
        frame.at[row, column] = value
        problems.append(InjectedProblem(row, column, kind, other))
    return tuple(problems)
