"""The workforce commitments of spec 4 and the verdicts for returns that never came (gap_verdicts).

Table-driven like test_compliance_wages: every case is its own contract in a generated register and
its own workforce submission; all go through `intake.take_in` (read, typed, validated) and
`compliance.assess_workforce` (decided by Great Expectations) in one run, then each test checks its
own submission's verdicts: status, observed_value and threshold as spec 4 defines them (shares: the
share and its limit; counts and hours: the figure and its limit; yes/no: 1 or 0 and 1;
max_gender_pay_gap: the median gap and max_pct; both null when not_assessable), severity medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import pytest

from gwp_monitor.assess.missing import gap_verdicts
from gwp_monitor.assess.verdicts import VERDICT_COLUMNS, Assessment
from gwp_monitor.assess.workforce import assess_workforce
from gwp_monitor.config.register import load_register
from gwp_monitor.domain.catalogue import CATALOGUE
from gwp_monitor.ingest.intake import take_in

AS_OF = date(2026, 1, 31)
PERIOD = ("2025-04-01", "2025-06-30")
ZH, AGENCY, LOCAL = "max_zero_hours_share", "max_agency_share", "min_local_resident_share"
APPRENTICES, VOICE, FLEX = "min_apprentices", "worker_voice", "flexible_working"
GPG_REPORTED, GPG_MAX, TRAINING = "gender_pay_gap_reported", "max_gender_pay_gap", "min_training_hours_per_fte"

# A small contract of 10 people, every count within headcount.
TEN = {
    "headcount": "10",
    "fte": "8",
    "zero_hours_workers": "1",
    "agency_workers": "1",
    "apprentices": "1",
    "local_residents": "3",
    "disabled_workers": "1",
    "ethnic_minority_workers": "1",
    "female_workers": "5",
}
ZERO = {k: "0" for k in TEN}
NA = ("not_assessable", None, None)


def kept(observed: float, threshold: float) -> tuple:
    return ("compliant", observed, threshold)


def broken(observed: float, threshold: float) -> tuple:
    return ("breach", observed, threshold)


@dataclass(frozen=True)
class Case:
    id: str
    commitments: str  # the register's commitments list, in YAML flow style
    cells: dict[str, str]  # overrides of the builder's good row (headcount 40, fte 32.5, ...)
    expect: dict[str, tuple]  # commitment -> (status, observed_value, threshold)
    drop: tuple[str, ...] = field(default=())  # optional columns left out of the file altogether


CASES = [
    # shares: the builder's row has headcount 40, zero_hours 2, agency 3
    Case("zero_hours_at_max", f"[{{type: {ZH}, max: 0.05}}]", {}, {ZH: kept(0.05, 0.05)}),  # 2 / 40
    Case("zero_hours_one_over", f"[{{type: {ZH}, max: 0.05}}]", {"zero_hours_workers": "3"}, {ZH: broken(0.075, 0.05)}),
    Case("zero_hours_under_max", f"[{{type: {ZH}, max: 0.05}}]", {"zero_hours_workers": "1"}, {ZH: kept(0.025, 0.05)}),
    Case("agency_at_max", f"[{{type: {AGENCY}, max: 0.1}}]", {"agency_workers": "4"}, {AGENCY: kept(0.1, 0.1)}),
    Case("agency_one_over", f"[{{type: {AGENCY}, max: 0.1}}]", {"agency_workers": "5"}, {AGENCY: broken(0.125, 0.1)}),
    Case("local_at_min", f"[{{type: {LOCAL}, min: 0.3}}]", TEN, {LOCAL: kept(0.3, 0.3)}),  # 3 / 10
    Case("local_over_min", f"[{{type: {LOCAL}, min: 0.3}}]", {**TEN, "local_residents": "4"}, {LOCAL: kept(0.4, 0.3)}),
    Case(
        "local_one_under", f"[{{type: {LOCAL}, min: 0.3}}]", {**TEN, "local_residents": "2"}, {LOCAL: broken(0.2, 0.3)}
    ),
    # headcount 0: a share cannot be worked out; counts and yes/no are still assessed
    Case(
        "headcount_zero",
        f"[{{type: {ZH}, max: 0.05}}, {{type: {AGENCY}, max: 0.1}}, {{type: {LOCAL}, min: 0.3}}, "
        f"{{type: {APPRENTICES}, min: 1}}, {{type: {VOICE}}}]",
        {**ZERO, "training_hours": "0"},
        {ZH: NA, AGENCY: NA, LOCAL: NA, APPRENTICES: broken(0, 1), VOICE: kept(1, 1)},
    ),
    # counts
    Case("apprentices_at_min", f"[{{type: {APPRENTICES}, min: 2}}]", {}, {APPRENTICES: kept(2, 2)}),
    Case("apprentices_one_under", f"[{{type: {APPRENTICES}, min: 3}}]", {}, {APPRENTICES: broken(2, 3)}),
    # yes/no: 1 or 0 against 1
    Case(
        "voice_union",
        f"[{{type: {VOICE}}}]",
        {"recognised_trade_union": "yes", "worker_voice_forum": "no"},
        {VOICE: kept(1, 1)},
    ),
    Case(
        "voice_forum",
        f"[{{type: {VOICE}}}]",
        {"recognised_trade_union": "false", "worker_voice_forum": "TRUE"},
        {VOICE: kept(1, 1)},
    ),
    Case(
        "voice_neither",
        f"[{{type: {VOICE}}}]",
        {"recognised_trade_union": "n", "worker_voice_forum": "0"},
        {VOICE: broken(0, 1)},
    ),
    Case("flexible_yes", f"[{{type: {FLEX}}}]", {"flexible_working_from_day_one": "Y"}, {FLEX: kept(1, 1)}),
    Case("flexible_no", f"[{{type: {FLEX}}}]", {"flexible_working_from_day_one": "no"}, {FLEX: broken(0, 1)}),
    # gender pay gap: reported (yes/no) and no wider than max_pct (median, %)
    Case(
        "gap_at_max",
        f"[{{type: {GPG_REPORTED}}}, {{type: {GPG_MAX}, max_pct: 5}}]",
        {"gender_pay_gap_median_pct": "5", "gender_pay_gap_mean_pct": "6"},
        {GPG_REPORTED: kept(1, 1), GPG_MAX: kept(5, 5)},
    ),
    Case(
        "gap_over",
        f"[{{type: {GPG_REPORTED}}}, {{type: {GPG_MAX}, max_pct: 5}}]",
        {"gender_pay_gap_median_pct": "5.01"},
        {GPG_REPORTED: kept(1, 1), GPG_MAX: broken(5.01, 5)},
    ),
    Case(
        "gap_negative",
        f"[{{type: {GPG_MAX}, max_pct: 5}}]",
        {"gender_pay_gap_median_pct": "-3"},
        {GPG_MAX: kept(-3, 5)},
    ),
    Case(
        "gap_median_blank",
        f"[{{type: {GPG_REPORTED}}}, {{type: {GPG_MAX}, max_pct: 5}}]",
        {"gender_pay_gap_median_pct": ""},
        {GPG_REPORTED: broken(0, 1), GPG_MAX: NA},
    ),
    Case(
        "gap_mean_blank",
        f"[{{type: {GPG_REPORTED}}}, {{type: {GPG_MAX}, max_pct: 5}}]",
        {"gender_pay_gap_mean_pct": "", "gender_pay_gap_median_pct": "4"},
        {GPG_REPORTED: broken(0, 1), GPG_MAX: kept(4, 5)},
    ),
    # training hours per FTE: the builder's fte is 32.5
    Case("training_at_min", f"[{{type: {TRAINING}, min: 4}}]", {"training_hours": "130"}, {TRAINING: kept(4, 4)}),
    Case(
        "training_under",
        f"[{{type: {TRAINING}, min: 4}}]",
        {"training_hours": "129.99"},
        {TRAINING: broken(round(129.99 / 32.5, 9), 4)},
    ),  # 3.999692308
    Case("training_blank", f"[{{type: {TRAINING}, min: 4}}]", {"training_hours": ""}, {TRAINING: NA}),
    Case("training_fte_zero", f"[{{type: {TRAINING}, min: 4}}]", {"fte": "0"}, {TRAINING: NA}),
    # optional columns left out of the file altogether: the same as blank
    Case(
        "optional_columns_absent",
        f"[{{type: {GPG_REPORTED}}}, {{type: {GPG_MAX}, max_pct: 5}}, {{type: {TRAINING}, min: 4}}, {{type: {VOICE}}}]",
        {},
        {GPG_REPORTED: broken(0, 1), GPG_MAX: NA, TRAINING: NA, VOICE: kept(1, 1)},
        drop=("gender_pay_gap_median_pct", "gender_pay_gap_mean_pct", "training_hours"),
    ),
    # every commitment at once, all kept: one verdict per commitment the contract carries
    Case(
        "all_types_kept",
        f"[{{type: {ZH}, max: 0.05}}, {{type: {AGENCY}, max: 0.1}}, {{type: {LOCAL}, min: 0.5}}, {{type: {APPRENTICES}, min: 2}}, "
        f"{{type: {VOICE}}}, {{type: {FLEX}}}, {{type: {GPG_REPORTED}}}, {{type: {GPG_MAX}, max_pct: 4.5}}, {{type: {TRAINING}, min: 3}}]",
        {},
        {
            ZH: kept(0.05, 0.05),
            AGENCY: kept(0.075, 0.1),
            LOCAL: kept(0.5, 0.5),
            APPRENTICES: kept(2, 2),
            VOICE: kept(1, 1),
            FLEX: kept(1, 1),
            GPG_REPORTED: kept(1, 1),
            GPG_MAX: kept(4.5, 4.5),
            TRAINING: kept(round(120 / 32.5, 9), 3),
        },
    ),
    # a contract whose commitments are all on payroll gets no workforce verdicts from its workforce return
    Case("no_workforce_commitments", "[{type: real_living_wage}]", {}, {}),
]
BY_ID = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES)


def _register_yaml(cases: list[Case]) -> str:
    lines = ["contracts:"]
    for case in cases:
        lines += [
            f"  - contract_ref: {case.id}",
            f"    title: workforce case {case.id}",
            '    supplier: {supplier_id: "01234567", name: Case Supplier Ltd}',
            "    start_date: 2025-01-01",
            "    returns: {payroll: {frequency: monthly, due_days: 15}, workforce: {frequency: quarterly, due_days: 30}}",
            f"    commitments: {case.commitments}",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class Run:
    assessment: Assessment
    key: dict[str, int]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, returns) -> Run:
    base = tmp_path_factory.mktemp("workforce")
    (base / "register.yaml").write_text(_register_yaml(CASES), encoding="utf-8")
    register = load_register(base / "register.yaml")
    paths = []
    for drop in sorted({c.drop for c in CASES}):  # one file per set of columns
        rows = [returns.workforce_row(PERIOD, contract_ref=c.id, **c.cells) for c in CASES if c.drop == drop]
        columns = [name for name in rows[0] if name not in drop]
        paths.append(returns.csv(base / f"workforce_{len(paths)}.csv", rows, columns))
    intake = take_in(paths, register, as_of=AS_OF)
    rejected = {s.contract_ref: s.problems for s in intake.submissions if s.status != "accepted"}
    assert not rejected, f"every case must be a valid return: {rejected}"
    key = {s.contract_ref: s.submission_key for s in intake.submissions}
    assert set(key) == set(BY_ID)
    return Run(assess_workforce(intake.accepted_rows("workforce"), register), key)


def verdicts_of(run: Run, case_id: str) -> dict[str, dict]:
    v = run.assessment.verdicts
    rows = v[v["submission_key"] == run.key[case_id]]
    assert rows["commitment"].is_unique
    return {r["commitment"]: r for r in rows.to_dict("records")}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_workforce_verdicts(run: Run, case: Case) -> None:
    verdicts = verdicts_of(run, case.id)
    assert set(verdicts) == set(case.expect)
    for commitment, (status, observed, threshold) in case.expect.items():
        v = verdicts[commitment]
        assert (v["contract_ref"], str(v["period_start"]), str(v["period_end"])) == (case.id, *PERIOD)
        assert v["severity"] == "medium"
        assert v["status"] == status, commitment
        if status == "not_assessable":
            assert pd.isna(v["observed_value"]) and pd.isna(v["threshold"]), commitment
            assert v["detail"].startswith("Cannot tell: ") and v["detail"] != "Cannot tell: "
        else:
            assert v["observed_value"] == pytest.approx(observed, abs=1e-9), commitment
            assert v["threshold"] == pytest.approx(threshold, abs=1e-12), commitment
            prefix = "Kept: " if status == "compliant" else "Not kept: "
            assert v["detail"] == prefix + CATALOGUE[commitment].summary


def test_workforce_detail_says_why_not_assessable(run: Run) -> None:
    assert (
        verdicts_of(run, "headcount_zero")[ZH]["detail"]
        == "Cannot tell: headcount is 0 or missing, so a share cannot be worked out"
    )
    assert (
        verdicts_of(run, "gap_median_blank")[GPG_MAX]["detail"]
        == "Cannot tell: the return gives no median gender pay gap"
    )
    assert "training_hours is missing or fte is 0" in verdicts_of(run, "training_fte_zero")[TRAINING]["detail"]


def test_workforce_assessment_has_no_wage_rows(run: Run) -> None:
    assert run.assessment.wages.empty
    assert list(run.assessment.verdicts.columns) == VERDICT_COLUMNS


# --- returns that never came -----------------------------------------------------------------------------

GAP_REGISTER = """\
contracts:
  - contract_ref: GAP-1
    title: both kinds
    supplier: {supplier_id: "01234567", name: Gap Ltd}
    start_date: 2025-04-01
    returns:
      payroll: {frequency: monthly, due_days: 15}
      workforce: {frequency: quarterly, due_days: 30}
    commitments:
      - type: real_living_wage
      - {type: max_zero_hours_share, max: 0.05}
      - type: worker_voice
  - contract_ref: GAP-2
    title: payroll only, statutory only
    supplier: {supplier_id: "07654321", name: Gap Two Ltd}
    start_date: 2025-04-01
    returns:
      payroll: {frequency: monthly, due_days: 15}
