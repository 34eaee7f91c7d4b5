"""The contract register (spec 2.1): parsing, refusing with every problem, expected returns."""

from __future__ import annotations

import pickle
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from gwp_monitor.config.register import (
    Commitment,
    Register,
    RegisterError,
    ReturnSchedule,
    load_register,
    parse_register,
)
from gwp_monitor.domain.catalogue import CATALOGUE, validate_commitment

D = date

SPEC_EXAMPLE = """\
contracts:
  - contract_ref: NCC-2025-0142          # unique, [A-Za-z0-9._/-]{1,64}
    title: Home care, lot 3
    supplier:
      supplier_id: "08064685"            # Companies House number where there is one
      name: Tyneside Care Ltd
    start_date: 2025-04-01
    end_date: 2028-03-31                 # optional
    returns:
      payroll:   {frequency: monthly,   due_days: 15}   # payroll: always monthly
      workforce: {frequency: quarterly, due_days: 30}   # workforce: monthly | quarterly
    contacts:
      contract_manager: contracts@council.example
      supplier: returns@tynesidecare.example
    commitments:
      - type: real_living_wage
      - {type: max_zero_hours_share, max: 0.05}
      - {type: min_apprentices, min: 2}
      - {type: min_local_resident_share, min: 0.30}
      - type: worker_voice
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def contract(**overrides: object) -> dict:
    base: dict = {
        "contract_ref": "C-1",
        "title": "Cleaning",
        "supplier": {"supplier_id": "SC123456", "name": "Clean Co"},
        "start_date": D(2025, 4, 1),
        "returns": {"payroll": {"frequency": "monthly", "due_days": 15}},
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_spec_example_parses(tmp_path: Path) -> None:
    reg = load_register(write(tmp_path, SPEC_EXAMPLE))
    c = reg.contracts["NCC-2025-0142"]
    assert reg.source.endswith("register.yaml")
    assert c.title == "Home care, lot 3"
    assert c.supplier.supplier_id == "08064685" and c.supplier.name == "Tyneside Care Ltd"
    assert (c.start_date, c.end_date) == (D(2025, 4, 1), D(2028, 3, 31))
    assert c.returns["payroll"] == ReturnSchedule("payroll", "monthly", 15)
    assert c.returns["workforce"] == ReturnSchedule("workforce", "quarterly", 30)
    assert c.contacts["supplier"] == "returns@tynesidecare.example"
    assert [x.type for x in c.commitments] == [
        "statutory_minimum_wage",
        "real_living_wage",
        "max_zero_hours_share",
        "min_apprentices",
        "min_local_resident_share",
        "worker_voice",
    ]
    assert c.commitment("real_living_wage").params == {"include_apprentices": False}
    assert c.commitment("max_zero_hours_share") == Commitment("max_zero_hours_share", {"max": 0.05})
    assert c.commitment("min_apprentices").params["min"] == 2
    assert c.commitment("flexible_working") is None


def test_statutory_minimum_wage_is_always_added() -> None:
    reg = parse_register({"contracts": [contract()]})
    assert [x.type for x in reg.contracts["C-1"].commitments] == ["statutory_minimum_wage"]
    assert reg.contracts["C-1"].end_date is None and reg.contracts["C-1"].contacts == {}


@pytest.mark.parametrize(
    "written, kept",
    [
        ("08064685", "08064685"),
        ("0123", "0123"),
        ('"08064685"', "08064685"),
        ("SC123456", "SC123456"),
        ("1e5", "1e5"),
        ("'007'", "007"),
    ],
)
def test_identifiers_are_kept_as_written_in_yaml(tmp_path: Path, written: str, kept: str) -> None:
    # Unquoted 08064685 would be the integer 8064685 in plain YAML, and 0123 octal 83.
    text = SPEC_EXAMPLE.replace('"08064685"', written)
    assert load_register(write(tmp_path, text)).contracts["NCC-2025-0142"].supplier.supplier_id == kept


def test_unquoted_numeric_contract_ref_keeps_leading_zeros(tmp_path: Path) -> None:
    text = SPEC_EXAMPLE.replace("contract_ref: NCC-2025-0142", "contract_ref: 000142")
    assert list(load_register(write(tmp_path, text)).contracts) == ["000142"]


def test_numeric_supplier_id_in_memory_is_refused() -> None:
    with pytest.raises(RegisterError) as err:
        parse_register({"contracts": [contract(supplier={"supplier_id": 8064685, "name": "X"})]})
    assert err.value.problems == [
        "contracts[0] (C-1): supplier.supplier_id must be text; put it in quotes so it is kept as written (got 8064685)"
    ]


BROKEN = """\
contracts:
  - contract_ref: NCC-2025-0142
    title: Home care
    supplier: {supplier_id: "08064685", name: Tyneside Care Ltd}
    start_date: 2025-04-01
    end_date: 2025-03-31
    returns:
      payroll: {frequency: quarterly, due_days: 15}
      workforce: {frequency: weekly, due_days: -1}
    commitments:
      - type: real_living_wage
      - {type: max_zero_hours_share, max: 1.5}
      - {type: max_agency_share}
      - {type: min_apprentices, min: two}
      - {type: living_wage_plus}
      - type: statutory_minimum_wage
      - type: real_living_wage
  - contract_ref: NCC-2025-0142
    title: Duplicate
    supplier: {supplier_id: "1", name: Other Ltd}
    start_date: 2025-04-01
    returns: {payroll: {frequency: monthly, due_days: 10}}
  - contract_ref: "bad ref!"
    supplier: {name: No Id Ltd}
    start_date: 2025-02-30
    returns: {pension: {frequency: monthly, due_days: 10}}
    contacts: {contract_manager: not-an-address}
  - contract_ref: W-1
    title: Workforce only
    supplier: {supplier_id: "2", name: Two Ltd}
    start_date: 2025-04-01
    returns: {payroll: {frequency: monthly, due_days: 10}}
    commitments: [{type: worker_voice, extra: 1}, {type: flexible_working}]
