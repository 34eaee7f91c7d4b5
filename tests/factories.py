"""Test data builders, in one place: contract registers (YAML) and suppliers' return rows and files.

A test states only what it is about and takes the rest from good defaults:

    contract("P-1", commitments=["real_living_wage"])             # one register entry, as a dict
    write_register(tmp_path / "register.yaml", contract(...), ...)  # the YAML file an administrator writes
    numbered_contracts(3, "P")                                      # P-1, P-2, P-3 with distinct suppliers
    ReturnBuilder().payroll_row(hourly_rate="0")                    # a good row with one cell broken

Registers are built as data and dumped by PyYAML, so a builder never validates: an invalid register
(an end before its start, an unknown commitment type, a duplicate reference) is written as easily as
a good one. Rows are dicts of text, exactly as a supplier would type them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from gwp_monitor.config.register import Register, load_register
from gwp_monitor.domain import templates
from gwp_monitor.domain.templates import Kind

#: Expects payroll (monthly) and workforce (quarterly) returns from January 2010 on.
CONTRACT_REF = "TST-001"
#: Expects payroll returns only.
PAYROLL_ONLY_REF = "TST-002"
#: Late enough that every period the tests use has ended.
AS_OF = date(2026, 1, 31)

#: The return schedules most tests use (spec 2.1).
MONTHLY_PAYROLL: dict[str, Any] = {"frequency": "monthly", "due_days": 15}
QUARTERLY_WORKFORCE: dict[str, Any] = {"frequency": "quarterly", "due_days": 30}

Commitment = str | Mapping[str, Any]


# --- the contract register -----------------------------------------------------------------------


def contract(
    ref: str,
    *,
    title: str = "Test contract",
    supplier_id: str = "12345678",
    supplier_name: str = "Test Supplier Ltd",
    start_date: str = "2010-01-01",
    end_date: str | None = None,
    payroll: Mapping[str, Any] | None = MONTHLY_PAYROLL,
    workforce: Mapping[str, Any] | None = None,
    commitments: Iterable[Commitment] = (),
    **extra: Any,
) -> dict[str, Any]:
    """One register entry. A commitment is its type name, or a mapping with its parameters
    ({"type": "max_zero_hours_share", "max": 0.05}); `extra` adds keys as given (contacts, typos)."""
    entry: dict[str, Any] = {
        "contract_ref": ref,
        "title": title,
        "supplier": {"supplier_id": supplier_id, "name": supplier_name},
        "start_date": start_date,
    }
    if end_date is not None:
        entry["end_date"] = end_date
    schedules = {kind: dict(s) for kind, s in (("payroll", payroll), ("workforce", workforce)) if s is not None}
    entry["returns"] = schedules
    listed = [{"type": c} if isinstance(c, str) else dict(c) for c in commitments]
    if listed:
        entry["commitments"] = listed
    entry.update(extra)
    return entry


def numbered_contracts(
    n: int, prefix: str = "C", *, commitments: Iterable[Commitment] = (), **kw: Any
) -> list[dict[str, Any]]:
    """`prefix`-1 .. `prefix`-n, each with its own supplier, all carrying the same commitments."""
    listed = list(commitments)
    return [
        contract(
            f"{prefix}-{i}",
            supplier_id=f"{i:08d}",
            supplier_name=f"{prefix} Supplier {i} Ltd",
            commitments=listed,
            **{"title": f"{prefix} contract {i}", **kw},
        )
        for i in range(1, n + 1)
    ]


def register_yaml(*contracts: Mapping[str, Any]) -> str:
    """The register file's text. Identifiers and dates are quoted strings, as the loader reads them."""
    return yaml.safe_dump({"contracts": [dict(c) for c in contracts]}, sort_keys=False, allow_unicode=True)


def write_register(path: Path, *contracts: Mapping[str, Any]) -> Path:
    path.write_text(register_yaml(*contracts), encoding="utf-8")
    return path


def make_register(folder: Path, *contracts: Mapping[str, Any]) -> Register:
    """Write `folder`/register.yaml and load it, as the pipeline does."""
    return load_register(write_register(folder / "register.yaml", *contracts))


#: The conftest's session register: TST-001 with both returns and two commitments, TST-002 payroll only.
STANDARD_CONTRACTS = (
    contract(
        CONTRACT_REF,
        title="Home care test contract",
        supplier_id="08064685",
        supplier_name="Test Care Ltd",
        workforce=QUARTERLY_WORKFORCE,
        commitments=["real_living_wage", {"type": "max_zero_hours_share", "max": 0.05}],
    ),
    contract(
        PAYROLL_ONLY_REF, title="Cleaning test contract", supplier_id="01234567", supplier_name="Test Cleaning Ltd"
    ),
)
REGISTER_YAML = register_yaml(*STANDARD_CONTRACTS)


# --- periods -----------------------------------------------------------------------------------------


