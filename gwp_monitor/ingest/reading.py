"""Reading supplier files (CSV or XLSX) into a table of trimmed text, never raising.

Whatever a supplier sends, the outcome is a `ReturnFile`: either a table with the supplier's row
numbers and the return kind told from the columns, or a clear reason why the file cannot be used.
Values stay text here; typing them is `prepare`'s job, so that a bad value becomes a row-level problem
rather than a failed read. Error messages never quote file content (it may hold pay data).
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gwp_monitor.config.settings import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LINE_BYTES, Settings, current_settings
from gwp_monitor.domain.problems import Problem, file_problem
from gwp_monitor.domain.templates import Kind
from gwp_monitor.ingest.headers import detect_kind, match_header
from gwp_monitor.ingest.landed import Delivery, delivery_of

__all__ = ["ReadLimits", "ReturnFile", "detect_kind", "read_return_file"]

DEFAULT_MAX_BYTES = DEFAULT_MAX_FILE_BYTES
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_SAVE_AS_HINT = "in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)' or 'Excel Workbook (.xlsx)'"


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ReadLimits:
        """GWP_MAX_FILE_BYTES / GWP_MAX_LINE_BYTES (default: the settings in force)."""
        settings = settings or current_settings()
        return cls(max_bytes=settings.max_file_bytes, max_line_bytes=settings.max_line_bytes)


@dataclass
class ReturnFile:
    """One supplier file as read. `table` is None when the file could not be used at all."""

    path: Path
    file_sha256: str
    received_at: datetime
    size: int
    kind: Kind | None = None
    table: pa.Table | None = None
    row_numbers: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    problems: list[Problem] = field(default_factory=list)
    #: What the supplier is told without rejecting anything: columns ignored, names normalised.
    warnings: list[Problem] = field(default_factory=list)
    #: Required template columns the header lacks (one file problem each, not one per row).
    missing_columns: frozenset[str] = frozenset()
    #: How the file arrived (ingest.landed); a file copied into the folder by hand has none.
    delivery: Delivery | None = None

    @property
    def name(self) -> str:
        """The name people see: the supplier's own file name where the deliverer recorded it."""
        return self.delivery.label if self.delivery else self.path.name

    @property
    def source(self) -> str:
        return self.delivery.source if self.delivery else "folder"

    @property
    def unreadable(self) -> bool:
        return self.table is None


class _Unreadable(Exception):
    """Internal: the file cannot be used; the message is the one reason the supplier is given."""


def read_return_file(
    path: Path | str, limits: ReadLimits | None = None, received_at: datetime | None = None
) -> ReturnFile:
    """Read one file; any failure becomes the file's single problem instead of an exception.

    The received time is, in order: `received_at`, the one its deliverer recorded (ingest.landed),
    the file's modification time."""
    path = Path(path)
    limits = limits or ReadLimits()
    return _read(path, limits, received_at, delivery_of(path))


def _read(path: Path, limits: ReadLimits, received_at: datetime | None, delivery: Delivery | None) -> ReturnFile:
    received_at = received_at or (delivery.received_at if delivery else None)
    try:
        stat = path.stat()
    except OSError as exc:
        return ReturnFile(
            path,
            "",
            received_at or datetime.now(UTC),
            0,
            problems=[file_problem(f"cannot open the file ({exc.strerror})")],
            delivery=delivery,
        )
    received = received_at or datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    result = ReturnFile(path, "", received, stat.st_size, delivery=delivery)
    try:
        if stat.st_size > limits.max_bytes:
            raise _Unreadable(
                f"the file is {stat.st_size / 1e6:.1f} MB, over the {limits.max_bytes / 1e6:.0f} MB limit: split it by contract or period"
            )
        data = path.read_bytes()
        result.file_sha256 = hashlib.sha256(data).hexdigest()
        if _blank(data):
            raise _Unreadable("the file is empty")
        suffix = path.suffix.lower()
        if (
            suffix == ".xlsx"
            or data.startswith(_ZIP_MAGIC)
            or data.startswith(_OLE_MAGIC)
            or suffix in (".xls", ".xlsm")
        ):
            header, table, rows = _read_xlsx(data, suffix)
        elif suffix in (".csv", ".txt", ""):
            header, table, rows = _read_csv(data, limits)
        else:
            raise _Unreadable(f"'{suffix}' files are not accepted: send CSV (UTF-8) or XLSX; {_SAVE_AS_HINT}")
        _adopt(result, header, table, rows)
    except _Unreadable as exc:
        result.table = None
        result.problems = [file_problem(str(exc))]
    except Exception as exc:  # noqa: BLE001 - a supplier file must never crash a run
        result.table = None
        result.problems = [file_problem(f"the file could not be read ({type(exc).__name__}); {_SAVE_AS_HINT}")]
    return result


