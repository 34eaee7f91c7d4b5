"""Unreadable and hostile files: each is refused with one clear reason (never the catch-all "could
not be read"), nothing raises, no file content is echoed back, and in a folder of them the good
return still goes through."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from gwp_monitor.ingest.intake import take_in
from gwp_monitor.ingest.reading import read_return_file

CATCH_ALL = "could not be read"
MACROS = "macro-enabled workbooks are not accepted"
OLE = "password-protected or in the old .xls format"


def _good_text(returns) -> str:
    rows = [returns.payroll_row(worker=i) for i in (1, 2)]
    return ",".join(rows[0]) + "\n" + "".join(",".join(r.values()) + "\n" for r in rows)


def _xlsx_bytes(rows, extra_parts: dict[str, bytes] | None = None) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if not extra_parts:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        for name, data in extra_parts.items():
            dst.writestr(name, data)
    return out.getvalue()


def _good_sheet(returns) -> list[list]:
    row = returns.payroll_row()
    return [list(row), list(row.values())]


def _with_formula(returns) -> list[list]:
    header, values = _good_sheet(returns)
    values[header.index("basic_pay")] = "=K2*13.5"
    return [header, values]


def _zip_of(**parts: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


Maker = Callable[[object], bytes]

#: name -> (file content from the good-row builder, words the one reason must contain)
UNREADABLE: dict[str, tuple[Maker, str]] = {
    "empty.csv": (lambda r: b"", "the file is empty"),
    "blank_lines.csv": (lambda r: b" \r\n\t\n\n", "the file is empty"),
    "bom_only.csv": (lambda r: b"\xef\xbb\xbf\r\n", "the file is empty"),
    "utf16_bom_only.csv": (lambda r: b"\xff\xfe", "the file is empty"),
    "header_only.csv": (lambda r: _good_text(r).splitlines(keepends=True)[0].encode(), "has a header but no data rows"),
    "header_and_blank_rows.csv": (
        lambda r: (_good_text(r).splitlines()[0] + "\n" + ("," * 13 + "\n") * 3).encode(),
        "no data rows",
    ),
    "header_only.xlsx": (lambda r: _xlsx_bytes(_good_sheet(r)[:1]), "has a header but no data rows"),
    "empty_sheet.xlsx": (lambda r: _xlsx_bytes([]), "the first sheet of the workbook is empty"),
    "binary_image.csv": (
        lambda r: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "binary file, not a CSV",
    ),
    "program.csv": (lambda r: b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 512, "binary file, not a CSV"),
    "utf16_without_bom.csv": (lambda r: _good_text(r).encode("utf-16-le"), "binary file"),
    "windows_1252.csv": (
        lambda r: _good_text(r).replace("Test Care Ltd", "Caf\u00e9 \u00a3 Ltd").encode("cp1252"),
        "not UTF-8 text (first bad byte on line 2, probably Windows-1252",
    ),
    "latin1_header.csv": (
        lambda r: ("r\u00e9f," + _good_text(r)).encode("latin-1"),
        "not UTF-8 text (first bad byte on line 1",
    ),
    "formula_cell.xlsx": (
        lambda r: _xlsx_bytes(_with_formula(r)),
        "1 cell(s) hold formulas (first: L2): copy and paste as values",
    ),
    "macros.xlsm": (lambda r: _xlsx_bytes(_good_sheet(r)), MACROS),
    "macros_renamed.xlsx": (
        lambda r: _xlsx_bytes(_good_sheet(r), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0vba"}),
        MACROS,
    ),
    "password_protected.xlsx": (lambda r: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, OLE),
    "old_format.xls": (lambda r: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 1024, OLE),
    "damaged.xlsx": (lambda r: b"PK\x03\x04" + b"\x00garbage" * 64, "the workbook is damaged"),
    "zip_not_a_workbook.xlsx": (
        lambda r: _zip_of(**{"readme.txt": b"hello"}),
        "this zip file is not an Excel workbook",
    ),
    "text_named_xlsx.xlsx": (lambda r: _good_text(r).encode(), "this is not an XLSX workbook"),
    "document.pdf": (lambda r: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "'.pdf' files are not accepted"),
    "semicolons.csv": (lambda r: _good_text(r).replace(",", ";").encode(), "separated by semicolons, not commas"),
    "tabs.csv": (lambda r: _good_text(r).replace(",", "\t").encode(), "separated by tabs, not commas"),
    "unquoted_comma.csv": (
        lambda r: _good_text(r).replace("Test Care Ltd", "Test Care, Ltd").encode(),
        "2 row(s) do not have 14 fields like the header (rows 2, 3)",
    ),
    "unclosed_quote.csv": (
        lambda r: _good_text(r).replace("Test Care Ltd", '"Test Care Ltd', 1).encode(),
        "do not have 14 fields like the header (rows 2)",
    ),
    "duplicate_header.csv": (
        lambda r: _good_text(r).replace("gender", " Worker_Ref ", 1).encode(),
        "column 'worker_ref' appears twice (columns 4 and 14)",
    ),
    "unrecognised_header.csv": (
        lambda r: b"name,salary,ni_number\nJo Bloggs,21000,AB123456C\n",
        "no recognisable header",
    ),
    "data_without_header.csv": (
        lambda r: "".join(_good_text(r).splitlines(keepends=True)[1:]).encode(),
        "no recognisable header",
    ),
    "keys_only_header.csv": (
        lambda r: b"contract_ref,period_start,period_end\nTST-001,2025-06-01,2025-06-30\n",
        "no recognisable header",
    ),
    "huge_line.csv": (
        lambda r: _good_text(r).replace("Test Care Ltd", "x" * 100_000, 1).encode(),
        "line 2 is longer than 64 KiB",
    ),
    "one_huge_line.csv": (lambda r: b"A" * 3_000_000, "line 1 is longer than 64 KiB"),
}


def test_there_are_at_least_15_unreadable_kinds():
    assert len(UNREADABLE) >= 15


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_unreadable_file_is_refused_with_one_clear_reason(returns, tmp_path, name):
    make, reason = UNREADABLE[name]
    path = tmp_path / name
    path.write_bytes(make(returns))
    f = read_return_file(path)
    assert f.unreadable
    # a header without rows is still told apart (a blank downloaded template is recognised); nothing else is
    assert f.kind == ("payroll" if "no data rows" in reason else None)
    assert len(f.problems) == 1, [p.describe() for p in f.problems]
    (problem,) = f.problems
    assert problem.column == "(file)" and problem.rows == 0
    assert reason in problem.rule, problem.rule
    assert CATCH_ALL not in problem.rule  # every hostile file here has its own reason
    assert "Caf" not in problem.rule and "Jo Bloggs" not in problem.rule and "xxxx" not in problem.rule


def test_missing_file_is_a_problem_not_an_exception(tmp_path):
    f = read_return_file(tmp_path / "gone.csv")
    assert f.unreadable and "cannot open the file" in f.problems[0].rule


def test_csv_in_an_xlsx_wrapper_and_classic_mac_line_ends_are_read(returns, tmp_path):
    (tmp_path / "workbook_named_csv.csv").write_bytes(_xlsx_bytes(_good_sheet(returns)))
    (tmp_path / "mac.csv").write_bytes(_good_text(returns).replace("\n", "\r").encode())
    for name, rows in (("workbook_named_csv.csv", [2]), ("mac.csv", [2, 3])):
        f = read_return_file(tmp_path / name)
        assert not f.unreadable and f.problems == [], name
        assert f.row_numbers.tolist() == rows


# --- readable files with hostile content: row-level and column-level problems ---------------------


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory, returns, register):
    """Every unreadable file above, plus readable ones with hostile content, plus one good return,
    taken in together as a landing folder would be (one GX run)."""
    folder = tmp_path_factory.mktemp("landing")
    for name, (make, _) in UNREADABLE.items():
        (folder / name).write_bytes(make(returns))
    june = returns.month(2025, 6)
    returns.csv(folder / "good.csv", [returns.payroll_row(period=june, worker=i) for i in (1, 2)])
    injection = [
        returns.payroll_row(period=returns.month(2025, 7), worker=1),
        returns.payroll_row(period=returns.month(2025, 7), worker=2, employer="=cmd|' /C calc'!A0"),
    ]
    returns.csv(folder / "injection.csv", injection)
    unknown = [
        {**returns.payroll_row(period=returns.month(2025, 8)), "salary_bonus": "999.99", "NI Number": "AB123456C"}
    ]
    returns.csv(folder / "unknown_columns.csv", unknown)
    returns.csv(
        folder / "headerless_column.csv", [{**returns.payroll_row(period=returns.month(2025, 9)), "": "surprise"}]
    )
    files = sorted(folder.iterdir())
    return take_in(files, register, as_of=returns.as_of), folder


def _by_file(intake):
    out = {}
    for s in intake.submissions:
        out.setdefault(s.file_name, []).append(s)
    return out


def test_a_folder_of_hostile_files_does_not_stop_the_good_return(hostile_folder):
    intake, folder = hostile_folder
    by_file = _by_file(intake)
    assert set(by_file) == {p.name for p in folder.iterdir()}  # nothing lost silently
    (good,) = by_file["good.csv"]
    assert good.status == "accepted" and good.row_count == 2
    for name, (_, reason) in UNREADABLE.items():
        (s,) = by_file[name]
        assert s.status == "rejected" and s.kind is None and s.row_count == 0
        assert [p.column for p in s.problems] == ["(file)"] and reason in s.problems[0].rule


def test_csv_injection_in_a_text_field_is_rejected_without_echoing_it(hostile_folder):
    (s,) = _by_file(hostile_folder[0])["injection.csv"]
    assert s.status == "rejected" and s.row_count == 2
    assert [(p.column, p.first_rows) for p in s.problems] == [("employer", (3,))]
    assert "spreadsheet formula" in s.problems[0].rule
    assert all("cmd" not in p.describe() for p in s.problems)


def test_unknown_columns_are_ignored_with_a_warning_and_personal_ones_flagged(hostile_folder):
    """Spec 2.2: a column outside the template is ignored and never stored, with a warning; one that looks
    like personal data asks the supplier to remove it. Neither rejects the return nor quotes a value."""
    (s,) = _by_file(hostile_folder[0])["unknown_columns.csv"]
    assert s.status == "accepted" and s.kind == "payroll"
    assert sorted(p.rule for p in s.warnings) == [
        "'NI Number' looks like personal data (names, e-mail, NI numbers, dates of birth, addresses): "
        "it was ignored and not stored; please remove it from future returns",
        "'salary_bonus' is not a payroll template column: it was ignored and not stored",
    ]
    assert all("999.99" not in p.describe() and "AB123456C" not in p.describe() for p in s.warnings)


def test_values_in_a_column_without_header_are_ignored_with_a_warning(hostile_folder):
    (s,) = _by_file(hostile_folder[0])["headerless_column.csv"]
    assert s.status == "accepted"
    assert [p.describe() for p in s.warnings] == [
        "(header): column 15 (no header) is not a payroll template column: it was ignored and not stored"
    ]
    assert all("surprise" not in p.describe() for p in s.warnings)
