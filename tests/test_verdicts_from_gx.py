"""Verdicts come from Great Expectations (spec 4: "checked ... with Great Expectations").

The rows GX reports as unexpected ARE the breaches. These tests run GX for real on a real return,
then run it again with `run_expectations` wrapped so that GX's answer is altered for one row: a
compliant row reported unexpected must become a breach, and a breaching row left out must become
compliant. If compliance decided by a second, hand-written comparison, the verdicts would not move.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pytest

from gwp_monitor.assess import verdicts
from gwp_monitor.assess.wages import assess_payroll
from gwp_monitor.assess.workforce import assess_workforce
from gwp_monitor.config.register import Register, load_register
from gwp_monitor.domain.rates import WageFloors, load_wage_floors
from gwp_monitor.ingest.intake import Intake, take_in
from gwp_monitor.validate import expectations as validation

AS_OF = date(2026, 1, 31)
RLW, STAT, ZH = "real_living_wage", "statutory_minimum_wage", "max_zero_hours_share"
JUNE, JULY = ("2025-06-01", "2025-06-30"), ("2025-07-01", "2025-07-31")
Q2, Q3 = ("2025-04-01", "2025-06-30"), ("2025-07-01", "2025-09-30")

REGISTER = """\
contracts:
  - contract_ref: GX-1
    title: GX provenance
    supplier: {supplier_id: "01234567", name: GX Ltd}
    start_date: 2025-01-01
    returns:
      payroll: {frequency: monthly, due_days: 15}
      workforce: {frequency: quarterly, due_days: 30}
    commitments:
      - type: real_living_wage
      - {type: max_zero_hours_share, max: 0.05}
      - type: worker_voice
"""


@dataclass
class Data:
    intake: Intake
    register: Register
    floors: WageFloors
    key: dict[tuple[str, str], int]  # (kind, period_start) -> submission_key


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, returns) -> Data:
    base = tmp_path_factory.mktemp("gx")
    (base / "register.yaml").write_text(REGISTER, encoding="utf-8")
    register = load_register(base / "register.yaml")
    payroll = returns.csv(
        base / "payroll.csv",
        [
            # June: paid exactly the Real Living Wage (compliant); July: 1p below it (breach)
            returns.payroll_row(
                JUNE, worker=1, contract_ref="GX-1", hourly_rate="12.60", hours_paid="150", basic_pay="1890.00"
            ),
            returns.payroll_row(
                JULY, worker=1, contract_ref="GX-1", hourly_rate="12.59", hours_paid="150", basic_pay="1888.50"
            ),
        ],
    )
    workforce = returns.csv(
        base / "workforce.csv",
        [
            returns.workforce_row(Q2, contract_ref="GX-1", zero_hours_workers="2"),  # 2 / 40 = 0.05: compliant
            returns.workforce_row(Q3, contract_ref="GX-1", zero_hours_workers="3"),  # 3 / 40 = 0.075: breach
        ],
    )
    intake = take_in([payroll, workforce], register, as_of=AS_OF)
    assert [s.status for s in intake.submissions] == ["accepted"] * 4
    key = {(s.kind, str(s.period_start)): s.submission_key for s in intake.submissions}
    return Data(intake, register, load_wage_floors(), key)


def _status(verdicts: pd.DataFrame, key: int, commitment: str) -> tuple[str, float]:
    row = verdicts[(verdicts["submission_key"] == key) & (verdicts["commitment"] == commitment)]
    assert len(row) == 1
    return row["status"].iloc[0], row["observed_value"].iloc[0]


def _row_of(rows: pd.DataFrame, key: int) -> int:
    """The positional row id compliance gives GX for the submission's (only) row."""
    ids = np.flatnonzero(rows.reset_index(drop=True)["_submission"].to_numpy() == key)
    assert len(ids) == 1
    return int(ids[0])


def _patch(monkeypatch: pytest.MonkeyPatch, observed: str, add: int, remove: int) -> list:
    """Wrap the real GX run: for the expectation whose meta.observed is `observed`, report row `add`
    as unexpected and row `remove` as expected. Returns the list of (expectations, result) seen."""
    real = validation.run_expectations
    seen: list = []

    def altered(frame, expectations, name="gwp"):
        result, failures = real(frame, expectations, name)
        seen.append((expectations, result))
        target = next(e for e in expectations if e.meta["observed"] == observed)
        out = [(config, ids) for config, ids in failures if config.meta["observed"] != observed]
        ids = next(
            (ids for config, ids in failures if config.meta["observed"] == observed), np.array([], dtype=np.int64)
        )
        ids = np.union1d(ids[ids != remove], [add]).astype(np.int64)
        out.append((target, ids))
        return result, out

    monkeypatch.setattr(validation, "run_expectations", altered)
    if hasattr(verdicts, "run_expectations"):  # in case the assessors ever import the name at module level
        monkeypatch.setattr(verdicts, "run_expectations", altered)
    return seen


