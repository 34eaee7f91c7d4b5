"""Reading a supplier's file (reading.py) and typing it into submissions (prepare.py), without GX:
header matching, kind from columns, encodings, row numbers, CSV/XLSX parity, value parsing,
grouping into submissions with a content hash, and the size limits."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from gwp_monitor.domain.templates import monthly_column_names
from gwp_monitor.ingest.intake import take_in
from gwp_monitor.ingest.prepare import prepare
from gwp_monitor.ingest.reading import DEFAULT_MAX_BYTES, ReadLimits, read_return_file


def read_ok(path: Path, **kw):
    f = read_return_file(path, **kw)
    assert not f.unreadable, [p.describe() for p in f.problems]
    assert f.problems == []
    return f


def pay_rows(returns, n=2, **cells):
    return [returns.payroll_row(worker=i + 1, **cells) for i in range(n)]


# --- header and kind --------------------------------------------------------------------------------


def test_header_names_are_trimmed_and_matched_case_insensitively(returns, write_return):
    rows = pay_rows(returns)
    messy = {name: f"  {name.upper() if i % 2 else name.title()} \t" for i, name in enumerate(rows[0])}
    path = write_return("messy.csv", [{messy[k]: v for k, v in r.items()} for r in rows], columns=list(messy.values()))
    f = read_ok(path)
    assert f.kind == "payroll"
    assert f.table.column_names == monthly_column_names("payroll")
    assert f.table.column("worker_ref").to_pylist() == ["W00001", "W00002"]


def test_column_order_does_not_matter(returns, write_return):
    rows = pay_rows(returns)
    f = read_ok(write_return("reordered.csv", rows, columns=list(reversed(list(rows[0])))))
    assert set(f.table.column_names) == set(monthly_column_names("payroll"))
    assert f.table.column("basic_pay").to_pylist() == ["2025.00", "2025.00"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("workforce-2025-q2.csv", "payroll"),
        ("payroll-2025-06.xlsx", "workforce"),
        ("return.txt", "payroll"),
        ("RETURN", "workforce"),
    ],
)
def test_kind_is_told_from_the_columns_not_the_file_name(returns, write_return, name, kind):
    rows = pay_rows(returns) if kind == "payroll" else [returns.workforce_row()]
    assert read_ok(write_return(name, rows)).kind == kind


def test_optional_columns_may_be_left_out(returns, write_return):
    rows = pay_rows(returns)
    columns = [c for c in rows[0] if c not in ("employer", "hourly_rate", "gender")]
    f = read_ok(write_return("short.csv", rows, columns=columns))
    assert f.table.column_names == columns
    frame = prepare([f], "payroll").frame
    assert frame["hourly_rate"].isna().all() and frame["gender"].isna().all()


def test_missing_required_column_and_unknown_column_are_file_problems(returns, write_return):
    rows = [{**r, "notes": "ok"} for r in pay_rows(returns)]
    columns = [c for c in rows[0] if c != "london"]
    f = read_return_file(write_return("odd.csv", rows, columns=columns))
    assert f.kind == "payroll" and f.table is not None  # the rows can still be checked and reported
    assert [p.describe() for p in f.problems] == ["london: required column is missing from the payroll template header"]
    assert [p.describe() for p in f.warnings] == [
        "(header): 'notes' is not a payroll template column: it was ignored and not stored"
    ]
    assert "notes" not in f.table.column_names


def test_empty_trailing_columns_as_spreadsheets_export_them_are_ignored(returns, tmp_path):
    rows = pay_rows(returns)
    text = ",".join(rows[0]) + ",,\n" + "".join(",".join(r.values()) + ",,\n" for r in rows)
    path = tmp_path / "trailing.csv"
    path.write_text(text)
    assert read_ok(path).table.num_rows == 2


# --- values and row numbers ------------------------------------------------------------------------


def test_cells_are_trimmed_and_blank_cells_are_missing(returns, write_return):
    rows = pay_rows(returns, employer="  Test Care Ltd  ", gender="   ")
    f = read_ok(write_return("spaces.csv", rows))
    assert f.table.column("employer").to_pylist() == ["Test Care Ltd"] * 2
    assert f.table.column("gender").to_pylist() == [None, None]


def test_row_numbers_are_the_suppliers_with_header_as_row_1(returns, tmp_path):
    rows = pay_rows(returns, n=3)
    header = ",".join(rows[0])
    lines = [
        header,
        "",
        ",".join(rows[0].values()),
        ",,,,,,,,,,,,,",
        "",
        ",".join(rows[1].values()),
        ",".join(rows[2].values()),
    ]
    path = tmp_path / "gaps.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    f = read_ok(path)
    # blank lines and a row of empty cells are skipped; the others keep their line numbers
    assert f.row_numbers.tolist() == [3, 6, 7]
    assert f.table.column("worker_ref").to_pylist() == ["W00001", "W00002", "W00003"]


def test_xlsx_row_numbers_count_empty_rows(returns, tmp_path):
    import openpyxl

    rows = pay_rows(returns, n=2)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    sheet.append(list(rows[0].values()))
    sheet.append([])
    sheet.append([None, None])
    sheet.append(list(rows[1].values()))
    book.save(tmp_path / "gaps.xlsx")
    assert read_ok(tmp_path / "gaps.xlsx").row_numbers.tolist() == [2, 5]


# --- encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le-bom", "utf-16-be-bom"])
def test_utf8_with_or_without_bom_and_utf16_with_bom_read_the_same(returns, tmp_path, encoding):
    rows = pay_rows(returns, employer="Café Ltd – Øresund £")
    reference = read_ok(returns.csv(tmp_path / "ref.csv", rows))
    if encoding.endswith("-bom"):
        codec = encoding.removesuffix("-bom")
        bom = "\ufeff".encode(codec)
        path = returns.csv(tmp_path / "enc.csv", rows, encoding=codec)
        path.write_bytes(bom + path.read_bytes())
    else:
        path = returns.csv(tmp_path / "enc.csv", rows, encoding=encoding)
    f = read_ok(path)
    assert f.table.equals(reference.table)
    assert f.table.column("employer").to_pylist()[0] == "Café Ltd – Øresund £"
    assert f.row_numbers.tolist() == [2, 3]


def test_a_bom_does_not_stick_to_the_first_column_name(returns, write_return):
    f = read_ok(write_return("bom.csv", pay_rows(returns), encoding="utf-8-sig"))
    assert f.table.column_names[0] == "contract_ref"


# --- CSV and XLSX alike ----------------------------------------------------------------------------


def test_xlsx_with_typed_cells_validates_like_the_csv(returns, tmp_path):
    rows = pay_rows(returns, n=3, apprentice="yes") + [
        returns.payroll_row(worker=9, hourly_rate="", basic_pay="1999.5")
    ]
    csv_file = read_ok(returns.csv(tmp_path / "r.csv", rows))
    xlsx_file = read_ok(returns.xlsx(tmp_path / "r.xlsx", [returns.excel_typed(r, "payroll") for r in rows]))
    assert xlsx_file.kind == "payroll"
    assert xlsx_file.row_numbers.tolist() == csv_file.row_numbers.tolist() == [2, 3, 4, 5]
    # Excel keeps 2025.00 as the number 2025 and a date as a date: the text differs, the typed values do not
    assert xlsx_file.table.column("period_start").to_pylist() == ["2025-06-01"] * 4
    assert xlsx_file.table.column("apprentice").to_pylist()[0] == "true"
    from_csv = prepare([csv_file], "payroll").frame
    from_xlsx = prepare([xlsx_file], "payroll").frame
    pd.testing.assert_frame_equal(from_csv, from_xlsx)


def test_xlsx_text_cells_read_as_written(returns, write_return):
    rows = pay_rows(returns)
    f = read_ok(write_return("text.xlsx", rows))
    assert f.table.to_pylist() == [{k: (v or None) for k, v in r.items()} for r in rows]


# --- typing values ---------------------------------------------------------------------------------


def test_booleans_accept_true_false_yes_no_y_n_1_0_in_any_case(returns, write_return):
    spellings = {
        "true": True,
        "TRUE": True,
        "True": True,
        "yes": True,
        "YES": True,
        "Yes": True,
        "y": True,
        "Y": True,
        "1": True,
        "false": False,
        "FALSE": False,
        "no": False,
        "No": False,
        "n": False,
        "N": False,
        "0": False,
    }
    rows = [returns.payroll_row(worker=i, apprentice=s, london=s) for i, s in enumerate(spellings)]
    rows += [returns.payroll_row(worker=90, apprentice="maybe", london="")]
    frame = prepare([read_ok(write_return("bools.csv", rows))], "payroll").frame
    assert frame["apprentice"].tolist()[:-1] == list(spellings.values())
    assert frame["london"].tolist()[:-1] == list(spellings.values())
    assert frame["apprentice__valid"].tolist() == [True] * len(spellings) + [False]  # present but not yes/no
    assert frame["london__valid"].isna().tolist() == [False] * len(spellings) + [True]  # blank: missing, not invalid
    assert frame["apprentice"].isna().iloc[-1]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("150", 150.0),
        ("150.25", 150.25),
        (".5", 0.5),
        ("150.", 150.0),
        ("+7", 7.0),
        ("-1", -1.0),
        ("1,200", 1200.0),  # thousands commas (spec 2.2)
        ("1,20", None),
        ("1.200,50", None),  # continental: ambiguous, stays a problem
        ("£12", None),  # a £ sign only in money columns
        ("1e3", None),
        ("12 h", None),
        ("twelve", None),
        ("0x10", None),
    ],
)
def test_decimals_are_numbers_with_thousands_commas_at_most(returns, write_return, text, value):
    frame = prepare([read_ok(write_return("n.csv", [returns.payroll_row(hours_paid=text)]))], "payroll").frame
    assert frame["hours_paid__valid"].iloc[0] == (value is not None)
    parsed = frame["hours_paid"].iloc[0]
    assert pd.isna(parsed) if value is None else parsed == value


@pytest.mark.parametrize(("text", "ok"), [("40", True), ("40.0", True), ("40.5", False), ("forty", False)])
def test_integers_allow_a_zero_fraction_only(returns, write_return, text, ok):
    frame = prepare([read_ok(write_return("i.csv", [returns.workforce_row(headcount=text)]))], "workforce").frame
    assert frame["headcount__valid"].iloc[0] == ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2024-02-29", True),
        ("2025-02-29", False),
        ("2025-6-1", False),
        ("01/06/2025", True),  # UK day-first (spec 2.2)
        ("1/6/2025", True),
        ("01-06-2025", True),
        ("31/06/2025", False),
        ("06/31/2025", False),
        ("2025/06/01", False),
        ("2025/13/01", False),
        ("2025-06-01T00:00", False),
    ],
)
def test_dates_are_real_iso_or_uk_day_first(returns, write_return, text, ok):
    frame = prepare([read_ok(write_return("d.csv", [returns.payroll_row(period_start=text)]))], "payroll").frame
    assert frame["period_start__valid"].iloc[0] == ok
    assert pd.isna(frame["period_start"].iloc[0]) != ok


# --- submissions and their content hash ------------------------------------------------------------


def _submissions(*files, kind="payroll") -> pd.DataFrame:
    return prepare([read_ok(f) for f in files], kind).submissions


def test_rows_are_grouped_by_contract_and_period(returns, write_return):
    june, july = returns.month(2025, 6), returns.month(2025, 7)
    rows = [
        returns.payroll_row(period=june, worker=1),
        returns.payroll_row(period=july, worker=1),
        returns.payroll_row(period=june, worker=1, contract_ref=returns.payroll_only_ref),
        returns.payroll_row(period=june, worker=2),
        returns.payroll_row(period=july, worker=2),
    ]
    subs = _submissions(write_return("mixed.csv", rows))
    got = {(s.contract_ref, s.period_start_text, s.period_end_text): s.row_count for s in subs.itertuples()}
    assert got == {
        (returns.contract_ref, *june): 2,
        (returns.contract_ref, *july): 2,
        (returns.payroll_only_ref, *june): 1,
    }
    assert subs["content_sha256"].nunique() == 3
    assert set(subs["kind"]) == {"payroll"}


def test_same_content_in_another_file_has_the_same_hash(returns, tmp_path):
    june = pay_rows(returns, n=3)
    july = [returns.payroll_row(period=returns.month(2025, 7), worker=i) for i in (1, 2)]
    first = returns.csv(tmp_path / "june.csv", june)
    # another file: the June rows among July's, columns reordered and upper-cased, a BOM and CRLF
    columns = list(reversed(list(june[0])))
    upper = [{k.upper(): v for k, v in r.items()} for r in [july[0], june[0], june[1], july[1], june[2]]]
    second = returns.csv(
        tmp_path / "both.csv", upper, columns=[c.upper() for c in columns], encoding="utf-8-sig", line_end="\r\n"
    )
    subs = _submissions(first, second)
    june_hashes = subs[subs["period_start_text"] == "2025-06-01"]["content_sha256"].tolist()
    assert len(june_hashes) == 2 and june_hashes[0] == june_hashes[1]
    assert len(june_hashes[0]) == 64 and int(june_hashes[0], 16) >= 0
    assert subs[subs["period_start_text"] == "2025-07-01"]["content_sha256"].iloc[0] != june_hashes[0]


@pytest.mark.parametrize("change", [{"basic_pay": "2025.01"}, {"worker_ref": "W00009"}, {"gender": ""}])
def test_changed_content_has_a_different_hash(returns, tmp_path, change):
    rows = pay_rows(returns, n=3)
    changed = [rows[0], {**rows[1], **change}, rows[2]]
    subs = _submissions(returns.csv(tmp_path / "a.csv", rows), returns.csv(tmp_path / "b.csv", changed))
    assert subs["content_sha256"].iloc[0] != subs["content_sha256"].iloc[1]


def test_file_hash_is_sha256_of_the_bytes(returns, write_return):
    path = write_return("r.csv", pay_rows(returns))
    assert read_ok(path).file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_received_at_is_the_files_last_modified_time_in_utc(returns, write_return):
    path = write_return("r.csv", pay_rows(returns))
    os.utime(path, (1_750_000_000, 1_750_000_000))
    assert read_ok(path).received_at == datetime.fromtimestamp(1_750_000_000, tz=UTC)
    given = datetime(2025, 7, 3, 9, 30, tzinfo=UTC)
    assert read_ok(path, received_at=given).received_at == given


# --- size limits -----------------------------------------------------------------------------------


def test_size_limit_refuses_a_file_over_it_and_accepts_one_at_it(returns, write_return):
    path = write_return("r.csv", pay_rows(returns))
    size = path.stat().st_size
    assert read_ok(path, limits=ReadLimits(max_bytes=size)).table.num_rows == 2
    over = read_return_file(path, limits=ReadLimits(max_bytes=size - 1))
    assert over.unreadable
    assert [p.column for p in over.problems] == ["(file)"]
    assert "over the" in over.problems[0].rule and "limit" in over.problems[0].rule


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("GWP_MAX_FILE_BYTES", raising=False)
    monkeypatch.delenv("GWP_MAX_LINE_BYTES", raising=False)
    assert ReadLimits.from_settings().max_bytes == DEFAULT_MAX_BYTES
    monkeypatch.setenv("GWP_MAX_FILE_BYTES", "1234")
    monkeypatch.setenv("GWP_MAX_LINE_BYTES", "99")
    assert ReadLimits.from_settings() == ReadLimits(max_bytes=1234, max_line_bytes=99)


def test_take_in_applies_gwp_max_file_bytes(returns, write_return, register, monkeypatch):
    small = write_return("small.csv", pay_rows(returns, n=1))
    big = write_return("big.csv", pay_rows(returns, n=40))
    monkeypatch.setenv("GWP_MAX_FILE_BYTES", str(big.stat().st_size - 1))
    # only the big file is read under this limit, and it is unreadable: no GX run is needed to see it
    intake = take_in([big], register, as_of=returns.as_of)
    (submission,) = intake.submissions
    assert submission.status == "rejected" and submission.kind is None
    assert "limit" in submission.problems[0].rule
    assert not read_return_file(small, ReadLimits.from_settings()).unreadable


def test_line_length_limit(returns, write_return):
    rows = pay_rows(returns, n=2)
    rows[1]["employer"] = "x" * 5000
    path = write_return("long.csv", rows)
    assert read_ok(path).table.num_rows == 2
    f = read_return_file(path, limits=ReadLimits(max_line_bytes=4096))
    assert f.unreadable and f.problems[0].rule.startswith("line 3 is longer than 4 KiB")