def month(year: int, m: int) -> tuple[str, str]:
    """(period_start, period_end) of a calendar month, as ISO text."""
    start = date(year, m, 1)
    end = (date(year + m // 12, m % 12 + 1, 1)) - timedelta(days=1)
    return start.isoformat(), end.isoformat()


def quarter(year: int, q: int) -> tuple[str, str]:
    """(period_start, period_end) of a calendar quarter (q = 1..4), as ISO text."""
    start, _ = month(year, 3 * q - 2)
    _, end = month(year, 3 * q)
    return start, end


# --- return rows and files ---------------------------------------------------------------------------


class ReturnBuilder:
    """Good rows of both templates and the files that hold them. Stateless; one per session."""

    contract_ref = CONTRACT_REF
    payroll_only_ref = PAYROLL_ONLY_REF
    as_of = AS_OF
    month = staticmethod(month)
    quarter = staticmethod(quarter)

    def nth_month(self, n: int) -> tuple[str, str]:
        """The n-th month of the contract (0 = January 2010): a distinct period per n."""
        return month(2010 + n // 12, n % 12 + 1)

    def nth_quarter(self, n: int) -> tuple[str, str]:
        return quarter(2010 + n // 4, n % 4 + 1)

    def payroll_row(
        self, period: tuple[str, str] = ("2025-06-01", "2025-06-30"), worker: int = 1, **cells: str
    ) -> dict[str, str]:
        """One worker's month; 150 h at 13.50 = 2025.00 (hourly_rate agrees with basic_pay / hours_paid)."""
        row = {
            "contract_ref": CONTRACT_REF,
            "period_start": period[0],
            "period_end": period[1],
            "worker_ref": f"W{worker:05d}",
            "employer": "Test Care Ltd",
            "employment_type": "direct",
            "contract_type": "permanent",
            "age_band": "21_plus",
            "apprentice": "no",
            "london": "no",
            "hours_paid": "150",
            "basic_pay": "2025.00",
            "hourly_rate": "13.50",
            "gender": "female",
        }
        return _override(row, cells, "payroll")

    def paid_row(
        self, contract_ref: str, period: tuple[str, str], worker: int, rate: str, hours: str = "100", **cells: str
    ) -> dict[str, str]:
        """A worker paid `rate` an hour for `hours`: basic_pay agrees, to the penny, unless `cells` give it."""
        basic = str((Decimal(rate) * Decimal(hours)).quantize(Decimal("0.01")))
        cells = {"basic_pay": basic, **cells}
        return self.payroll_row(period, worker, contract_ref=contract_ref, hourly_rate=rate, hours_paid=hours, **cells)

    def workforce_row(self, period: tuple[str, str] = ("2025-04-01", "2025-06-30"), **cells: str) -> dict[str, str]:
        """One contract's quarter with every optional column filled in, all within headcount."""
        row = {
            "contract_ref": CONTRACT_REF,
            "period_start": period[0],
            "period_end": period[1],
            "headcount": "40",
            "fte": "32.5",
            "zero_hours_workers": "2",
            "agency_workers": "3",
            "apprentices": "2",
            "local_residents": "20",
            "disabled_workers": "4",
            "ethnic_minority_workers": "6",
            "female_workers": "22",
            "gender_pay_gap_median_pct": "4.5",
            "gender_pay_gap_mean_pct": "6.25",
            "recognised_trade_union": "yes",
            "worker_voice_forum": "no",
            "flexible_working_from_day_one": "Y",
            "training_hours": "120",
        }
        return _override(row, cells, "workforce")

    def csv(
        self,
        path: Path,
        rows: Iterable[Mapping[str, object]],
        columns: list[str] | None = None,
        *,
        encoding: str = "utf-8",
        line_end: str = "\n",
    ) -> Path:
        """Write rows as CSV with `columns` as the header (default: the first row's keys).
        A row's missing key is an empty cell. encoding="utf-8-sig" writes a BOM."""
        rows = list(rows)
        columns = columns or list(rows[0])
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator=line_end)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path

    def excel_typed(self, row: Mapping[str, str], kind: Kind) -> dict[str, object]:
        """The row as Excel holds typed cells: dates, numbers and booleans instead of text.
        Text that is not a valid value of its type stays text, as a supplier's typo would."""
        out: dict[str, object] = dict(row)
        for col in templates.columns(kind):
            text = row.get(col.name, "")
            try:
                if col.type == "date":
                    out[col.name] = datetime.fromisoformat(text)
                elif col.type == "integer":
                    out[col.name] = int(text)
                elif col.type == "decimal":
                    out[col.name] = float(text)
                elif col.type == "boolean" and text.lower() in templates.BOOLEAN_TRUE + templates.BOOLEAN_FALSE:
                    out[col.name] = text.lower() in templates.BOOLEAN_TRUE
            except ValueError:
                pass
        return out

    def xlsx(self, path: Path, rows: Iterable[Mapping[str, object]], columns: list[str] | None = None) -> Path:
        """Write rows to the first sheet of a workbook. Values are written as given: pass dates,
        numbers or booleans to get typed Excel cells, text to get text cells, '=...' for a formula."""
        import openpyxl

        rows = list(rows)
        columns = columns or list(rows[0])
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(columns)
        for row in rows:
            sheet.append([_xlsx_value(row.get(c)) for c in columns])
        book.save(path)
        return path


def _override(row: dict[str, str], cells: Mapping[str, str], kind: Kind) -> dict[str, str]:
    unknown = set(cells) - set(templates.column_names(kind))
    if unknown:
        raise KeyError(f"not {kind} columns: {sorted(unknown)}")  # a typo in a test, not a case
    return {**row, **cells}


def _xlsx_value(value: object) -> object:
    return None if value == "" else value
