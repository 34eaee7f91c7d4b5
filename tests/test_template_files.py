"""The downloadable return templates (CSV and XLSX): built from the template definitions, read back by
the product's own reader as the right kind, and a filled-in template passes `gwp-monitor check`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from gwp_monitor.cli import main
from gwp_monitor.domain import templates
from gwp_monitor.domain.templates import KINDS, column_names, columns
from gwp_monitor.ingest.reading import read_return_file
from gwp_monitor.ingest.template_files import (
    EXPLANATION_HEADER,
    EXPLANATION_SHEET,
    RETURN_SHEET,
    TemplateError,
    template_bytes,
    template_filename,
)

EMPTY_FILE = "the file has a header but no data rows"


def _write(tmp_path: Path, kind: str, fmt: str) -> Path:
    path = tmp_path / template_filename(kind, fmt)
    path.write_bytes(template_bytes(kind, fmt))
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_csv_template_is_exactly_the_template_header(kind: str) -> None:
    data = template_bytes(kind, "csv")
    data.decode("utf-8")  # UTF-8, no BOM needed for the ASCII names
    assert list(csv.reader(io.StringIO(data.decode("utf-8")))) == [column_names(kind)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_blank_template_reads_back_as_its_kind_with_no_rows(tmp_path: Path, kind: str, fmt: str) -> None:
    read = read_return_file(_write(tmp_path, kind, fmt))
    assert read.kind == kind
    assert read.table is None  # no rows: nothing to validate
    assert [p.rule for p in read.problems] == [EMPTY_FILE]  # the only thing said of a blank template
    assert read.warnings == [] and read.missing_columns == frozenset()


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_return_sheet_is_first_frozen_bold_and_formatted(kind: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(kind, "xlsx")))
    assert book.sheetnames == [RETURN_SHEET, EXPLANATION_SHEET]  # the reader reads the first sheet
    sheet = book[RETURN_SHEET]
    header = [c.value for c in sheet[1]]
    assert header == column_names(kind)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    for i, column in enumerate(columns(kind), start=1):
        dimension = sheet.column_dimensions[openpyxl.utils.get_column_letter(i)]
        assert dimension.width >= len(column.name)
        expected = {"date": "dd/mm/yyyy", "text": "@"}.get(column.type)
        if column.unit == "gbp":
            expected = "#,##0.00"
        if expected:
            assert dimension.number_format == expected, column.name


@pytest.mark.parametrize("kind", KINDS)
def test_explanation_sheet_covers_every_column_from_the_definitions(kind: str) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(template_bytes(kind, "xlsx")))[EXPLANATION_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPLANATION_HEADER
    by_column = {r[0]: r for r in rows[1:]}
    assert list(by_column) == column_names(kind)
    for column in columns(kind):
        _, required, type_text, what, example = by_column[column.name]
        assert required == ("required" if column.required else "optional")
        assert type_text == templates.type_words(column)
        assert what == column.description and what  # every column is explained ...
        assert example == column.example and example  # ... with an example
        for choice in column.allowed:
            assert choice in type_text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_examples_of_the_definitions_make_a_valid_row(
    tmp_path: Path, capsys, register_path: Path, returns, kind: str, fmt: str
) -> None:
    """The examples suppliers are shown are values the product accepts (in UK form: £, %, day-first)."""
    row = {c.name: c.example for c in columns(kind)}
    row["contract_ref"] = returns.contract_ref  # the example reference is not in the test register
    path = _fill(tmp_path, kind, fmt, [row])
    assert main(["check", str(path), "--contracts", str(register_path), "--as-of", "2026-01-31"]) == 0, (
        capsys.readouterr().out
    )


def _fill(tmp_path: Path, kind: str, fmt: str, rows: list[dict[str, object]]) -> Path:
    """The downloaded template with rows typed in, as a supplier would fill it."""
    path = _write(tmp_path, kind, fmt)
    if fmt == "csv":
        with path.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            for row in rows:
                writer.writerow([row.get(name, "") for name in column_names(kind)])
        return path
    book = openpyxl.load_workbook(path)
    sheet = book[RETURN_SHEET]
    for row in rows:
        sheet.append([None if row.get(name, "") == "" else row[name] for name in column_names(kind)])
    book.save(path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_filled_in_templates_pass_check(tmp_path: Path, capsys, register_path: Path, returns, fmt: str) -> None:
    typed = (lambda r, k: returns.excel_typed(r, k)) if fmt == "xlsx" else (lambda r, k: r)
    payroll = _fill(
        tmp_path,
        "payroll",
        fmt,
        [typed(returns.payroll_row(period=returns.month(2025, 6), worker=i), "payroll") for i in (1, 2, 3)],
    )
    workforce = _fill(tmp_path, "workforce", fmt, [typed(returns.workforce_row(), "workforce")])
    code = main(
        ["check", str(payroll), str(workforce), "--contracts", str(register_path), "--as-of", "2026-01-31"]
        + ["--format", "json"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert '"status": "rejected"' not in out and out.count('"status": "accepted"') == 2


def test_unknown_kind_or_format_is_refused_with_the_choices() -> None:
    with pytest.raises(TemplateError, match="payroll or workforce"):
        template_bytes("pension", "csv")
    with pytest.raises(TemplateError, match="csv or xlsx"):
        template_filename("payroll", "xls")


def test_template_command_prints_csv_and_writes_xlsx(tmp_path: Path, capfdbinary, monkeypatch) -> None:
    assert main(["template", "workforce"]) == 0
    assert capfdbinary.readouterr().out == template_bytes("workforce", "csv")
    out = tmp_path / "mine.xlsx"
    assert main(["template", "payroll", "--format", "xlsx", "--out", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == [RETURN_SHEET, EXPLANATION_SHEET]
    monkeypatch.chdir(tmp_path)
    assert main(["template", "workforce", "--format", "xlsx"]) == 0
    assert (tmp_path / template_filename("workforce", "xlsx")).is_file()


def test_template_command_reports_an_unwritable_file(tmp_path: Path, capsys) -> None:
    assert main(["template", "payroll", "--out", str(tmp_path / "missing" / "t.csv")]) == 2
    assert "cannot write the template" in capsys.readouterr().err