def _adopt(result: ReturnFile, header: list[str], table: pa.Table, rows: np.ndarray) -> None:
    """Match headers to a template, tell the kind and keep only template columns (others are dropped
    here, so their values go no further: never typed, validated or stored)."""
    match = match_header(header, lambda i: table.column(i).null_count < table.num_rows)
    if match.kind is None:  # first: a data row in row 1 is "no header", not "column 'no' appears twice"
        raise _Unreadable(
            "no recognisable header: row 1 must hold the column names of the payroll or workforce template "
            "(e.g. contract_ref, period_start, period_end, worker_ref, hours_paid, basic_pay ...)"
        )
    if match.duplicate:
        raise _Unreadable(match.duplicate)
    result.problems.extend(match.problems)
    result.warnings.extend(match.warnings)
    result.missing_columns = match.missing
    table = table.select([i for i, _ in match.keep]).rename_columns([name for _, name in match.keep])
    table = pa.table({n: _clean_text(table.column(n)) for n in table.column_names})
    non_blank = _non_blank_rows(table)
    if not non_blank.all():
        table = table.filter(pa.array(non_blank))
        rows = rows[non_blank]
    if table.num_rows == 0:
        result.kind = match.kind  # an empty template is still recognised as its kind
        raise _Unreadable("the file has a header but no data rows")
    result.kind, result.table, result.row_numbers = match.kind, table, rows


def _clean_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    text = column.cast(pa.string())
    if not _may_need_cleaning(text):
        return text  # nothing to trim and no "" to blank: keep the column as read, not a second copy
    text = pc.utf8_trim_whitespace(text)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


#: First/last bytes that may be whitespace utf8_trim_whitespace removes: the ASCII ones it trims, and
#: every non-ASCII byte (a multi-byte character may be Unicode whitespace; those columns take the full path).
_MAYBE_SPACE = np.zeros(256, dtype=bool)
_MAYBE_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_MAYBE_SPACE[128:] = True


def _may_need_cleaning(text: pa.ChunkedArray) -> bool:
    """False only when no value is "" and none starts or ends with a byte that could be whitespace.

    Looks at each value's first and last byte straight from the Arrow buffers (no per-value work in
    Arrow or Python): most columns of most files pass, and trimming them would copy them for nothing.
    """
    for chunk in text.chunks:
        n = len(chunk)
        if n == 0:
            continue
        _, offsets, data = chunk.buffers()
        offsets = np.frombuffer(offsets, dtype=np.int32)[chunk.offset : chunk.offset + n + 1]
        lengths = np.diff(offsets)
        valid = chunk.is_valid().to_numpy(zero_copy_only=False)
        if (valid & (lengths == 0)).any():
            return True
        filled = valid & (lengths > 0)
        if not filled.any():
            continue
        data = np.frombuffer(data, dtype=np.uint8)
        if _MAYBE_SPACE[data[offsets[:-1][filled]]].any() or _MAYBE_SPACE[data[offsets[1:][filled] - 1]].any():
            return True
    return False


def _non_blank_rows(table: pa.Table) -> np.ndarray:
    if table.num_columns == 0:
        return np.zeros(table.num_rows, dtype=bool)
    any_value = np.zeros(table.num_rows, dtype=bool)
    for col in table.columns:
        any_value |= col.is_valid().to_numpy(zero_copy_only=False)
    return any_value


# --- CSV -------------------------------------------------------------------------------------------


def _blank(data: bytes) -> bool:
    """`not data.strip()` without copying the file: empty or nothing but ASCII whitespace."""
    return not data or data.isspace()


