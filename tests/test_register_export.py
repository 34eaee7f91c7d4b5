"""`gwp-monitor register export`: one supplier's part of the register, loadable by the product's own
loader, holding nothing about any other supplier, and usable for that supplier's `check`."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import QUARTERLY_WORKFORCE, contract, write_register

from gwp_monitor.cli import main
from gwp_monitor.config.register import load_register

OURS = "08064685"
THEIRS = "01234567"
OUR_CONTACTS = {"contract_manager": "care.contracts@council.example", "supplier": "returns@ourcare.example"}
THEIR_CONTACTS = {"contract_manager": "fm.contracts@council.example", "supplier": "payroll@theirclean.example"}


@pytest.fixture
def council_register(tmp_path: Path) -> Path:
    ours = {"supplier_id": OURS, "supplier_name": "Our Care Ltd", "contacts": OUR_CONTACTS}
    return write_register(
        tmp_path / "council.yaml",
        contract(
            "CARE-1",
            workforce=QUARTERLY_WORKFORCE,
            commitments=["real_living_wage", {"type": "max_zero_hours_share", "max": 0.05}],
            **ours,
        ),
        contract("CLEAN-9", supplier_id=THEIRS, supplier_name="Their Cleaning Ltd", contacts=THEIR_CONTACTS),
        contract("CARE-2", start_date="2024-04-01", end_date="2027-03-31", **ours),
    )


def export(capsys, register: Path, supplier_id: str, *more: str) -> tuple[int, str, str]:
    code = main(["register", "export", "--supplier-id", supplier_id, "--contracts", str(register), *more])
    out, err = capsys.readouterr()
    return code, out, err


def test_export_holds_exactly_the_suppliers_contracts_as_the_council_wrote_them(
    tmp_path: Path, capsys, council_register: Path
) -> None:
    out = tmp_path / "ours.yaml"
    code, printed, _ = export(capsys, council_register, OURS, "--out", str(out))
    assert code == 0 and "(2 contract(s))" in " ".join(printed.split())  # rich wraps long lines
    exported, full = load_register(out), load_register(council_register)
    assert sorted(exported.contracts) == ["CARE-1", "CARE-2"]
    for ref, c in exported.contracts.items():
        assert c == full.contracts[ref]  # schedules, dates, commitments, supplier as written
        assert dict(c.contacts) == OUR_CONTACTS and dict(c.returns) == dict(full.contracts[ref].returns)
    text = out.read_text(encoding="utf-8")
    for other in (THEIRS, "Their Cleaning", "CLEAN-9", *THEIR_CONTACTS.values()):
        assert other not in text


def test_export_is_printed_without_out_and_keeps_leading_zeros_for_any_yaml_reader(
    tmp_path: Path, capsys, council_register: Path
) -> None:
    import yaml

    code, printed, _ = export(capsys, council_register, OURS)
    assert code == 0 and printed.startswith("# Contract register for Our Care Ltd (supplier_id 08064685)")
    plain = yaml.safe_load(printed)  # not the product's verbatim loader: a plain reader keeps the id too
    assert {c["supplier"]["supplier_id"] for c in plain["contracts"]} == {OURS}
    (tmp_path / "printed.yaml").write_text(printed, encoding="utf-8")
    assert sorted(load_register(tmp_path / "printed.yaml").contracts) == ["CARE-1", "CARE-2"]


def test_unquoted_supplier_id_in_the_council_file_is_matched_as_written(tmp_path: Path, capsys) -> None:
    register = tmp_path / "hand-written.yaml"
    register.write_text(
        "contracts:\n"
        "  - contract_ref: NCC-1\n    title: Home care\n"
        "    supplier: {supplier_id: 08064685, name: Our Care Ltd}\n"
        "    start_date: 2025-04-01\n    returns: {payroll: {frequency: monthly, due_days: 15}}\n",
        encoding="utf-8",
    )
    code, printed, _ = export(capsys, register, OURS)
    assert code == 0 and '"08064685"' in printed and '"2025-04-01"' in printed


def test_unknown_supplier_is_a_clear_error_exit_2(capsys, council_register: Path) -> None:
    code, out, err = export(capsys, council_register, "99999999")
    assert code == 2 and out == ""
    assert "no contract in the register" in err and "supplier_id '99999999'" in err
    code, _, err = export(capsys, council_register, "8064685")  # the leading zero lost
    assert code == 2 and "did you mean 08064685?" in err


def test_invalid_register_is_refused_exit_2(tmp_path: Path, capsys) -> None:
    bad = write_register(tmp_path / "bad.yaml", contract("X-1", start_date="2025-04-01", end_date="2025-01-01"))
    code, out, err = export(capsys, bad, OURS)
    assert code == 2 and "is invalid" in err and "end_date" in out


def test_out_may_not_overwrite_the_register(capsys, council_register: Path) -> None:
    before = council_register.read_bytes()
    code, _, err = export(capsys, council_register, OURS, "--out", str(council_register))
    assert code == 2 and "is the register itself" in err
    assert council_register.read_bytes() == before


def test_suppliers_check_with_the_export_knows_its_contracts_only(
    tmp_path: Path, capsys, council_register: Path, returns
) -> None:
    mine = tmp_path / "mine.yaml"
    assert export(capsys, council_register, OURS, "--out", str(mine))[0] == 0
    june = returns.month(2025, 6)
    good = returns.csv(tmp_path / "good.csv", [returns.payroll_row(period=june, contract_ref="CARE-1")])
    assert main(["check", str(good), "--contracts", str(mine), "--as-of", "2026-01-31"]) == 0
    capsys.readouterr()
    foreign = returns.csv(tmp_path / "foreign.csv", [returns.payroll_row(period=june, contract_ref="CLEAN-9")])
    assert main(["check", str(foreign), "--contracts", str(mine), "--as-of", "2026-01-31", "--format", "json"]) == 1
    assert "is not a contract in the register" in capsys.readouterr().out


def test_for_supplier_is_the_register_a_check_on_the_suppliers_behalf_uses(
    tmp_path: Path, council_register: Path, returns
) -> None:
    """In memory (the portal's upload): another supplier's contract is answered like a contract that does
    not exist, so the answer reveals nothing about it."""
    from gwp_monitor.config.register_export import UnknownSupplier, for_supplier
    from gwp_monitor.ingest.intake import take_in

    full = load_register(council_register)
    ours = for_supplier(full, f" {OURS} ")
    assert sorted(ours.contracts) == ["CARE-1", "CARE-2"] and all(
        ours.contracts[r] == full.contracts[r] for r in ours.contracts
    )
    june = returns.month(2025, 6)
    theirs = returns.csv(tmp_path / "theirs.csv", [returns.payroll_row(period=june, contract_ref="CLEAN-9")])
    nobody = returns.csv(tmp_path / "nobody.csv", [returns.payroll_row(period=june, contract_ref="NO-SUCH-1")])
    said = [s.problems for s in take_in([theirs, nobody], ours).submissions]
    assert said[0] == said[1] and said[0]
    with pytest.raises(UnknownSupplier):
        for_supplier(full, "99999999")
