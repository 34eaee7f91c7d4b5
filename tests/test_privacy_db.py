"""No worker's identity or pay reaches the reporting database (spec 5, 6), on SQLite and PostgreSQL.

Returns carry distinctive worker refs and pay figures (rates such as 13.4567, odd hours and basic
pay, a rate left for the tool to derive); one return is rejected for an e-mail address and a National
Insurance number as worker refs, a duplicated ref and a rate that disagrees with the pay. Then every
cell of every table and view is searched for those values, as text and as numbers; on SQLite the
database files' bytes are searched too (text, and the 8-byte floats SQLite would store a rate as).

The one figure spec 5 publishes from individual rows is a band's lowest rate: the lowest-paid worker
of each band here has a plain rate (12.00, 13.00) and is left out of the search, and the test checks
that those are indeed the lowest rates shown, so the search is not vacuous.
"""

from __future__ import annotations

import struct
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import inspect, text

from gwp_monitor.config.register import load_register
from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.store.database import VIEWS, open_database

AS_OF = date(2025, 11, 10)
REGISTER_YAML = """\
contracts:
  - contract_ref: PRIV-1
    title: Home care
    supplier: {supplier_id: "77777777", name: Private Care Ltd}
    start_date: 2025-09-01
    returns:
      payroll: {frequency: monthly, due_days: 15}
    commitments:
      - type: real_living_wage
"""
SEP, OCT = ("2025-09-01", "2025-09-30"), ("2025-10-01", "2025-10-31")

#: Text that must appear nowhere: worker refs (and the raw identifiers a supplier should not send).
SECRET_TEXT = [
    "ZXQ-7781",
    "ZXQ-7782",
    "ZXQ-7783",
    "ZXQ-7784",
    "ZXQ-7785",
    "ZXQ-7786",
    "ZXQ-9901@example.org",
    "QQ123456C",
    "ZXQ-9902",
]
#: Individual pay figures that must appear nowhere, as text or as a number.
SECRET_NUMBERS = [
    "13.4567",
    "2036.92",
    "151.37",  # ZXQ-7782: rate, basic pay, hours
    "14.9137",
    "1465.27",
    "98.25",  # ZXQ-7783 (London)
    "1711.11",
    "123.45",
    "13.8608",  # ZXQ-7785: basic pay, hours, and the rate derived from them
    "13.9871",
    "999.99",
    "71.43",  # rejected return's rows
]


def payroll(returns, period, ref: str, rate: str, hours: str, basic: str | None = None, **cells) -> dict:
    basic = basic or str((Decimal(rate) * Decimal(hours)).quantize(Decimal("0.01")))
    row = returns.payroll_row(
        period, contract_ref="PRIV-1", hourly_rate=rate, hours_paid=hours, basic_pay=basic, **cells
    )
    row["worker_ref"] = ref
    return row


def write_returns(write, returns) -> None:
    r = returns
    write(
        "sep.csv",
        [
            payroll(r, SEP, "ZXQ-7781", "12.00", "100"),  # lowest UK rate, below the RLW
            payroll(r, SEP, "ZXQ-7782", "13.4567", "151.37"),
            payroll(r, SEP, "ZXQ-7784", "13.00", "100", london="yes"),  # lowest London rate
            payroll(r, SEP, "ZXQ-7783", "14.9137", "98.25", london="yes"),
            payroll(r, SEP, "ZXQ-7785", "", "123.45", basic="1711.11"),  # rate derived: 13.8608
        ],
        "2025-10-10T09:00:00",
    )
    write(
        "oct.csv",
        [
            payroll(r, OCT, "ZXQ-9901@example.org", "13.00", "100"),
            payroll(r, OCT, "QQ123456C", "13.00", "100"),
            payroll(r, OCT, "ZXQ-9902", "13.9871", "71.43", basic="999.99"),  # 13.9995/h by the pay: within 1%
            payroll(r, OCT, "ZXQ-9902", "13.9871", "100", basic="999.99"),  # duplicate ref; 9.9999/h: not within 1%
            payroll(r, OCT, "ZXQ-7786", "13.00", "100"),
        ],
        "2025-11-05T09:00:00",
    )


def test_no_worker_ref_or_individual_pay_figure_in_any_table_or_view(
    reporting_db_url, landing_writer, returns, db_rows, tmp_path
):
    (tmp_path / "register.yaml").write_text(REGISTER_YAML, encoding="utf-8")
    write_returns(landing_writer, returns)
    db = open_database(reporting_db_url)
    try:
        summary = run_pipeline(load_register(tmp_path / "register.yaml"), landing_writer.folder, db, as_of=AS_OF)
        assert [(s.file_name, outcome) for _, s, outcome in summary.stored] == [
            ("sep.csv", "accepted"),
            ("oct.csv", "rejected"),
        ]

        # The search is not vacuous: results were stored, and the rejected return's problems are there.
        (rejected,) = db_rows(db, "SELECT errors, error_count FROM v_submissions WHERE status = 'rejected'")
        assert (
            rejected["error_count"] >= 3 and "worker_ref" in rejected["errors"] and "hourly_rate" in rejected["errors"]
        )
        lowest = {
            r["band"]: r["lowest_rate"]
            for r in db_rows(db, "SELECT band, lowest_rate FROM v_wage_compliance WHERE rate_type = 'real_living_wage'")
        }
        # Fewer than 5 workers in each band: the published view hides the lowest rate (spec 5, 6) ...
        assert lowest == {"uk": None, "london": None}
        # ... which the wage figures keep, as an aggregate, for the record.
        stored = {
            r["band"]: r["lowest_rate"]
            for r in db_rows(db, "SELECT band, lowest_rate FROM wage_figures WHERE rate_type = 'real_living_wage'")
        }
        assert stored == {"uk": Decimal("12.00"), "london": Decimal("13.00")}

        tables = inspect(db.engine).get_table_names()
        assert {"submissions", "verdicts", "wage_figures", "files_seen", "runs"} <= set(tables)
        numbers = {Decimal(n) for n in SECRET_NUMBERS}
        scanned = 0
        with db.engine.connect() as conn:
            for relation in [*tables, *VIEWS]:
                for row in conn.execute(text(f"SELECT * FROM {relation}")):
                    for column, value in row._mapping.items():
                        scanned += 1
                        if value is None:
                            continue
                        shown = str(value)
                        for secret in SECRET_TEXT + SECRET_NUMBERS:
                            assert secret not in shown, f"{relation}.{column} holds {secret!r}"
                        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                            assert Decimal(repr(value) if isinstance(value, float) else value) not in numbers, (
                                f"{relation}.{column} = {value}"
                            )
        assert scanned > 200
    finally:
        db.engine.dispose()

    if reporting_db_url.startswith("sqlite:///"):
        database_file = Path(reporting_db_url[len("sqlite:///") :])
        files = [p for p in database_file.parent.glob(database_file.name + "*")]
        content = b"".join(p.read_bytes() for p in files)
        assert len(content) > 10_000
        for secret in SECRET_TEXT + SECRET_NUMBERS:
            assert secret.encode() not in content, f"{secret!r} in the SQLite file"
        for number in SECRET_NUMBERS:
            assert struct.pack(">d", float(number)) not in content, f"{number} stored as a float in the SQLite file"