"""


def test_gap_verdicts_for_missing_and_rejected_returns(tmp_path) -> None:
    (tmp_path / "register.yaml").write_text(GAP_REGISTER, encoding="utf-8")
    register = load_register(tmp_path / "register.yaml")
    # Built as the store builds them: expected returns (datetime64 dates) whose due date has passed.
    as_of = date(2025, 8, 1)
    expected = register.expected_returns(as_of)
    due = expected[expected["due_date"] < pd.Timestamp(as_of)]
    june = due[(due["period_start"] == pd.Timestamp("2025-06-01"))]
    q2 = due[(due["kind"] == "workforce") & (due["period_start"] == pd.Timestamp("2025-04-01"))]
    gaps = pd.concat(
        [
            june.assign(reason="missing"),
            q2.assign(reason="rejected"),
            pd.DataFrame(
                [
                    {
                        "contract_ref": "NOT-IN-REGISTER",
                        "kind": "payroll",
                        "period_start": pd.Timestamp("2025-06-01"),
                        "period_end": pd.Timestamp("2025-06-30"),
                        "reason": "missing",
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    assert len(june) == 2 and len(q2) == 1  # June payroll of both contracts; Q2 workforce of GAP-1 (due 30 July)

    verdicts = gap_verdicts(gaps, register)

    assert list(verdicts.columns) == VERDICT_COLUMNS
    got = {(v["contract_ref"], v["commitment"]): v for v in verdicts.to_dict("records")}
    assert set(got) == {
        ("GAP-1", "statutory_minimum_wage"),
        ("GAP-1", "real_living_wage"),
        ("GAP-1", ZH),
        ("GAP-1", VOICE),
        ("GAP-2", "statutory_minimum_wage"),  # statutory is on every contract, even with no commitments listed
    }
    severity = {"statutory_minimum_wage": "critical", "real_living_wage": "high", ZH: "medium", VOICE: "medium"}
    for (_ref, commitment), v in got.items():
        assert v["status"] == "not_assessable"
        assert v["observed_value"] is None and v["threshold"] is None and v["submission_key"] is None
        assert v["severity"] == severity[commitment]
        if CATALOGUE[commitment].source_kind == "payroll":
            assert (v["period_start"], v["period_end"]) == (date(2025, 6, 1), date(2025, 6, 30))
            assert v["detail"] == "Cannot tell: the payroll return for this period has not been received"
        else:
            assert (v["period_start"], v["period_end"]) == (date(2025, 4, 1), date(2025, 6, 30))
            assert v["detail"] == "Cannot tell: the workforce return for this period was rejected (see its problems)"


def test_no_gaps_no_verdicts(tmp_path) -> None:
    (tmp_path / "register.yaml").write_text(GAP_REGISTER, encoding="utf-8")
    empty = pd.DataFrame(columns=["contract_ref", "kind", "period_start", "period_end", "reason"])
    verdicts = gap_verdicts(empty, load_register(tmp_path / "register.yaml"))
    assert verdicts.empty and list(verdicts.columns) == VERDICT_COLUMNS
