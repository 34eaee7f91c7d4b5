"""`gwp-monitor check FILE` without a contract register: the template rules are checked exactly as with
one, and the contract rules it could not check are listed with how to get a register."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwp_monitor.cli import main
from gwp_monitor.domain.templates import column_names
from gwp_monitor.ingest.intake import CONTRACT_RULES_NEEDING_REGISTER

AS_OF = "2026-01-31"


@pytest.fixture(autouse=True)
def _no_register_in_environment(monkeypatch) -> None:
    monkeypatch.delenv("GWP_REGISTER", raising=False)


def check(capsys, *argv: object) -> tuple[int, str, str]:
    code = main(["check", *map(str, argv), "--as-of", AS_OF])
    out = capsys.readouterr()
    return code, out.out, out.err


def check_json(capsys, *argv: object) -> tuple[int, list[dict]]:
    code, out, err = check(capsys, *argv, "--format", "json")
    assert err == ""
    return code, json.loads(out)


def test_clean_file_passes_the_template_rules_and_says_what_was_not_checked(capsys, tmp_path, returns) -> None:
    rows = [returns.payroll_row(worker=i) for i in (1, 2)]
    good = returns.csv(tmp_path / "june.csv", rows)
    code, out, err = check(capsys, good)
    assert (code, err) == (0, "")
    text = " ".join(out.split())  # the console wraps long lines
    assert "All 1 submission(s) pass the template rules." in text
    assert "ready to send" not in text  # not claimed without the contract rules
    assert "Checked without the contract register" in text
    for rule in CONTRACT_RULES_NEEDING_REGISTER:
        assert " ".join(rule.split()) in text
    assert "gwp-monitor register export --supplier-id YOUR_ID" in text and "--contracts" in text


def test_json_lists_the_unchecked_rules_on_every_submission(capsys, tmp_path, returns) -> None:
    payroll = returns.csv(tmp_path / "june.csv", [returns.payroll_row()])
    workforce = returns.xlsx(tmp_path / "q2.xlsx", [returns.excel_typed(returns.workforce_row(), "workforce")])
    code, report = check_json(capsys, payroll, workforce)
    assert code == 0
    assert sorted((s["kind"], s["status"]) for s in report) == [("payroll", "accepted"), ("workforce", "accepted")]
    assert all(s["not_checked"] == list(CONTRACT_RULES_NEEDING_REGISTER) for s in report)


def _broken(returns) -> list[dict[str, str]]:
    """One of each template rule broken: value, type, duplicate, pay period, UK format."""
    june = returns.month(2025, 6)
    return [
        returns.payroll_row(period=june, worker=1, hours_paid="-5"),
        returns.payroll_row(period=june, worker=2, basic_pay="2.025,00"),  # a decimal comma stays ambiguous
        returns.payroll_row(period=june, worker=3, age_band="adult"),
        returns.payroll_row(period=june, worker=3, age_band="21_plus"),  # worker 3 twice
        returns.payroll_row(period=june, worker=4, pay_period_start="2025-06-02"),  # no pay_period_end
        returns.payroll_row(period=june, worker=5, apprentice="maybe", period_start="01/06/2025"),
    ]


def test_template_problems_are_the_same_as_with_the_register(capsys, tmp_path, returns, register_path) -> None:
    bad = returns.csv(tmp_path / "bad.csv", _broken(returns), column_names("payroll"))
    code, without = check_json(capsys, bad)
    assert code == 1
    code_with, with_register = check_json(capsys, bad, "--contracts", register_path)
    assert code_with == 1
    assert [s["problems"] for s in without] == [s["problems"] for s in with_register]
    columns = {p["column"] for s in without for p in s["problems"]}
    assert {"hours_paid", "basic_pay", "age_band", "worker_ref", "apprentice"} <= columns
    assert any("pay_period" in c for c in columns)
    assert any(w["note"] == "1 date read as day/month/year" for s in without for w in s["warnings"])
    assert "£" not in json.dumps(without) and "2.025" not in json.dumps(without)  # values never echoed


def test_missing_column_and_unreadable_file_are_reported(capsys, tmp_path, returns) -> None:
    row = returns.payroll_row()
    no_hours = returns.csv(tmp_path / "no-hours.csv", [row], [c for c in row if c != "hours_paid"])
    binary = tmp_path / "scan.csv"
    binary.write_bytes(b"\x00\x01\x02binary")
    code, report = check_json(capsys, no_hours, binary)
    assert code == 1
    by_file = {s["file"]: s for s in report}
    assert any(p["column"] == "hours_paid" for p in by_file["no-hours.csv"]["problems"])
    assert "binary" in by_file["scan.csv"]["problems"][0]["rule"]


def test_a_week_as_the_period_is_still_refused(capsys, tmp_path, returns) -> None:
    """The return is monthly whatever the pay frequency: a template rule, checked without a register."""
    week = returns.csv(tmp_path / "week.csv", [returns.payroll_row(period=("2025-06-02", "2025-06-08"))])
    code, report = check_json(capsys, week)
    assert code == 1
    assert any("calendar month" in p["rule"] for p in report[0]["problems"])


def test_a_period_that_has_not_ended_is_refused_without_a_contract(capsys, tmp_path, returns) -> None:
    future = returns.csv(tmp_path / "future.csv", [returns.payroll_row(period=returns.month(2026, 2))])
    code, report = check_json(capsys, future)
    assert code == 1
    assert [p["rule"] for p in report[0]["problems"]] == ["period 2026-02-01 to 2026-02-28 has not ended by 2026-01-31"]


def test_contract_rules_are_left_to_the_register(capsys, tmp_path, returns, register_path) -> None:
    """An unknown contract passes without the register (and says it was not checked); with it, it is refused."""
    unknown = returns.csv(tmp_path / "other.csv", [returns.payroll_row(contract_ref="NOT-OURS-1")])
    code, report = check_json(capsys, unknown)
    assert code == 0 and report[0]["status"] == "accepted"
    assert any("contract_ref" in rule for rule in report[0]["not_checked"])
    code, report = check_json(capsys, unknown, "--contracts", register_path)
    assert code == 1 and report[0]["not_checked"] == []
    assert "is not a contract in the register" in report[0]["problems"][0]["rule"]


def test_help_says_how_to_check_without_a_register(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Without a register" in text and "register export" in text


def test_a_given_register_that_is_missing_is_still_an_error(capsys, tmp_path: Path, returns) -> None:
    good = returns.csv(tmp_path / "june.csv", [returns.payroll_row()])
    code, out, err = check(capsys, good, "--contracts", tmp_path / "nope.yaml")
    assert code == 2 and "file not found" in " ".join(out.split()) and "is invalid" in err