def _decode(data: bytes) -> bytes:
    """UTF-8 bytes without BOM, or a reason. UTF-16 with a BOM is detected reliably, so it is converted."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Unreadable("the file says it is UTF-16 but is not valid UTF-16; " + _SAVE_AS_HINT) from exc
    if b"\x00" in data[:65536]:
        raise _Unreadable("this is a binary file, not a CSV text file; " + _SAVE_AS_HINT)
    if data.isascii():
        return data  # ASCII is UTF-8: no need to decode a copy of the whole file to find out
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _Unreadable(
            f"the file is not UTF-8 text (first bad byte on line {line}, probably Windows-1252 or Latin-1); {_SAVE_AS_HINT}"
        ) from exc
    return data


def _line_lengths(data: bytes, chunk: int = 1 << 24) -> np.ndarray:
    buf = np.frombuffer(data, dtype=np.uint8)
    # 16 MiB at a time: a file-sized boolean temporary cost as much memory as the file, and time
    ends = np.concatenate(
        [np.flatnonzero(buf[i : i + chunk] == 10) + i for i in range(0, len(buf), chunk)] or [np.empty(0, np.int64)]
    )
    if len(ends) == 0 or ends[-1] != len(buf) - 1:
        ends = np.append(ends, len(buf))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    # a CRLF line's \r is not content
    has_cr = (lengths > 0) & (buf[np.minimum(ends - 1, len(buf) - 1)] == 13)
    return lengths - has_cr


def _read_csv(data: bytes, limits: ReadLimits) -> tuple[list[str], pa.Table, np.ndarray]:
    data = _decode(data)
    if _blank(data):
        raise _Unreadable("the file is empty")  # nothing but a byte-order mark and blank lines
    if b"\r" in data and b"\n" not in data:
        data = data.replace(b"\r", b"\n")  # classic Mac line ends (Excel's "CSV (Macintosh)")
    lengths = _line_lengths(data)
    if lengths.max(initial=0) > limits.max_line_bytes:
        bad = int(np.argmax(lengths > limits.max_line_bytes)) + 1
        raise _Unreadable(
            f"line {bad} is longer than {limits.max_line_bytes // 1024} KiB: this is not a return in the template layout"
        )
    line_numbers = np.flatnonzero(lengths > 0) + 1  # pyarrow skips empty lines; keep the supplier's numbering
    newline = data.find(b"\n")
    first = (data if newline < 0 else data[:newline]).decode("utf-8").rstrip("\r")  # not split(): no copy of the rest
    header = next(csv.reader([first]))
    if len(header) == 1 and (";" in first or "\t" in first):
        sep = "semicolons" if ";" in first else "tabs"
        raise _Unreadable(f"the columns are separated by {sep}, not commas: save as 'CSV UTF-8 (Comma delimited)'")
    bad_rows: list[int | None] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row.number)  # 1-based among non-empty lines, header included; None if unknown
        return "skip"

    def parse(use_threads: bool) -> pa.Table:
        bad_rows.clear()
        return pacsv.read_csv(
            pa.BufferReader(data),  # reads the bytes in place
            read_options=pacsv.ReadOptions(
                column_names=[f"c{i}" for i in range(len(header))],
                skip_rows=1,
                block_size=8 << 20,
                use_threads=use_threads,
            ),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )

    table = parse(use_threads=True)
    if bad_rows:
        if None in bad_rows:
            parse(use_threads=False)  # only the single-threaded reader knows the bad rows' numbers
        known = sorted(int(line_numbers[n - 1]) for n in bad_rows if n is not None and 0 < n <= len(line_numbers))
        where = f" (rows {', '.join(map(str, known[:10]))}{', ...' if len(known) > 10 else ''})" if known else ""
        raise _Unreadable(
            f"{len(bad_rows)} row(s) do not have {len(header)} fields like the header{where}: "
            "check for unquoted commas or missing values"
        )
    rows = line_numbers[1 : 1 + table.num_rows].astype(np.int64)
    return header, table, rows


# --- XLSX ------------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, suffix: str) -> tuple[list[str], pa.Table, np.ndarray]:
    import openpyxl  # imported here: only spreadsheet returns pay its import cost

    if data.startswith(_OLE_MAGIC):
        raise _Unreadable(
            "this workbook is password-protected or in the old .xls format: save it as .xlsx without a password, or as CSV UTF-8"
        )
    if not data.startswith(_ZIP_MAGIC):
        raise _Unreadable(f"this is not an XLSX workbook; {_SAVE_AS_HINT}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise _Unreadable(f"the workbook is damaged and cannot be opened; {_SAVE_AS_HINT}") from exc
    if "xl/vbaProject.bin" in names or suffix == ".xlsm":
        raise _Unreadable(
            "macro-enabled workbooks are not accepted: save as a plain .xlsx workbook (no macros) or CSV UTF-8"
        )
    if "xl/workbook.xml" not in names:
        raise _Unreadable(f"this zip file is not an Excel workbook; {_SAVE_AS_HINT}")
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = book.worksheets[0]
        rows_iter = sheet.iter_rows()
        header_cells = next(rows_iter, None)
        if header_cells is None:
            raise _Unreadable("the first sheet of the workbook is empty")
        header = ["" if c.value is None else str(c.value) for c in header_cells]
        width = len(header)
        columns: list[list[str | None]] = [[] for _ in range(width)]
        row_numbers: list[int] = []
        formulas: list[str] = []
        for row_no, cells in enumerate(rows_iter, start=2):
            values: list[str | None] = [None] * width
            for i, cell in enumerate(cells[:width]):
                if cell.data_type == "f":
                    formulas.append(
                        f"{cell.column_letter}{row_no}" if hasattr(cell, "column_letter") else f"row {row_no}"
                    )
                    continue
                values[i] = _cell_text(cell.value)
            if all(v is None for v in values):
                continue
            row_numbers.append(row_no)
            for i, v in enumerate(values):
                columns[i].append(v)
    finally:
        book.close()
    if formulas:
        raise _Unreadable(
            f"{len(formulas)} cell(s) hold formulas (first: {', '.join(formulas[:5])}): copy and paste as values, then send again"
        )
    table = pa.table({f"c{i}": pa.array(col, type=pa.string()) for i, col in enumerate(columns)})
    return header, table, np.asarray(row_numbers, dtype=np.int64)


def _cell_text(value: object) -> str | None:
    """Excel values as the text a CSV export would hold, so both formats validate the same way."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