"""

BROKEN_PROBLEMS = [
    "contracts[0] (NCC-2025-0142): end_date 2025-03-31 is before start_date 2025-04-01",
    "contracts[0] (NCC-2025-0142): returns.payroll: frequency must be monthly (got 'quarterly')",
    "contracts[0] (NCC-2025-0142): returns.workforce: frequency must be monthly or quarterly (got 'weekly')",
    "contracts[0] (NCC-2025-0142): returns.workforce: due_days must be a whole number of days from 0 to 365 (got -1)",
    "contracts[0] (NCC-2025-0142): commitments[1]: max_zero_hours_share needs 'max' between 0 and 1 (got 1.5)",
    "contracts[0] (NCC-2025-0142): commitments[2]: max_agency_share needs 'max' between 0 and 1 (missing)",
    "contracts[0] (NCC-2025-0142): commitments[3]: min_apprentices needs 'min' as a whole number of at least 0 (got 'two')",
    "contracts[0] (NCC-2025-0142): commitments[4]: unknown commitment type 'living_wage_plus' (known: "
    "real_living_wage, max_zero_hours_share, max_agency_share, min_apprentices, min_local_resident_share, "
    "worker_voice, flexible_working, gender_pay_gap_reported, max_gender_pay_gap, min_training_hours_per_fte, "
    "gpg_published, gpg_consistent)",
    "contracts[0] (NCC-2025-0142): commitments[5]: statutory_minimum_wage is checked on every contract "
    "automatically; remove it from the register",
    "contracts[0] (NCC-2025-0142): commitments[6]: real_living_wage is listed twice (also commitments[0])",
    "contracts[1] (NCC-2025-0142): contract_ref NCC-2025-0142 is already used by contracts[0]",
    "contracts[2]: contract_ref 'bad ref!' must be 1 to 64 letters, digits or . _ / -",
    "contracts[2]: missing required field 'title'",
    "contracts[2]: missing required field 'supplier.supplier_id'",
    "contracts[2]: start_date must be a real date written like 2025-04-01 (got '2025-02-30')",
    "contracts[2]: returns: unknown return kind 'pension' (known: payroll, workforce)",
    "contracts[2]: contacts.contract_manager must be an e-mail address (got 'not-an-address')",
    "contracts[3] (W-1): commitments[0]: worker_voice has unknown parameter 'extra' (allowed: none)",
    "contracts[3] (W-1): commitments[1]: flexible_working is checked on workforce returns, but returns has no "
    "workforce schedule",
]


def test_broken_register_lists_every_problem_in_one_go(tmp_path: Path) -> None:
    with pytest.raises(RegisterError) as err:
        load_register(write(tmp_path, BROKEN))
    assert err.value.problems == BROKEN_PROBLEMS
    text = str(err.value)
    lines = text.splitlines()
    assert lines[0].endswith(f"is not valid ({len(BROKEN_PROBLEMS)} problems); nothing was loaded")
    assert lines[1:] == [f"  - {p}" for p in BROKEN_PROBLEMS]


@pytest.mark.parametrize(
    "data, problem",
    [
        ({}, "the register needs a top-level 'contracts' list"),
        ([], "the register needs a top-level 'contracts' list"),
        ({"contracts": []}, "'contracts' must be a non-empty list of contracts"),
        ({"contracts": ["C-1"]}, "contracts[0]: must be a mapping of contract fields, got 'C-1'"),
        (
            {"contracts": [contract(returns={})]},
            "contracts[0] (C-1): returns must map at least one of payroll, workforce to its schedule (got {})",
        ),
        (
            {"contracts": [contract(returns=None)]},
            "contracts[0] (C-1): missing required field 'returns' (which of payroll, workforce are expected)",
        ),
        ({"contracts": [contract(start_date=None)]}, "contracts[0] (C-1): missing required field 'start_date'"),
        ({"contracts": [contract(supplier=None)]}, "contracts[0] (C-1): missing required field 'supplier'"),
        ({"contracts": [contract(contract_ref=None)]}, "contracts[0]: missing required field 'contract_ref'"),
        (
            {"contracts": [contract(contract_ref="x" * 65)]},
            f"contracts[0]: contract_ref {'x' * 65!r} must be 1 to 64 letters, digits or . _ / -",
        ),
        ({"contracts": [contract(title="  ")]}, "contracts[0] (C-1): title must be non-empty text (got '  ')"),
        (
            {"contracts": [contract(start_date="2025-4-1")]},
            "contracts[0] (C-1): start_date must be a real date written like 2025-04-01 (got '2025-4-1')",
        ),
        (
            {"contracts": [contract(returns={"payroll": {"frequency": "monthly"}})]},
            "contracts[0] (C-1): returns.payroll: due_days must be a whole number of days from 0 to 365 (missing)",
        ),
        (
            {"contracts": [contract(returns={"payroll": {"frequency": "monthly", "due_days": 366}})]},
            "contracts[0] (C-1): returns.payroll: due_days must be a whole number of days from 0 to 365 (got 366)",
        ),
        (
            {"contracts": [contract(returns={"payroll": {"frequency": "monthly", "due_days": True}})]},
            "contracts[0] (C-1): returns.payroll: due_days must be a whole number of days from 0 to 365 (got True)",
        ),
        (
            {"contracts": [contract(returns={"payroll": {"frequency": "monthly", "due_days": 1.5}})]},
            "contracts[0] (C-1): returns.payroll: due_days must be a whole number of days from 0 to 365 (got 1.5)",
        ),
        (
            {"contracts": [contract(returns={"payroll": {"due_days": 5}})]},
            "contracts[0] (C-1): returns.payroll: frequency must be monthly (missing)",
        ),
        (
            {"contracts": [contract(end_dat=D(2026, 1, 1))]},
            "contracts[0] (C-1): unknown field 'end_dat' (allowed: contract_ref, title, supplier, start_date, end_date, returns, contacts, commitments)",
        ),
        (
            {"contracts": [contract(commitments="worker_voice")]},
            "contracts[0] (C-1): commitments must be a list (got 'worker_voice')",
        ),
        ({"contracts": [contract(commitments=[{"max": 1}])]}, "contracts[0] (C-1): commitments[0]: has no 'type'"),
        ({"contracts": [contract()], "version": 2}, "unknown top-level key 'version' (allowed: contracts)"),
    ],
)
def test_single_problems(data: object, problem: str) -> None:
    with pytest.raises(RegisterError) as err:
        parse_register(data)
    assert err.value.problems == [problem]


def test_end_date_equal_to_start_is_allowed() -> None:
    reg = parse_register({"contracts": [contract(end_date=D(2025, 4, 1))]})
    assert reg.contracts["C-1"].end_date == D(2025, 4, 1)


def test_missing_file_and_yaml_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(RegisterError) as err:
        load_register(tmp_path / "nope.yaml")
    assert err.value.problems == [f"{tmp_path / 'nope.yaml'}: file not found"]
    with pytest.raises(RegisterError) as err:
        load_register(write(tmp_path, "contracts:\n  - contract_ref: [unclosed\n"))
    assert len(err.value.problems) == 1
    assert "YAML syntax error at line 3" in err.value.problems[0]


def test_duplicate_yaml_keys_are_reported(tmp_path: Path) -> None:
    text = SPEC_EXAMPLE.replace("    end_date: 2028-03-31", "    end_date: 2028-03-31\n    end_date: 2029-03-31")
    with pytest.raises(RegisterError) as err:
        load_register(write(tmp_path, text))
    assert err.value.problems == ["line 9: 'end_date' is given twice in the same mapping"]


@pytest.mark.parametrize(
    "raw, ok, params",
    [
        ({"type": "real_living_wage", "include_apprentices": True}, True, {"include_apprentices": True}),
        ({"type": "real_living_wage", "include_apprentices": "yes"}, False, None),
        ({"type": "max_zero_hours_share", "max": 0}, True, {"max": 0.0}),
        ({"type": "max_zero_hours_share", "max": 1}, True, {"max": 1.0}),
        ({"type": "max_zero_hours_share", "max": -0.01}, False, None),
        ({"type": "max_zero_hours_share", "max": True}, False, None),
        ({"type": "max_zero_hours_share", "max": float("nan")}, False, None),
        ({"type": "min_apprentices", "min": 2.0}, True, {"min": 2}),
        ({"type": "min_apprentices", "min": -1}, False, None),
        ({"type": "max_gender_pay_gap", "max_pct": -100}, True, {"max_pct": -100.0}),
        ({"type": "max_gender_pay_gap", "max_pct": 100.5}, False, None),
        ({"type": "min_training_hours_per_fte", "min": 7.5}, True, {"min": 7.5}),
        ({"type": "gender_pay_gap_reported"}, True, {}),
    ],
)
def test_validate_commitment(raw: dict, ok: bool, params: dict | None) -> None:
    commitment, problems = validate_commitment(raw)
    assert (commitment is not None) is ok and (not problems) is ok
    if ok:
        assert dict(commitment.params) == params


def test_catalogue_covers_spec_4() -> None:
    assert set(CATALOGUE) == {
        "statutory_minimum_wage",
        "real_living_wage",
        "max_zero_hours_share",
        "max_agency_share",
        "min_apprentices",
        "min_local_resident_share",
        "worker_voice",
        "flexible_working",
        "gender_pay_gap_reported",
        "max_gender_pay_gap",
        "min_training_hours_per_fte",
        "gpg_published",  # issue 17: checked against the public gender pay gap register
        "gpg_consistent",
    }
    severities = {n: c.severity for n, c in CATALOGUE.items()}
    assert severities.pop("statutory_minimum_wage") == "critical"
    assert severities.pop("real_living_wage") == "high"
    assert set(severities.values()) == {"medium"}
    assert {n for n, c in CATALOGUE.items() if c.source_kind == "payroll"} == {
        "statutory_minimum_wage",
        "real_living_wage",
    }
    assert all(c.summary and c.observed for c in CATALOGUE.values())


# --- expected returns -------------------------------------------------------------------------------


def register_of(*contracts: dict) -> Register:
    return parse_register({"contracts": list(contracts)})


def rows(frame: pd.DataFrame) -> list[tuple]:
    return [
        (r.contract_ref, r.kind, r.period_start.date(), r.period_end.date(), r.due_date.date())
        for r in frame.itertuples(index=False)
    ]


BOTH = {"payroll": {"frequency": "monthly", "due_days": 15}, "workforce": {"frequency": "quarterly", "due_days": 30}}


def test_expected_returns_contract_starting_mid_quarter_as_of_mid_period() -> None:
    reg = register_of(contract(start_date=D(2025, 5, 15), returns=BOTH))
    got = reg.expected_returns(D(2025, 10, 20))  # in the middle of October and of Q4
    assert rows(got) == [
        ("C-1", "payroll", D(2025, 6, 1), D(2025, 6, 30), D(2025, 7, 15)),
        ("C-1", "payroll", D(2025, 7, 1), D(2025, 7, 31), D(2025, 8, 15)),
        ("C-1", "payroll", D(2025, 8, 1), D(2025, 8, 31), D(2025, 9, 15)),
        ("C-1", "payroll", D(2025, 9, 1), D(2025, 9, 30), D(2025, 10, 15)),
        ("C-1", "workforce", D(2025, 7, 1), D(2025, 9, 30), D(2025, 10, 30)),
    ]
    assert list(got.columns) == ["contract_ref", "kind", "period_start", "period_end", "due_date"]
    assert {str(got[c].dtype) for c in ("period_start", "period_end", "due_date")} == {"datetime64[ns]"}


def test_expected_returns_stop_at_end_date_and_include_the_as_of_day() -> None:
    reg = register_of(
        contract(contract_ref="ENDS", start_date=D(2025, 1, 1), end_date=D(2025, 3, 15), returns=BOTH),
        contract(contract_ref="ASOF", start_date=D(2025, 1, 1)),
    )
    got = reg.expected_returns(D(2025, 3, 31))  # as_of on a period's last day: that period is owed
    assert rows(got) == [
        ("ASOF", "payroll", D(2025, 1, 1), D(2025, 1, 31), D(2025, 2, 15)),
        ("ASOF", "payroll", D(2025, 2, 1), D(2025, 2, 28), D(2025, 3, 15)),
        ("ASOF", "payroll", D(2025, 3, 1), D(2025, 3, 31), D(2025, 4, 15)),
        ("ENDS", "payroll", D(2025, 1, 1), D(2025, 1, 31), D(2025, 2, 15)),
        ("ENDS", "payroll", D(2025, 2, 1), D(2025, 2, 28), D(2025, 3, 15)),
    ]


def test_expected_returns_empty_before_first_whole_period() -> None:
    reg = register_of(contract(start_date=D(2025, 4, 2)))
    got = reg.expected_returns(D(2025, 5, 30))
    assert got.empty and list(got.columns) == ["contract_ref", "kind", "period_start", "period_end", "due_date"]
    assert str(got["due_date"].dtype) == "datetime64[ns]"


def test_expected_returns_monthly_workforce_and_leap_february() -> None:
    reg = register_of(
        contract(start_date=D(2024, 2, 1), returns={"workforce": {"frequency": "monthly", "due_days": 1}})
    )
    assert rows(reg.expected_returns(D(2024, 3, 1))) == [
        ("C-1", "workforce", D(2024, 2, 1), D(2024, 2, 29), D(2024, 3, 1)),
    ]


def test_expected_returns_match_contract_expected_periods() -> None:
    reg = register_of(contract(start_date=D(2023, 11, 20), end_date=D(2027, 6, 1), returns=BOTH))
    got = reg.expected_returns(D(2026, 8, 14))
    c = reg.contracts["C-1"]
    for kind in ("payroll", "workforce"):
        want = [(p.start, p.end) for p in c.expected_periods(kind, D(2026, 8, 14))]
        part = got[got["kind"] == kind]
        assert [(s.date(), e.date()) for s, e in zip(part["period_start"], part["period_end"], strict=False)] == want


def test_schedule_for() -> None:
    reg = register_of(contract())
    assert reg.schedule_for("C-1", "payroll") == ReturnSchedule("payroll", "monthly", 15)
    assert reg.schedule_for("C-1", "workforce") is None
    with pytest.raises(KeyError):
        reg.schedule_for("NOPE", "payroll")


@pytest.mark.parametrize(
    "kind, start, end, as_of, problem",
    [
        ("payroll", D(2025, 6, 1), D(2025, 6, 30), None, None),
        ("workforce", D(2025, 7, 1), D(2025, 9, 30), None, None),
        (
            "workforce",
            D(2025, 7, 1),
            D(2025, 7, 31),
            None,
            "workforce returns for C-1 cover one calendar quarter; 2025-07-01 to 2025-07-31 is not one",
        ),
        (
            "payroll",
            D(2025, 6, 1),
            D(2025, 6, 29),
            None,
            "payroll returns for C-1 cover one calendar month; 2025-06-01 to 2025-06-29 is not one",
        ),
        (
            "payroll",
            D(2025, 5, 1),
            D(2025, 5, 31),
            None,
            "period 2025-05-01 to 2025-05-31 starts before the contract starts (2025-05-15)",
        ),
        (
            "workforce",
            D(2025, 4, 1),
            D(2025, 6, 30),
            None,
            "period 2025-04-01 to 2025-06-30 starts before the contract starts (2025-05-15)",
        ),
        (
            "payroll",
            D(2026, 3, 1),
            D(2026, 3, 31),
            None,
            "period 2026-03-01 to 2026-03-31 ends after the contract ends (2026-03-15)",
        ),
        (
            "payroll",
            D(2025, 9, 1),
            D(2025, 9, 30),
            D(2025, 9, 29),
            "period 2025-09-01 to 2025-09-30 has not ended by 2025-09-29",
        ),
        ("payroll", D(2025, 9, 1), D(2025, 9, 30), D(2025, 9, 30), None),
    ],
)
def test_is_expected_period(kind: str, start: date, end: date, as_of: date | None, problem: str | None) -> None:
    c = register_of(contract(start_date=D(2025, 5, 15), end_date=D(2026, 3, 15), returns=BOTH)).contracts["C-1"]
    assert c.period_problem(kind, start, end, as_of) == problem
    assert c.is_expected_period(kind, start, end, as_of) is (problem is None)


def test_kind_not_expected_is_not_a_period() -> None:
    c = register_of(contract()).contracts["C-1"]
    assert (
        c.period_problem("workforce", D(2025, 4, 1), D(2025, 6, 30)) == "contract C-1 does not expect workforce returns"
    )
    assert not c.is_expected_period("workforce", D(2025, 4, 1), D(2025, 6, 30))


def test_empty_file_and_pickled_error(tmp_path: Path) -> None:
    with pytest.raises(RegisterError) as err:
        load_register(write(tmp_path, ""))
    assert err.value.problems == ["the register needs a top-level 'contracts' list"]
    again = pickle.loads(pickle.dumps(err.value))
    assert again.problems == err.value.problems and str(again) == str(err.value)
