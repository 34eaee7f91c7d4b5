"""Text from a supplier's file, the register or the database is shown as it is, never interpreted
(issue 16, items 2 and 3): Rich markup such as ``[/x]`` in a contract_ref, a column header or a supplier
name cannot crash the output or restyle it, and CSV the product writes cannot carry a spreadsheet
formula (OWASP's CSV injection rule).
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from factories import contract, register_yaml

from gwp_monitor.cli import main

HOSTILE = "[/x]"
SEP = ("2025-09-01", "2025-09-30")


def test_markup_in_a_contract_ref_and_a_header_is_listed_as_problems_exit_1(tmp_path, returns, capsys):
    (tmp_path / "register.yaml").write_text(register_yaml(contract("H-1", start_date="2025-01-01")), encoding="utf-8")
    row = returns.paid_row("H-1", SEP, 1, "13.00")
    bad_ref = returns.csv(tmp_path / "bad-ref.csv", [{**row, "contract_ref": "[/x]H-1[bold]"}])
    bad_header = returns.csv(tmp_path / "bad-header.csv", [{**row, "[/x]": "1"}])
    code = main(["check", str(bad_ref), str(bad_header), "--contracts", str(tmp_path / "register.yaml")])
    out, err = capsys.readouterr()
    assert code == 1, err
    flat = "".join(out.split())
    assert "[/x]H-1[bold]" in flat and "[/x]" in flat.replace("[/x]H-1[bold]", "")
    assert "wouldberejected" in flat


def test_markup_in_register_text_is_printed_as_is_by_run_and_status(reporting_db_url, tmp_path, returns, capsys):
    (tmp_path / "register.yaml").write_text(
        register_yaml(contract("H-1", supplier_name=f"{HOSTILE} Care [bold red]Ltd", start_date="2025-09-01")),
        encoding="utf-8",
    )
    landing = tmp_path / "landing"
    landing.mkdir()
    returns.csv(landing / "[bold]x[x].csv", [returns.paid_row("H-1", SEP, 1, "13.00")])
    args = ["--contracts", str(tmp_path / "register.yaml"), "--landing", str(landing), "--db", reporting_db_url]
    assert main(["run", *args, "--as-of", "2025-11-10", "--quiet"]) == 0
    assert main(["status", "--db", reporting_db_url]) == 0
    out = "".join(capsys.readouterr().out.split())
    assert "[/x]Care[bold" in out and "red]Ltd" in out  # the table may wrap the name, but not eat it


@pytest.mark.parametrize("first", ["=", "+", "-", "@"])
def test_status_csv_escapes_values_a_spreadsheet_would_run_as_a_formula(reporting_db_url, tmp_path, first, capsys):
    name = f'{first}HYPERLINK("http://x","y") Ltd'
    (tmp_path / "register.yaml").write_text(
        register_yaml(contract("H-1", supplier_name=name, start_date="2025-09-01")), encoding="utf-8"
    )
    landing = tmp_path / "landing"
    landing.mkdir()
    args = ["--contracts", str(tmp_path / "register.yaml"), "--landing", str(landing), "--db", reporting_db_url]
    assert main(["run", *args, "--as-of", "2025-11-10", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["status", "--db", reporting_db_url, "--format", "csv"]) == 0
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["supplier_name"] == "'" + name
    assert row["contract_ref"] == "H-1" and row["open_breaches"] == "0"  # plain values untouched
    assert main(["status", "--db", reporting_db_url, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["supplier_name"].endswith("Ltd")  # JSON is data, not escaped


def test_csv_safe_prefixes_every_formula_trigger_and_leaves_numbers_alone():
    import pandas as pd

    from gwp_monitor.domain.formatting import csv_safe

    frame = pd.DataFrame({"text": ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "Acme", None], "n": [-1] * 8})
    safe = csv_safe(frame)
    assert safe["text"].tolist()[:7] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "Acme"]
    assert safe["text"].isna().tolist()[7] and safe["n"].tolist() == [-1] * 8
