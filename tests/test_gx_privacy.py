"""Spec 6: no worker_ref and no individual pay figure in any Great Expectations result the code keeps.

The return holds distinctive values (13.4567, ZQX-...) in rows that pass and in rows that break
value-bearing rules (duplicates, NI numbers, negative pay, hours over the limit), so a result format
that kept unexpected values would copy them into the result. The canary test proves the scan finds
them when that happens.
"""

from __future__ import annotations

import contextlib
import json

import pytest

from gwp_monitor.ingest.intake import take_in
from gwp_monitor.validate import expectations as validation

PERIOD = ("2025-06-01", "2025-06-30")
#: (worker_ref, hours_paid, basic_pay, hourly_rate): every one distinctive in a JSON dump
ROWS = [
    ("ZQX-4417-A", "150.0625", "2018.3517", "13.4567"),  # passes every rule
    ("ZQX-4418-B", "162.3125", "2184.1236", "13.4563"),
    ("ZQX-4419-C", "140.4375", "1897.6543", "99.8765"),  # hourly_rate disagrees with pay / hours
    ("ZQX-4419-C", "800.1234", "-1234.5678", "-7.6543"),  # duplicate worker; hours, pay, rate out of range
    ("QQ 12 34 56 C", "120.8125", "1617.2861", "13.3871"),  # a National Insurance number
    ("pat.quigley@example.org", "97.1875", "£1,308.77", "13.4664"),  # an e-mail; pay with £ and comma
    ("=ZQX(4420)", "88.5625", "1191.8733", "13.4579"),  # a formula
]


def secrets() -> set[str]:
    """Every worker_ref and pay figure of the input, as written and as a float would print it."""
    out = set()
    for worker_ref, *figures in ROWS:
        out.add(worker_ref)
        for text in figures:
            out.add(text)
            with contextlib.suppress(ValueError):
                out.add(repr(float(text)))
    return out


def leaks(intake) -> set[str]:
    dumped = json.dumps(intake.gx_results["payroll"].to_json_dict(), ensure_ascii=False)
    return {s for s in secrets() if s in dumped}


@pytest.fixture
def payroll_file(tmp_path, returns):
    rows = [
        returns.payroll_row(
            period=PERIOD, worker_ref=ref, hours_paid=hours, basic_pay=pay, hourly_rate=rate, employer="Acme"
        )
        for ref, hours, pay, rate in ROWS
    ]
    return returns.csv(tmp_path / "payroll.csv", rows)


def test_no_worker_ref_or_pay_figure_in_gx_results(payroll_file, register, returns):
    intake = take_in([payroll_file], register, as_of=returns.as_of)
    (submission,) = intake.submissions
    # the rules that would carry values did fail, on the rows that hold them
    failed = {p.column for p in submission.problems}
    assert {"worker_ref", "hours_paid", "basic_pay", "hourly_rate"} <= failed
    result = intake.gx_results["payroll"].to_json_dict()
    assert any(r["result"].get("partial_unexpected_index_list") for r in result["results"])  # row ids are kept
    assert leaks(intake) == set()
    # nor in the problems shown to the supplier and stored with the submission
    described = "\n".join(p.describe() for p in submission.problems)
    assert not {s for s in secrets() if s in described}


def test_canary_the_scan_finds_values_when_a_result_format_keeps_them(payroll_file, register, returns, monkeypatch):
    monkeypatch.setattr(validation, "ROW_IDS_ONLY", {"result_format": "COMPLETE"})
    intake = take_in([payroll_file], register, as_of=returns.as_of)
    found = leaks(intake)
    assert {"ZQX-4419-C", "QQ 12 34 56 C", "pat.quigley@example.org", "-1234.5678"} <= found
