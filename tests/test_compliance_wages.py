"""The two wage commitments (spec 3, 4): statutory_minimum_wage and real_living_wage, table-driven.

Every case is its own contract in a generated register and its own payroll submission, and every
case goes through the real path in ONE run: the CSV return is read, typed and validated by
`intake.take_in`, then `compliance.assess_payroll` decides it with Great Expectations. Each test
then looks up its own submission's verdicts and wage rows (v_wage_compliance figures per band).

Rates used (gwp_monitor/domain/data, spec 3), as of 2026-07-31 so that both an upcoming rate (for periods
before 1 May 2026) and no upcoming rate (periods from 1 May 2026) can be seen:

    statutory   from 2023-04-01: 21_plus 10.18  18_20 7.49   under_18/apprentice 5.28
                from 2024-04-01: 21_plus 11.44  18_20 8.60   under_18/apprentice 6.40
                from 2025-04-01: 21_plus 12.21  18_20 10.00  under_18/apprentice 7.55
                from 2026-04-01: 21_plus 12.71  18_20 10.85  under_18/apprentice 8.00
    Real Living Wage (uk / london), pay from:
                2023-05-14 10.90/11.95   2024-05-01 12.00/13.15
                2025-05-01 12.60/13.85   2026-05-01 13.45/14.80 (announced 2025-10-22)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from factories import Commitment, contract, make_register, month

from gwp_monitor.assess.verdicts import WAGE_COLUMNS, Assessment
from gwp_monitor.assess.wages import assess_payroll
from gwp_monitor.domain.rates import load_wage_floors
from gwp_monitor.ingest.intake import take_in

AS_OF = date(2026, 7, 31)
STAT, RLW = "statutory_minimum_wage", "real_living_wage"

# Register commitments per kind of case contract.
COMMITMENTS: dict[str, list[Commitment]] = {
    "none": [],  # statutory_minimum_wage only: it is on every contract whatever the register says
    "rlw": [RLW],
    "rlw_apprentices": [{"type": RLW, "include_apprentices": True}],
}


def worker(rate: str | None, hours: str = "150", *, basic: str | None = None, **cells: str) -> dict[str, str]:
    """One worker's cells. `rate` is the hourly_rate the supplier gives (None: left blank, so the
    rate is derived from basic_pay / hours_paid); basic_pay defaults to rate x hours to the penny."""
    if basic is None:
        assert rate is not None
        basic = str((Decimal(rate) * Decimal(hours)).quantize(Decimal("0.01"), ROUND_HALF_UP))
    return {"hourly_rate": rate or "", "hours_paid": hours, "basic_pay": basic, **cells}


AP = {"apprentice": "yes"}
LDN = {"london": "yes"}
U18 = {"age_band": "under_18"}
A18 = {"age_band": "18_20"}


@dataclass(frozen=True)
class Band:
    """Expected v_wage_compliance figures of one (rate_type, band)."""

    required_rate: float
    workers_assessed: int
    workers_below: int
    lowest_rate: float
    arrears_gbp: float
    upcoming_rate: float | None = None
    workers_below_upcoming: int | None = None


@dataclass(frozen=True)
class Case:
    id: str
    month: str  # "2025-06"
    workers: tuple[dict[str, str], ...]
    statutory: tuple  # ("compliant", 0) | ("breach", n) | ("not_assessable",)
    rlw: tuple | None = None  # None: the contract has no real_living_wage commitment
    commitments: str = "rlw"
    # Expected wage rows, keyed (rate_type, band). When given, the submission's rows must be exactly these.
    bands: dict[tuple[str, str], Band] = field(default_factory=dict)


# One adult outside London paid 12.60 in June 2025: at both floors (the Real Living Wage's 13.45 is upcoming).
PAID_1260 = {
    (STAT, "21_plus"): Band(12.21, 1, 0, 12.60, 0.00),
    (RLW, "uk"): Band(12.60, 1, 0, 12.60, 0.00, 13.45, 1),
}

CASES = [
    # --- a rate exactly equal to the floor is compliant, 1p below is a breach, per band -------------
    Case(
        "stat_21plus_equal",
        "2025-06",
        (worker("12.21"),),
        ("compliant", 0),
        commitments="none",
        bands={(STAT, "21_plus"): Band(12.21, 1, 0, 12.21, 0.00)},
    ),
    Case(
        "stat_21plus_1p_below",
        "2025-06",
        (worker("12.20"),),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "21_plus"): Band(12.21, 1, 1, 12.20, 1.50)},
    ),  # 0.01 x 150 h
    Case(
        "stat_18_20",
        "2025-06",
        (worker("10.00", **A18), worker("9.99", **A18)),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "18_20"): Band(10.00, 2, 1, 9.99, 1.50)},
    ),
    Case(
        "stat_under_18",
        "2025-06",
        (worker("7.55", **U18), worker("7.54", **U18)),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "under_18"): Band(7.55, 2, 1, 7.54, 1.50)},
    ),
    # Every apprentice, whatever their age band, is in the `apprentice` band at the apprentice rate:
    # a 21_plus apprentice paid 7.55 is lawful here (the return cannot say they are past year one).
    Case(
        "stat_apprentice_every_age",
        "2025-06",
        (worker("7.55", **AP), worker("7.55", **AP, **A18), worker("7.54", **AP, **U18)),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "apprentice"): Band(7.55, 3, 1, 7.54, 1.50)},
    ),
    Case(
        "rlw_uk_equal",
        "2025-06",
        (worker("12.60"),),
        ("compliant", 0),
        ("compliant", 0),
        bands={
            **PAID_1260,
        },
    ),
    Case(
        "rlw_uk_1p_below",
        "2025-06",
        (worker("12.59"),),
        ("compliant", 0),
        ("breach", 1),
        bands={
            (STAT, "21_plus"): Band(12.21, 1, 0, 12.59, 0.00),
            (RLW, "uk"): Band(12.60, 1, 1, 12.59, 1.50, 13.45, 1),
        },
    ),
    Case(
        "rlw_london_equal",
        "2025-06",
        (worker("13.85", **LDN),),
        ("compliant", 0),
        ("compliant", 0),
        bands={
            (STAT, "21_plus"): Band(12.21, 1, 0, 13.85, 0.00),
            (RLW, "london"): Band(13.85, 1, 0, 13.85, 0.00, 14.80, 1),
        },
    ),
    Case(
        "rlw_london_1p_below",
        "2025-06",
        (worker("13.84", **LDN),),
        ("compliant", 0),
        ("breach", 1),
        bands={
            (STAT, "21_plus"): Band(12.21, 1, 0, 13.84, 0.00),
            (RLW, "london"): Band(13.85, 1, 1, 13.84, 1.50, 14.80, 1),
        },
    ),
    # The same 13.84 is above the UK rate and below the London rate.
    Case(
        "london_vs_uk",
        "2025-06",
        (worker("13.84"), worker("13.84", **LDN)),
        ("compliant", 0),
        ("breach", 1),
        bands={
            (STAT, "21_plus"): Band(12.21, 2, 0, 13.84, 0.00),
            (RLW, "uk"): Band(12.60, 1, 0, 13.84, 0.00, 13.45, 0),
            (RLW, "london"): Band(13.85, 1, 1, 13.84, 1.50, 14.80, 1),
        },
    ),
    # --- timing: the rate whose pay-from date is on or before the period's first day ---------------
    # April 2025 starts before the 12.60 pay-from date (1 May): 12.00 is required, 12.60 is upcoming
    # (at risk, not a breach). The same pay in May 2025 is a breach.
    Case(
        "rlw_month_before_pay_from",
        "2025-04",
        (worker("12.21"),),
        ("compliant", 0),
        ("compliant", 0),
        bands={
            (STAT, "21_plus"): Band(12.21, 1, 0, 12.21, 0.00),
            (RLW, "uk"): Band(12.00, 1, 0, 12.21, 0.00, 12.60, 1),
        },
    ),
    Case(
        "rlw_month_of_pay_from",
        "2025-05",
        (worker("12.21"),),
        ("compliant", 0),
        ("breach", 1),
        bands={
            (STAT, "21_plus"): Band(12.21, 1, 0, 12.21, 0.00),
            (RLW, "uk"): Band(12.60, 1, 1, 12.21, 58.50, 13.45, 1),
        },
    ),  # 0.39 x 150
    Case(
        "stat_month_before_1_april",
        "2025-03",
        (worker("11.44"),),
        ("compliant", 0),
        commitments="none",
        bands={(STAT, "21_plus"): Band(11.44, 1, 0, 11.44, 0.00)},
    ),
    Case(
        "stat_month_of_1_april",
        "2025-04",
        (worker("11.44"),),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "21_plus"): Band(12.21, 1, 1, 11.44, 115.50)},
    ),  # 0.77 x 150
    # The first Real Living Wage line is payable from 2023-05-14: May 2023 starts before it.
    Case(
        "rlw_period_older_than_table",
        "2023-05",
        (worker("10.90"),),
        ("compliant", 0),
        ("not_assessable",),
        bands={(STAT, "21_plus"): Band(10.18, 1, 0, 10.90, 0.00)},
    ),
    Case(
        "rlw_first_rate",
        "2023-06",
        (worker("10.89"), worker("10.90")),
        ("compliant", 0),
        ("breach", 1),
        bands={
            (STAT, "21_plus"): Band(10.18, 2, 0, 10.89, 0.00),
            (RLW, "uk"): Band(10.90, 2, 1, 10.89, 1.50, 12.00, 2),
        },
    ),
    Case("both_older_than_table", "2023-03", (worker("10.00"),), ("not_assessable",), ("not_assessable",), bands={}),
    # Before 2024-04-01 21_plus uses the 21-22 rate 10.18, not the 23+ rate 10.42: 10.30 is not a breach.
    Case(
        "rule_2023_21plus_rate",
        "2024-03",
        (worker("10.18"), worker("10.17"), worker("10.30")),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "21_plus"): Band(10.18, 3, 1, 10.17, 1.50)},
    ),
    Case(
        "rule_from_2024_04_01",
        "2024-04",
        (worker("11.44"), worker("10.30")),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "21_plus"): Band(11.44, 2, 1, 10.30, 171.00)},
    ),  # 1.14 x 150
    Case(
        "rlw_april_2026_upcoming",
        "2026-04",
        (worker("12.71"),),
        ("compliant", 0),
        ("compliant", 0),
        bands={
            (STAT, "21_plus"): Band(12.71, 1, 0, 12.71, 0.00),
            (RLW, "uk"): Band(12.60, 1, 0, 12.71, 0.00, 13.45, 1),
        },
    ),
    # From May 2026 the newest announced rate is in force: nothing is upcoming.
    Case(
        "rlw_no_upcoming_rate",
        "2026-06",
        (worker("13.45"), worker("13.44", **LDN)),
        ("compliant", 0),
        ("breach", 1),
        bands={
            (STAT, "21_plus"): Band(12.71, 2, 0, 13.44, 0.00),
            (RLW, "uk"): Band(13.45, 1, 0, 13.45, 0.00, None, None),
            (RLW, "london"): Band(14.80, 1, 1, 13.44, 204.00, None, None),
        },
    ),  # 1.36 x 150
    # --- scope ---------------------------------------------------------------------------------------
    Case(
        "under_18_outside_rlw",
        "2025-06",
        (worker("7.55", **U18), worker("12.60")),
        ("compliant", 0),
        ("compliant", 0),
        bands={
            (STAT, "under_18"): Band(7.55, 1, 0, 7.55, 0.00),
            **PAID_1260,
        },
    ),
    Case(
        "under_18_inside_statutory",
        "2025-06",
        (worker("7.54", **U18), worker("12.60")),
        ("breach", 1),
        ("compliant", 0),
        bands={
            (STAT, "under_18"): Band(7.55, 1, 1, 7.54, 1.50),
            **PAID_1260,
        },
    ),
    Case(
        "apprentices_excluded",
        "2025-06",
        (worker("7.55", **AP), worker("12.60")),
        ("compliant", 0),
        ("compliant", 0),
        bands={
            (STAT, "apprentice"): Band(7.55, 1, 0, 7.55, 0.00),
            **PAID_1260,
        },
    ),
    # include_apprentices: true brings 18+ apprentices into scope; an under-18 apprentice stays out.
    Case(
        "apprentices_included",
        "2025-06",
        (worker("7.55", **AP), worker("7.55", **AP, **U18), worker("12.60")),
        ("compliant", 0),
        ("breach", 1),
        commitments="rlw_apprentices",
        bands={
            (STAT, "apprentice"): Band(7.55, 2, 0, 7.55, 0.00),
            (STAT, "21_plus"): Band(12.21, 1, 0, 12.60, 0.00),
            (RLW, "uk"): Band(12.60, 2, 1, 7.55, 757.50, 13.45, 2),
        },
    ),  # (12.60 - 7.55) x 150
    Case(
        "agency_and_subcontractor_in_scope",
        "2025-06",
        (
            worker("12.59", employment_type="agency"),
            worker("12.59", employment_type="subcontractor"),
            worker("12.60", employment_type="direct"),
        ),
        ("compliant", 0),
        ("breach", 2),
        bands={
            (STAT, "21_plus"): Band(12.21, 3, 0, 12.59, 0.00),
            (RLW, "uk"): Band(12.60, 3, 2, 12.59, 3.00, 13.45, 3),
        },
    ),
    Case(
        "only_out_of_scope_workers",
        "2025-06",
        (worker("7.55", **U18), worker("7.55", **AP)),
        ("compliant", 0),
        ("not_assessable",),
        bands={(STAT, "under_18"): Band(7.55, 1, 0, 7.55, 0.00), (STAT, "apprentice"): Band(7.55, 1, 0, 7.55, 0.00)},
    ),
    # --- hours_paid 0 and the hourly rate ------------------------------------------------------------
    # Rows with hours_paid 0 are kept but take no part: a 5.00 rate on a 0-hour row is not the lowest.
    Case(
        "hours_paid_zero_ignored",
        "2025-06",
        (worker(None, "0", basic="0"), worker("5.00", "0", basic="0"), worker("12.60")),
        ("compliant", 0),
        ("compliant", 0),
        bands={
            **PAID_1260,
        },
    ),
    Case(
        "all_hours_paid_zero",
        "2025-06",
        (worker(None, "0", basic="0"),),
        ("not_assessable",),
        ("not_assessable",),
        bands={},
    ),
    # Derived: 1837.60 / 150.5 = 12.2099668 -> 4 dp 12.2100 = the floor: compliant.
    Case(
        "derived_rate_rounded_to_4dp",
        "2025-06",
        (worker(None, "150.5", basic="1837.60"),),
        ("compliant", 0),
        commitments="none",
        bands={(STAT, "21_plus"): Band(12.21, 1, 0, 12.21, 0.00)},
    ),
    # Derived: 1837.59 / 150.5 = 12.2099003 -> 12.2099; arrears 0.0001 x 150.5 = 0.01505 -> 0.02.
    Case(
        "derived_rate_below",
        "2025-06",
        (worker(None, "150.5", basic="1837.59"),),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "21_plus"): Band(12.21, 1, 1, 12.2099, 0.02)},
    ),
    # Given: the supplier's 12.20996 is used as given (not rounded to 12.2100): a breach.
    # Arrears (12.21 - 12.20996) x 150.5 = 0.00004 x 150.5 = 0.00602 -> 0.01.
    Case(
        "given_rate_used_as_given",
        "2025-06",
        (worker("12.20996", "150.5", basic="1837.60"),),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "21_plus"): Band(12.21, 1, 1, 12.20996, 0.01)},
    ),
    # Given 12.21 beats the derived 1831.00 / 150 = 12.2067 (they agree within 1%, so the row is valid).
    Case(
        "given_rate_preferred_to_derived",
        "2025-06",
        (worker("12.21", basic="1831.00"),),
        ("compliant", 0),
        commitments="none",
        bands={(STAT, "21_plus"): Band(12.21, 1, 0, 12.21, 0.00)},
    ),
    # --- arrears to the penny --------------------------------------------------------------------------
    # Half a penny rounds up, whatever the floating-point noise of the subtraction:
    # RLW: (12.60 - 12.59) x 12.5 h = 0.125 -> 0.13; statutory: (12.21 - 12.20) x 12.5 h = 0.125 -> 0.13.
    Case(
        "arrears_half_penny_rlw",
        "2025-06",
        (worker("12.59", "12.5"),),
        ("compliant", 0),
        ("breach", 1),
        bands={
            (STAT, "21_plus"): Band(12.21, 1, 0, 12.59, 0.00),
            (RLW, "uk"): Band(12.60, 1, 1, 12.59, 0.13, 13.45, 1),
        },
    ),
    Case(
        "arrears_half_penny_statutory",
        "2025-06",
        (worker("12.20", "12.5"),),
        ("breach", 1),
        commitments="none",
        bands={(STAT, "21_plus"): Band(12.21, 1, 1, 12.20, 0.13)},
    ),
    # The worked example of docs/guide-contract-managers.md, June 2025, a Real Living Wage contract:
    #
    #   worker  age band  apprentice  london  employment     hours   hourly rate
    #   W1      21_plus   no          no      direct         160     12.00 (given)
    #   W2      18_20     no          no      agency          80.5   990.15 / 80.5 = 12.30 (derived)
    #   W3      21_plus   no          yes     subcontractor  100     13.80
    #   W4      21_plus   yes         no      direct         120      7.50
    #   W5      under_18  no          no      direct          40      7.60
    #   W6      21_plus   no          no      direct          37.5   12.60
    #   W7      21_plus   no          no      direct           0     (no pay: left out of wage checks)
    #
    # Statutory minimum (from 2025-04-01):
    #   21_plus 12.21:    W1 12.00 below by 0.21 x 160 h = 33.60; W3 13.80, W6 12.60 fine  -> 3 assessed, 1 below, 33.60
    #   18_20 10.00:      W2 12.30 fine                                                     -> 1 assessed, 0 below, 0.00
    #   apprentice 7.55:  W4 7.50 below by 0.05 x 120 h = 6.00                              -> 1 assessed, 1 below, 6.00
    #   under_18 7.55:    W5 7.60 fine                                                      -> 1 assessed, 0 below, 0.00
    #   verdict: breach, 2 workers below (observed 2, threshold 0), critical; arrears 33.60 + 6.00 = 39.60
    # Real Living Wage (pay from 2025-05-01; W4 apprentice and W5 under 18 are out of scope):
    #   uk 12.60:     W1 0.60 x 160 = 96.00; W2 0.30 x 80.5 = 24.15; W6 equal, fine -> 3 assessed, 2 below, 120.15
    #   london 13.85: W3 0.05 x 100 = 5.00                                             -> 1 assessed, 1 below, 5.00
    #   verdict: breach, 3 workers below, high; arrears 120.15 + 5.00 = 125.15
    #   upcoming 13.45 / 14.80 (announced 2025-10-22, pay from 2026-05-01): all 3 uk and the 1 london worker at risk.
    Case(
        "worked_example",
        "2025-06",
        (
            worker("12.00", "160"),
            worker(None, "80.5", basic="990.15", employment_type="agency", **A18),
            worker("13.80", "100", employment_type="subcontractor", **LDN),
            worker("7.50", "120", **AP),
            worker("7.60", "40", **U18),
            worker("12.60", "37.5"),
            worker(None, "0", basic="0"),
        ),
        ("breach", 2),
        ("breach", 3),
        bands={
            (STAT, "21_plus"): Band(12.21, 3, 1, 12.00, 33.60),
            (STAT, "18_20"): Band(10.00, 1, 0, 12.30, 0.00),
            (STAT, "apprentice"): Band(7.55, 1, 1, 7.50, 6.00),
            (STAT, "under_18"): Band(7.55, 1, 0, 7.60, 0.00),
            (RLW, "uk"): Band(12.60, 3, 2, 12.00, 120.15, 13.45, 3),
            (RLW, "london"): Band(13.85, 1, 1, 13.80, 5.00, 14.80, 1),
        },
    ),
]
BY_ID = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"


def _period(yyyy_mm: str) -> tuple[str, str]:
    return month(int(yyyy_mm[:4]), int(yyyy_mm[5:]))


def _wage_contract(ref: str, commitments: list[Commitment], **kw: str) -> dict:
    return contract(ref, start_date="2023-01-01", commitments=commitments, **kw)


@dataclass
class Run:
    assessment: Assessment
    key: dict[str, int]  # case id -> submission_key


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, returns) -> Run:
    """All cases in one payroll file, read, validated and assessed once."""
    base = tmp_path_factory.mktemp("wages")
    register = make_register(
        base,
        *(
            _wage_contract(
                case.id,
                COMMITMENTS[case.commitments],
                title=f"wage case {case.id}",
                supplier_id="01234567",
                supplier_name="Case Supplier Ltd",
            )
            for case in CASES
        ),
    )
    rows = [
        returns.payroll_row(_period(case.month), worker=i, contract_ref=case.id, **cells)
        for case in CASES
        for i, cells in enumerate(case.workers, 1)
    ]
    path = returns.csv(base / "payroll.csv", rows)
    intake = take_in([path], register, as_of=AS_OF)
    rejected = {s.contract_ref: s.problems for s in intake.submissions if s.status != "accepted"}
    assert not rejected, f"every case must be a valid return: {rejected}"
    key = {s.contract_ref: s.submission_key for s in intake.submissions}
    assert set(key) == set(BY_ID)
    assessment = assess_payroll(intake.accepted_rows("payroll"), register, load_wage_floors(), AS_OF)
    return Run(assessment, key)


def verdicts_of(run: Run, case_id: str) -> dict[str, dict]:
    v = run.assessment.verdicts
    rows = v[v["submission_key"] == run.key[case_id]]
    assert rows["commitment"].is_unique
    return {r["commitment"]: r for r in rows.to_dict("records")}


def wages_of(run: Run, case_id: str) -> dict[tuple[str, str], dict]:
    w = run.assessment.wages
    rows = w[w["submission_key"] == run.key[case_id]]
    out = {(r["rate_type"], r["band"]): r for r in rows.to_dict("records")}
    assert len(out) == len(rows), "one row per rate type and band"
    return out


def _check_verdict(verdict: dict, expected: tuple, severity: str) -> None:
    assert verdict["status"] == expected[0]
    assert verdict["severity"] == severity
    if expected[0] == "not_assessable":
        assert pd.isna(verdict["observed_value"]) and pd.isna(verdict["threshold"])
        assert verdict["detail"].startswith("Cannot tell")
    else:
        # spec 4: for the wage commitments, workers below their floor and 0
        assert verdict["observed_value"] == expected[1]
        assert verdict["threshold"] == 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_wage_verdicts(run: Run, case: Case) -> None:
    verdicts = verdicts_of(run, case.id)
    expected_types = {STAT} | ({RLW} if case.commitments != "none" else set())
    assert set(verdicts) == expected_types  # no RLW verdict on a contract without the commitment
    _check_verdict(verdicts[STAT], case.statutory, "critical")
    if case.commitments == "none":
        assert case.rlw is None
    else:
        _check_verdict(verdicts[RLW], case.rlw, "high")
    for verdict in verdicts.values():
        assert verdict["contract_ref"] == case.id
        assert (str(verdict["period_start"]), str(verdict["period_end"])) == _period(case.month)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.bands or c.id in ("both_older_than_table", "all_hours_paid_zero")],
    ids=lambda c: c.id,
)
def test_wage_figures_per_band(run: Run, case: Case) -> None:
    got = wages_of(run, case.id)
    assert set(got) == set(case.bands)
    for (rate_type, band), want in case.bands.items():
        row = got[(rate_type, band)]
        assert row["required_rate"] == pytest.approx(want.required_rate, abs=1e-9)
        assert row["workers_assessed"] == want.workers_assessed
        assert row["workers_below"] == want.workers_below
        assert row["lowest_rate"] == pytest.approx(want.lowest_rate, abs=1e-9)
        assert row["arrears_gbp"] == pytest.approx(want.arrears_gbp, abs=1e-9), "arrears to the penny"
        if rate_type == STAT or want.upcoming_rate is None:
            # no upcoming rate for statutory rows, nor where none has been announced
            assert pd.isna(row["upcoming_rate"]) and pd.isna(row["workers_below_upcoming"])
        else:
            assert row["upcoming_rate"] == pytest.approx(want.upcoming_rate, abs=1e-9)
            assert row["workers_below_upcoming"] == want.workers_below_upcoming


def test_upcoming_rate_is_at_risk_never_a_breach(run: Run) -> None:
    # Paid 12.60 in June 2025 (required 12.60, upcoming 13.45): at risk, yet the verdict is compliant.
    uk = wages_of(run, "rlw_uk_equal")[(RLW, "uk")]
    assert uk["workers_below_upcoming"] == 1 and uk["workers_below"] == 0
    assert verdicts_of(run, "rlw_uk_equal")[RLW]["status"] == "compliant"


def test_wage_rows_have_the_published_columns_only(run: Run) -> None:
    assert list(run.assessment.wages.columns) == WAGE_COLUMNS
    assert {"worker_ref", "hourly", "hourly_rate", "basic_pay"}.isdisjoint(run.assessment.wages.columns)


def test_every_band_of_a_rate_type_is_named_as_in_spec(run: Run) -> None:
    w = run.assessment.wages
    assert set(w.loc[w["rate_type"] == STAT, "band"]) == {"21_plus", "18_20", "under_18", "apprentice"}
    assert set(w.loc[w["rate_type"] == RLW, "band"]) == {"uk", "london"}
    assert (w["workers_assessed"] > 0).all()  # a band with nobody assessed has no row


def test_worked_example_verdict_text_and_totals(run: Run) -> None:
    verdicts = verdicts_of(run, "worked_example")
    assert verdicts[STAT]["detail"] == "2 of 6 workers paid below the statutory minimum wage; arrears £39.60"
    assert verdicts[RLW]["detail"] == "3 of 4 workers paid below the Real Living Wage; arrears £125.15"
    rows = wages_of(run, "worked_example")
    assert round(sum(r["arrears_gbp"] for (t, _), r in rows.items() if t == STAT), 2) == 39.60
    assert round(sum(r["arrears_gbp"] for (t, _), r in rows.items() if t == RLW), 2) == 125.15
    assert (
        verdicts_of(run, "rlw_uk_equal")[RLW]["detail"]
        == "All 1 workers assessed are paid at least the Real Living Wage"
    )


def test_not_assessable_says_why(run: Run) -> None:
    detail = verdicts_of(run, "rlw_period_older_than_table")[RLW]["detail"]
    assert "no Real Living Wage in the rates tables for a period starting 2023-05-01" in detail
    assert "statutory minimum wage" in verdicts_of(run, "both_older_than_table")[STAT]["detail"]


# --- a period starting the day before / the day of a pay-from date -------------------------------------
# Payroll periods are calendar months, so a return cannot start on 30 April; the rule is still checked
# at day level here, on the typed rows of a real return with period_start moved by a day.

DAY_CASES = [
    # period_start, london, hourly rate, (statutory verdict, rlw verdict)
    ("2025-03-31", False, "12.00", ("compliant", "compliant")),  # statutory 11.44, RLW 12.00
    ("2025-04-01", False, "12.00", ("breach", "compliant")),  # statutory 12.21 from 1 April
    ("2025-04-30", False, "12.21", ("compliant", "compliant")),  # RLW still 12.00
    ("2025-05-01", False, "12.21", ("compliant", "breach")),  # RLW 12.60 from 1 May
    ("2025-04-30", True, "13.15", ("compliant", "compliant")),  # London 13.15
    ("2025-05-01", True, "13.15", ("compliant", "breach")),  # London 13.85 from 1 May
    ("2023-05-13", False, "10.90", ("compliant", "not_assessable")),  # before the first RLW pay-from
    ("2023-05-14", False, "10.89", ("compliant", "breach")),  # 10.90 from 14 May 2023
]


def test_day_before_and_day_of_each_pay_from_date(tmp_path: Path, returns) -> None:
    register = make_register(tmp_path, _wage_contract("DAY-1", [RLW], title="t", supplier_id="1", supplier_name="S"))
    rows = [
        returns.payroll_row(
            ("2025-06-01", "2025-06-30"),
            worker=i,
            contract_ref="DAY-1",
            london="yes" if london else "no",
            **worker(rate),
        )
        for i, (_, london, rate, _) in enumerate(DAY_CASES, 1)
    ]
    intake = take_in([returns.csv(tmp_path / "p.csv", rows)], register, as_of=AS_OF)
    assert [s.status for s in intake.submissions] == ["accepted"]
    typed = intake.accepted_rows("payroll").reset_index(drop=True)
    typed["period_start"] = pd.to_datetime([c[0] for c in DAY_CASES]).astype(typed["period_start"].dtype)
    typed["_submission"] = range(len(typed))  # one submission per row
    result = assess_payroll(typed, register, load_wage_floors(), AS_OF).verdicts
    for i, (start, london, rate, (stat, rlw)) in enumerate(DAY_CASES):
        got = result[result["submission_key"] == i].set_index("commitment")["status"].to_dict()
        assert got == {STAT: stat, RLW: rlw}, (start, london, rate)


def test_guide_for_contract_managers_matches_the_catalogue_and_the_worked_example() -> None:
    from gwp_monitor.domain.catalogue import CATALOGUE

    guide = (Path(__file__).resolve().parents[1] / "docs" / "guide-contract-managers.md").read_text(encoding="utf-8")
    for spec in CATALOGUE.values():
        assert f"`{spec.name}`" in guide and spec.summary in guide, spec.name
    case = BY_ID["worked_example"]
    assert "`worked_example`" in guide and case.month == "2025-06" and date(2026, 7, 31) == AS_OF
    for figure in ("£33.60", "£6.00", "£39.60", "£120.15", "£5.00", "£125.15", "2 of 6 workers", "3 of 4 workers"):
        assert figure in guide, figure
