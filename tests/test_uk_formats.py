"""Returns as UK payroll systems really write them (spec 2.2), table-driven.

Each format is accepted and the supplier told what was normalised; what stays ambiguous is still a
problem; a misnamed column is one "did you mean" problem, never "is required" on every row; columns
outside the template are ignored with a warning and never stored (the database file's bytes are
searched for their values); the warnings reach `check` (table and JSON) and the stored submission.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from gwp_monitor.cli import main
from gwp_monitor.ingest.intake import Submission, take_in
from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import open_database

JUNE = ("2025-06-01", "2025-06-30")


def _one(tmp_path: Path, returns, register, rows, columns=None, name="r.csv") -> Submission:
    path = returns.csv(tmp_path / name, rows, columns)
    (submission,) = take_in([path], register, as_of=returns.as_of).submissions
    return submission


# --- values: (cells, accepted?, the note the supplier is told) ------------------------------------------

VALUE_CASES = [
    ("iso_dates", {}, True, []),
    (
        "day_first_dates",
        {"period_start": "01/06/2025", "period_end": "30/06/2025"},
        True,
        ["period_end: 3 dates read as day/month/year", "period_start: 3 dates read as day/month/year"],
    ),
    ("day_first_no_zeros", {"period_start": "1/6/2025"}, True, ["period_start: 3 dates read as day/month/year"]),
    ("day_first_hyphens", {"period_end": "30-06-2025"}, True, ["period_end: 3 dates read as day/month/year"]),
    ("year_first_slashes_ambiguous", {"period_end": "2025/13/01"}, False, []),
    ("month_first", {"period_end": "06/30/2025"}, False, []),
    (
        "pounds_and_thousands",
        {"basic_pay": "£2,025.00", "hourly_rate": "£13.50"},
        True,
        [
            "basic_pay: 3 amounts read without the £ sign or thousands commas",
            "hourly_rate: 3 amounts read without the £ sign or thousands commas",
        ],
    ),
    ("continental_decimal_comma", {"basic_pay": "2.025,00"}, False, []),
    ("thousands_in_hours", {"hours_paid": "1,000", "basic_pay": "13500", "hourly_rate": "13.5"}, False, []),
    ("pound_sign_in_hours", {"hours_paid": "£150"}, False, []),
]


@pytest.mark.parametrize(("case", "cells", "accepted", "notes"), VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_uk_value_formats(tmp_path, returns, register, case, cells, accepted, notes):
    rows = [returns.payroll_row(JUNE, worker=i, **cells) for i in (1, 2, 3)]
    s = _one(tmp_path, returns, register, rows)
    if case == "thousands_in_hours":  # 1,000 hours is read as 1000, then the 744-hour limit applies
        assert [p.column for p in s.problems] == ["hours_paid"] and "744" in s.problems[0].rule
        assert [p.describe() for p in s.warnings] == ["hours_paid: 3 numbers read without thousands commas"]
        return
    assert (s.status == "accepted") == accepted, [p.describe() for p in s.problems]
    assert sorted(p.describe() for p in s.warnings) == notes
    assert all(p.rows == 3 for p in s.problems)


def test_percent_signs_in_the_workforce_return(tmp_path, returns, register):
    row = returns.workforce_row(gender_pay_gap_median_pct="4.5%", gender_pay_gap_mean_pct="6.25 %")
    s = _one(tmp_path, returns, register, [row])
    assert s.status == "accepted"
    assert sorted(p.describe() for p in s.warnings) == [
        "gender_pay_gap_mean_pct: 1 percentage read without the % sign",
        "gender_pay_gap_median_pct: 1 percentage read without the % sign",
    ]


def test_percent_sign_values_are_read_as_the_number(tmp_path, returns):
    from gwp_monitor.ingest.prepare import prepare
    from gwp_monitor.ingest.reading import read_return_file

    path = returns.csv(tmp_path / "w.csv", [returns.workforce_row(gender_pay_gap_median_pct="3.5%")])
    frame = prepare([read_return_file(path)], "workforce").frame
    assert frame["gender_pay_gap_median_pct"].iloc[0] == 3.5


# --- headers --------------------------------------------------------------------------------------------

HEADER_CASES = [
    # (rename {template column: header written}, extra columns, accepted?, problems, warnings)
    (
        "spaces_case_hyphens_dots",
        {"contract_ref": "Contract Ref", "period_start": "Period-Start", "hours_paid": " HOURS.PAID "},
        {},
        True,
        [],
        [
            "(header): column names read as the template's: 'Contract Ref' as contract_ref, "
            "'Period-Start' as period_start, 'HOURS.PAID' as hours_paid"
        ],
    ),
    (
        "misnamed_required_column",
        {"period_start": "perod_start"},
        {},
        False,
        [
            "period_start: required column is missing; the header has 'perod_start': did you mean period_start? "
            "Rename that column and send the file again"
        ],
        [],
    ),
    (
        "missing_required_column",
        {"london": None},
        {},
        False,
        ["london: required column is missing from the payroll template header"],
        [],
    ),
    (
        "misnamed_optional_column",
        {"hourly_rate": "hourly rte"},
        {},
        True,
        [],
        [
            "(header): 'hourly rte' is not a payroll template column and was ignored: did you mean hourly_rate? Rename it to have it read"
        ],
    ),
    (
        "extra_columns",
        {},
        {"Notes": "paid late", "Employee Name": "Jo Bloggs", "Date of Birth": "01/02/1980", "Email": "jo@x.example"},
        True,
        [],
        [
            "(header): 'Notes' is not a payroll template column: it was ignored and not stored",
            *(
                f"(header): '{name}' looks like personal data (names, e-mail, NI numbers, dates of birth, "
                "addresses): it was ignored and not stored; please remove it from future returns"
                for name in ("Employee Name", "Date of Birth", "Email")
            ),
        ],
    ),
]


@pytest.mark.parametrize(
    ("case", "rename", "extra", "accepted", "problems", "warnings"), HEADER_CASES, ids=[c[0] for c in HEADER_CASES]
)
def test_headers(tmp_path, returns, register, case, rename, extra, accepted, problems, warnings):
    rows = []
    for i in (1, 2, 3):
        row = returns.payroll_row(JUNE, worker=i)
        renamed = {rename.get(k, k): v for k, v in row.items() if rename.get(k, k) is not None}
        rows.append({**renamed, **extra})
    s = _one(tmp_path, returns, register, rows)
    assert (s.status == "accepted") == accepted
    assert [p.describe() for p in s.problems] == problems  # once, not "is required" on every row
    assert [p.describe() for p in s.warnings] == warnings


def test_problems_of_every_kind_are_reported_in_one_pass(tmp_path, returns, register):
    """A misnamed column, a bad value and an ignored column: all three told at once."""
    rows = [returns.payroll_row(JUNE, worker=i, age_band="40" if i == 2 else "21_plus") for i in (1, 2, 3)]
    rows = [{("perod_start" if k == "period_start" else k): v for k, v in r.items()} | {"Notes": "x"} for r in rows]
    s = _one(tmp_path, returns, register, rows)
    assert sorted(p.column for p in s.problems) == ["age_band", "period_start"]
    assert [p.rule for p in s.warnings] == ["'Notes' is not a payroll template column: it was ignored and not stored"]


# --- check output and storage ---------------------------------------------------------------------------


@pytest.fixture
def uk_file(tmp_path, returns) -> Path:
    rows = [
        {**returns.payroll_row(("01/06/2025", "30/06/2025"), worker=i, basic_pay="£2,025.00"), "Notes": f"ZQXNOTE{i}"}
        for i in (1, 2)
    ]
    (tmp_path / "landing").mkdir()
    return returns.csv(tmp_path / "landing" / "uk.csv", rows)


def test_check_prints_the_warnings_in_table_and_json(capsys, register_path, uk_file):
    code = main(["check", str(uk_file), "--contracts", str(register_path), "--as-of", "2026-01-31", "--format", "json"])
    (report,) = json.loads(capsys.readouterr().out)
    assert code == 0 and report["status"] == "accepted"
    notes = [w["note"] for w in report["warnings"]]
    assert "'Notes' is not a payroll template column: it was ignored and not stored" in notes
    assert "2 dates read as day/month/year" in notes
    code = main(["check", str(uk_file), "--contracts", str(register_path), "--as-of", "2026-01-31"])
    out = capsys.readouterr().out
    assert code == 0 and "Notes on uk.csv" in out and "day/month/year" in out


def test_warnings_are_stored_and_extra_column_values_never_reach_the_database(tmp_path, register, uk_file):
    url = f"sqlite:///{(tmp_path / 'reporting.db').as_posix()}"
    db = open_database(url)
    summary = run_pipeline(register, uk_file.parent, db, as_of=date(2026, 1, 31))
    assert summary.outcomes["accepted"] == 1
    with db.engine.connect() as conn:
        (warnings,) = conn.execute(text("SELECT warnings FROM v_submissions")).scalars().all()
    db.engine.dispose()
    assert "'Notes' is not a payroll template column" in warnings and "read as day/month/year" in warnings
    data = b"".join(p.read_bytes() for p in tmp_path.glob("reporting.db*"))
    assert b"ZQXNOTE" not in data and "ZQXNOTE".encode("utf-16-le") not in data
