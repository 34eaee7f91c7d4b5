"""Returns as suppliers really send them (spec 2.2), for the demo: weekly-paid workers, a worker with
two jobs, and a UK payroll system's export (title-case headers with spaces, day-first dates, £ amounts
with thousands separators, % signs).

Pure functions over a generated return's frame. Each keeps what the return says about pay: a weekly-paid
worker's month is split into pay weeks at the same hourly rate, and the two-job worker is one who is
paid above every floor, so the verdicts and figures the demo plants stay exactly as planned.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from gwp_monitor.domain.templates import Kind, columns


def _rate(frame: pd.DataFrame) -> pd.Series:
    """Each row's hourly rate as the pipeline reads it: hourly_rate, else basic_pay / hours_paid (4 dp)."""
    hours = pd.to_numeric(frame["hours_paid"], errors="coerce")
    given = pd.to_numeric(frame["hourly_rate"], errors="coerce")
    derived = (pd.to_numeric(frame["basic_pay"], errors="coerce") / hours.where(hours > 0)).round(4)
    return given.fillna(derived)


def pay_weeks(period_start: date, period_end: date) -> list[tuple[date, date]]:
    """Monday-to-Sunday pay weeks ending inside the month (the first may start in the month before)."""
    first_sunday = period_start + timedelta(days=(6 - period_start.weekday()) % 7)
    ends = [first_sunday + timedelta(weeks=i) for i in range(6)]
    return [(end - timedelta(days=6), end) for end in ends if end <= period_end]


def _split_hours(total: float, parts: int) -> list[float]:
    """``total`` in quarter hours over ``parts`` rows, the remainder on the last: sums to ``total``."""
    quarters = round(total * 4)
    each = quarters // parts
    shares = [each] * parts
    shares[-1] += quarters - each * parts
    return [q / 4 for q in shares]


def weekly_and_two_jobs(frame: pd.DataFrame, rng: np.random.Generator, weekly: int = 3) -> pd.DataFrame:
    """``weekly`` workers paid weekly (one row per pay week) and the best-paid worker in two jobs (one row
    each, the second at a higher rate). Rows with hours_paid = 0 are left alone."""
    frame = frame.reset_index(drop=True).copy()
    for col in ("pay_period_start", "pay_period_end", "job_ref"):
        frame[col] = pd.Series([None] * len(frame), dtype=object)
    rate = _rate(frame)
    paid = frame.index[(pd.to_numeric(frame["hours_paid"], errors="coerce") > 0) & rate.notna()]
    if len(paid) < weekly + 1:
        return frame
    two_jobs = int(rate[paid].idxmax())
    others = np.array([i for i in paid if i != two_jobs])
    chosen = sorted(int(i) for i in rng.choice(others, size=weekly, replace=False))
    out: list[dict] = []
    for i, row in enumerate(frame.to_dict(orient="records")):
        if i in chosen:
            start, end = date.fromisoformat(str(row["period_start"])), date.fromisoformat(str(row["period_end"]))
            weeks = pay_weeks(start, end)
            for (ws, we), hours in zip(weeks, _split_hours(float(row["hours_paid"]), len(weeks)), strict=True):
                out.append(_priced(row, hours, float(rate[i])) | {"pay_period_start": ws, "pay_period_end": we})
        elif i == two_jobs:
            first, second = _split_hours(float(row["hours_paid"]), 2)
            out.append(_priced(row, first, float(rate[i])) | {"job_ref": "JOB-1"})
            out.append(_priced(row, second, round(float(rate[i]) + 1.0, 2)) | {"job_ref": "JOB-2"})
        else:
            out.append(row)
    return pd.DataFrame(out, columns=frame.columns)


def _priced(row: dict, hours: float, rate: float) -> dict:
    """The row with ``hours`` at ``rate``: basic pay to the penny, the rate given explicitly."""
    return row | {"hours_paid": hours, "basic_pay": round(hours * rate, 2), "hourly_rate": rate}


def _uk_number(value: object, unit: str) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return ""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value
    if unit == "gbp":
        return f"£{number:,.2f}"
    if unit == "pct":
        return f"{number:g}%"
    return value


def _uk_date(value: object) -> object:
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    return value


def uk_export(frame: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """The return as a UK payroll system exports it: "Contract Ref" headers, dd/mm/yyyy dates,
    "£1,234.50" amounts and "3.5%" percentages. Every value reads back to the same figure (spec 2.2)."""
    out = frame.astype(object).copy()
    spec = {c.name: c for c in columns(kind)}
    for name in out.columns:
        column = spec.get(name)
        if column is None:
            continue
        if column.type == "date":
            out[name] = [_uk_date(v) for v in out[name]]
        elif column.unit in ("gbp", "pct"):
            out[name] = [_uk_number(v, column.unit) for v in out[name]]
    return out.rename(columns=lambda name: name.replace("_", " ").title())