def test_wage_verdicts_follow_the_rows_gx_reports(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = data.intake.accepted_rows("payroll")
    june, july = data.key[("payroll", JUNE[0])], data.key[("payroll", JULY[0])]

    real = assess_payroll(rows, data.register, data.floors, AS_OF)
    assert _status(real.verdicts, june, RLW) == ("compliant", 0)
    assert _status(real.verdicts, july, RLW) == ("breach", 1)

    seen = _patch(monkeypatch, RLW, add=_row_of(rows, june), remove=_row_of(rows, july))
    altered = assess_payroll(rows, data.register, data.floors, AS_OF)

    assert len(seen) == 1, "one GX run decides every wage verdict"
    assert _status(altered.verdicts, june, RLW) == ("breach", 1)  # compliant row reported unexpected
    assert _status(altered.verdicts, july, RLW) == ("compliant", 0)  # breaching row not reported
    # the statutory expectation was not touched, so its verdicts stand
    assert _status(altered.verdicts, june, STAT) == ("compliant", 0)
    assert _status(altered.verdicts, july, STAT) == ("compliant", 0)
    w = altered.wages.set_index(["submission_key", "rate_type", "band"])
    assert w.loc[(june, RLW, "uk"), "workers_below"] == 1
    assert w.loc[(july, RLW, "uk"), "workers_below"] == 0
    assert w.loc[(july, RLW, "uk"), "arrears_gbp"] == 0  # no breach, no arrears


def test_upcoming_rate_at_risk_follows_gx(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = data.intake.accepted_rows("payroll")
    june, july = data.key[("payroll", JUNE[0])], data.key[("payroll", JULY[0])]
    real = assess_payroll(rows, data.register, data.floors, AS_OF).wages.set_index(["submission_key", "rate_type"])
    assert real.loc[(june, RLW), "workers_below_upcoming"] == 1  # 12.60 < 13.45 announced 2025-10-22
    _patch(monkeypatch, "upcoming", add=_row_of(rows, july), remove=_row_of(rows, june))
    altered = assess_payroll(rows, data.register, data.floors, AS_OF)
    assert altered.wages.set_index(["submission_key", "rate_type"]).loc[(june, RLW), "workers_below_upcoming"] == 0
    assert _status(altered.verdicts, june, RLW) == ("compliant", 0)  # at risk is never a breach


def test_workforce_verdicts_follow_the_rows_gx_reports(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = data.intake.accepted_rows("workforce")
    q2, q3 = data.key[("workforce", Q2[0])], data.key[("workforce", Q3[0])]

    real = assess_workforce(rows, data.register)
    assert _status(real.verdicts, q2, ZH) == ("compliant", 0.05)
    assert _status(real.verdicts, q3, ZH) == ("breach", 0.075)

    seen = _patch(monkeypatch, f"{ZH}__observed", add=_row_of(rows, q2), remove=_row_of(rows, q3))
    altered = assess_workforce(rows, data.register)

    assert len(seen) == 1
    assert _status(altered.verdicts, q2, ZH) == ("breach", 0.05)
    assert _status(altered.verdicts, q3, ZH) == ("compliant", 0.075)
    assert _status(altered.verdicts, q2, "worker_voice")[0] == "compliant"  # untouched expectation


def test_one_gx_expectation_per_commitment_and_the_result_is_kept(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    import great_expectations as gx

    real = validation.run_expectations
    seen: list = []

    def spy(frame, expectations, name="gwp"):
        result, failures = real(frame, expectations, name)
        seen.append((list(frame.columns), expectations, result))
        return result, failures

    monkeypatch.setattr(validation, "run_expectations", spy)
    payroll = assess_payroll(data.intake.accepted_rows("payroll"), data.register, data.floors, AS_OF)
    workforce = assess_workforce(data.intake.accepted_rows("workforce"), data.register)

    (p_columns, p_exp, p_result), (w_columns, w_exp, w_result) = seen
    assert payroll.gx_result is p_result and workforce.gx_result is w_result
    assert all(isinstance(e, gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB) for e in p_exp + w_exp)
    assert [e.meta["observed"] for e in p_exp] == [STAT, RLW, "upcoming"]
    assert sorted(e.meta["commitment"] for e in w_exp) == sorted([ZH, "worker_voice"])
    # GX's own count of unexpected rows is the number of breaches
    counts = {r.expectation_config.meta["observed"]: r.result["unexpected_count"] for r in p_result.results}
    assert counts == {STAT: 0, RLW: 1, "upcoming": 2}
    assert (payroll.verdicts.loc[payroll.verdicts["commitment"] == RLW, "status"] == "breach").sum() == 1
    # spec 6: GX sees no worker_ref and its results hold row ids, never a pay figure
    assert not any("worker_ref" in c or "basic_pay" in c for c in p_columns)
    text = json.dumps(p_result.to_json_dict())
    assert "partial_unexpected_list" not in text and "unexpected_list" not in text.replace(
        "partial_unexpected_index_list", ""
    )
    assert "125900" not in text and "12.59" not in text
