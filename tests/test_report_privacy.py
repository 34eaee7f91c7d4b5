"""No worker's reference or pay figure reaches the dashboard or the Data Docs (spec 6).

The input's worker_refs and individual pay figures (hourly_rate and basic_pay cells, and the hourly
rate the pipeline derives when a row gives none) are read back from the supplier files themselves
(pandas for CSV, openpyxl for XLSX), and every file under the report folder (the dashboard's pages
and the run's Great Expectations Data Docs under data-docs/) is searched for them.

Run twice: on the demo (fixed seed and as-of date, the real pipeline into SQLite), and on returns
written here with values no page could contain by chance (worker refs ZQX-PRIV-0001..., rates such
as 13.4567, basic pay such as 1,345.67), including a rejected file whose problems are shown on the
contract page. A third test plants such values in a copy of the site and checks that the scan finds
each of them, so a clean result means something.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from gwp_monitor.pipeline import run_pipeline
from gwp_monitor.report.build import build_report
from gwp_monitor.store.database import open_database

PACKAGE_DATA = Path(__file__).resolve().parent.parent / "gwp_monitor" / "domain" / "data"

# A worker_ref shorter than this is skipped: "W1" or "17" occurs in any page (dates, counts, ids), so
# finding it would say nothing. Real references (the demo's W185484, an NI number, an e-mail) are longer.
MIN_REF_LENGTH = 4
# A figure with fewer significant digits than this is skipped: 9.5, 10.00, 1200.00 and the like occur
# naturally in a page (CSS sizes, percentages, axis ticks, counts), so their presence is no evidence of
# a leak. 8.63, 12.21 or 1402.38 are specific enough to search for.
MIN_SIGNIFICANT_DIGITS = 3
# A number as a page writes it: digits, optional thousands commas, optional decimals. Not preceded by
# a digit or a point, so "402.38" is not found inside "1,402.38" or "1402.38" (those are other numbers).
NUMBER = re.compile(r"(?<![\d.])\d[\d,]*(?:\.\d+)?")
GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
PENNY = Decimal("0.01")


# --------------------------------------------------------------------------------------------------
# What the supplier files hold


@dataclass
class Inputs:
    """Worker refs and individual pay figures of a landing folder; figures keyed by their value."""

    worker_refs: set[str] = field(default_factory=set)
    figures: dict[Decimal, set[str]] = field(default_factory=dict)  # value -> raw strings as written
    derived_rates: set[Decimal] = field(default_factory=set)  # basic_pay / hours_paid, 4 dp (spec 4)

    def add_figure(self, raw: object) -> None:
        value = _figure(raw)
        if value is not None:
            self.figures.setdefault(value, set()).add(str(raw).strip())


def _cell_text(value: object) -> str:
    """A cell as text: numbers from a workbook as Python writes them (1402.38, not 1402.3800000001)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _figure(raw: object) -> Decimal | None:
    """A pay cell as a number, allowing the "£12.60" and "1,402.38" a supplier may type; text is not a figure."""
    cleaned = str(raw).strip().replace("£", "").replace(",", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _frames(landing: Path) -> list[pd.DataFrame]:
    """Every return in the folder as text cells with column names normalised as the reader does (spec 2.2)."""
    import openpyxl

    frames = []
    for path in sorted(landing.iterdir()):
        if path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif path.suffix.lower() == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                rows = list(book.worksheets[0].iter_rows(values_only=True))
            finally:
                book.close()
            frame = pd.DataFrame(
                [[_cell_text(v) for v in row] for row in rows[1:]], columns=[_cell_text(h) for h in rows[0]]
            )
        else:
            continue
        # As the reader matches them (spec 2.2): "Worker Ref" in the demo's UK payroll export is worker_ref.
        frame.columns = [re.sub(r"[\s.\-]+", "_", str(c).strip().lower()) for c in frame.columns]
        frames.append(frame)
    return frames


def read_inputs(landing: Path) -> Inputs:
    inputs = Inputs()
    for frame in _frames(landing):
        if "worker_ref" not in frame.columns:
            continue  # a workforce return: no worker in it
        inputs.worker_refs.update(r for r in frame["worker_ref"].map(str).str.strip() if r)
        for column in ("hourly_rate", "basic_pay"):
            if column in frame.columns:
                for raw in frame[column]:
                    inputs.add_figure(raw)
        for pay, hours in zip(frame["basic_pay"], frame["hours_paid"], strict=False):
            pay, hours = _figure(pay), _figure(hours)
            if pay is not None and hours:
                inputs.derived_rates.add((pay / hours).quantize(Decimal("0.0001")))
    return inputs


# --------------------------------------------------------------------------------------------------
# What may legitimately be printed: public wage floors, and the money figures of the published views


def wage_floors() -> set[Decimal]:
    """Every Real Living Wage and statutory rate the product holds (spec 3): public facts, which the
    dashboard prints as required rates. Many workers are paid exactly the floor, so their rate is one."""
    rlw = pd.read_csv(PACKAGE_DATA / "real_living_wage.csv", dtype=str)
    smw = pd.read_csv(PACKAGE_DATA / "statutory_minimum_wage.csv", dtype=str)
    return {Decimal(v) for v in [*rlw["uk"], *rlw["london"], *smw["rate"]]}


def published_figures(database) -> set[Decimal]:
    """Rates and money of the spec-5 views to the penny, as the dashboard prints them: required and
    upcoming rates, each band's lowest rate (an aggregate by spec 4/5, printed only for bands of 5 or
    more workers) and arrears. The dashboard is there to print these; a worker's pay that happens to
    be the same number of pounds and pence is not told apart from them, so it is set aside."""
    sql = (
        "SELECT required_rate, lowest_rate, arrears_gbp, upcoming_rate FROM v_wage_compliance "
        "UNION ALL SELECT NULL, NULL, arrears_gbp, NULL FROM v_open_breaches "
        "UNION ALL SELECT NULL, NULL, owed_gbp, uplift_cost_gbp FROM v_owed_to_workers "
        "UNION ALL SELECT NULL, NULL, previous_arrears_gbp, new_arrears_gbp FROM v_resubmission_changes"
    )
    with database.engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    return {Decimal(str(v)).quantize(PENNY) for row in rows for v in row if v is not None}


def _significant_digits(value: Decimal) -> int:
    return len(format(value.normalize(), "f").replace(".", "").strip("0"))


def search_forms(inputs: Inputs, allowed: set[Decimal]) -> tuple[set[str], set[str], int]:
    """(worker refs, number strings to search for, figures set aside).

    A figure is searched for as written in the file and to 4 decimal places, as the product keeps
    rates (13.4567, 12.6000); one in whole pence also to the penny (1402.38) and with thousands commas
    as the dashboard writes money (1,402.38). A figure is not rounded to make a new form: 13.4567 is
    not searched for as 13.46, which is a different, far less specific number. A rate the pipeline
    derives (basic_pay / hours_paid) is searched for to 4 decimal places when that is not whole pence.
    Set aside: zero, too few significant digits, and figures equal to one the dashboard may print.
    """
    refs = {r for r in inputs.worker_refs if len(r) >= MIN_REF_LENGTH}
    forms: set[str] = set()
    skipped = 0
    for value, raws in inputs.figures.items():
        if value <= 0 or _significant_digits(value) < MIN_SIGNIFICANT_DIGITS or value in allowed:
            skipped += 1
            continue
        forms |= {r.replace("£", "").replace(",", "").strip() for r in raws} | {f"{value:.4f}"}
        if value == value.quantize(PENNY):
            forms |= {f"{value:.2f}", f"{value:,.2f}"}
    for rate in inputs.derived_rates:
        if rate != rate.quantize(PENNY):
            forms.add(f"{rate:.4f}")
    return refs, {f for f in forms if f and _figure(f) is not None}, skipped


# --------------------------------------------------------------------------------------------------
# The scan


def numbers_in(content: str) -> set[str]:
    """Every number written in the text, as written; a comma list without spaces (1,2,3) also in pieces."""
    found = set()
    for token in NUMBER.findall(content):
        token = token.rstrip(",")
        found.add(token)
        if "," in token and not GROUPED.match(token):
            found.update(piece for piece in token.split(",") if piece)
    return found


def scan(report_dir: Path, refs: set[str], forms: set[str]) -> list[tuple[str, str]]:
    """(file relative to report_dir, what was found) for every worker ref or figure in any file."""
    hits = []
    files = [p for p in sorted(report_dir.rglob("*")) if p.is_file()]
    assert files, f"nothing to scan under {report_dir}"
    for path in files:
        content = path.read_bytes().decode("utf-8", errors="replace")
        name = path.relative_to(report_dir).as_posix()
        hits += [(name, ref) for ref in sorted(refs) if ref in content or html.escape(ref) in content]
        hits += [(name, number) for number in sorted(numbers_in(content) & forms)]
    return hits


# --------------------------------------------------------------------------------------------------
# Tests


@pytest.mark.slow
def test_demo_site_and_data_docs_hold_no_worker_ref_or_pay_figure(demo_dashboard) -> None:
    built = demo_dashboard("sqlite")
    inputs = read_inputs(built.demo.landing)
    assert any(p.suffix == ".xlsx" for p in built.demo.landing.iterdir())  # both readers were used
    # The demo's broken file has an NI number and an e-mail address as worker_refs: the worst ones to leak.
    assert any("@" in r for r in inputs.worker_refs) and any(
        re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", r) for r in inputs.worker_refs
    )
    refs, forms, skipped = search_forms(inputs, wage_floors() | published_figures(built.database))
    # A meaningful scan: every worker of six contracts (the same people month after month) and thousands of figures, few set aside.
    assert len(refs) > 250 and len(forms) > 3000, (len(refs), len(forms))
    assert skipped < len(inputs.figures) / 10, (skipped, len(inputs.figures))
    scanned = {p.relative_to(built.report_dir).as_posix() for p in built.report_dir.rglob("*.html")}
    assert "index.html" in scanned and len([p for p in scanned if p.startswith("contract/")]) == len(
        built.demo.register["contracts"]
    )
    assert (
        len([p for p in scanned if p.startswith("data-docs/")]) >= 4
    )  # payroll and workforce, quality and commitments
    assert scan(built.report_dir, refs, forms) == []


REGISTER = """\
contracts:
  - contract_ref: PRIV-1
    title: Home care
    supplier: {supplier_id: "77777777", name: Private Care Ltd}
    start_date: 2025-08-01
    returns:
      payroll: {frequency: monthly, due_days: 15}
    commitments:
      - type: real_living_wage
"""
AS_OF = date(2025, 12, 10)  # November's return is not due yet, so October's verdicts are the latest
# (worker_ref, hours_paid, hourly_rate or "" to leave it to basic_pay / hours_paid, basic_pay)
AUGUST = [  # accepted; 12.3457 and 12.4681 are below the Real Living Wage (12.60), 11.9876 below the legal minimum (12.21) too
    ("ZQX-PRIV-0001", "100.00", "13.4567", "1345.67"),
    ("ZQX-PRIV-0002", "100.00", "12.3457", "1234.57"),
    ("ZQX-PRIV-0003", "100.00", "11.9876", "1198.76"),
    ("ZQX-PRIV-0004", "100.00", "14.5671", "1456.71"),
    ("ZQX-PRIV-0005", "100.00", "12.7893", "1278.93"),
    ("ZQX-PRIV-0006", "87.25", "", "1187.43"),  # 13.6095 an hour
    ("ZQX-PRIV-0007", "100.00", "15.2468", "1524.68"),
    ("ZQX-PRIV-0008", "100.00", "12.4681", "1246.81"),
]
SEPTEMBER = [  # rejected: an e-mail and an NI number as worker_ref, and a rate 10% off basic_pay / hours_paid
    ("zqx.priv.0021@example.org", "100.00", "13.7531", "1375.31"),
    ("ZQ987654C", "100.00", "14.8642", "1486.42"),
    ("ZQX-PRIV-0023", "100.00", "15.9753", "1452.29"),
]
OCTOBER = [  # accepted, sent as a workbook with typed number cells; 12.3579 is below the Real Living Wage
    ("ZQX-PRIV-0011", 100.0, 13.5791, 1357.91),
    ("ZQX-PRIV-0012", 100.0, 14.1357, 1413.57),
    ("ZQX-PRIV-0013", 93.5, None, 1269.87),  # 13.5815 an hour
    ("ZQX-PRIV-0014", 100.0, 12.3579, 1235.79),
    ("ZQX-PRIV-0015", 100.0, 16.2419, 1624.19),
]


def _write_distinctive_landing(landing: Path, returns) -> None:
    import os

    landing.mkdir(parents=True)

    def rows(period: tuple[str, str], spec) -> list[dict]:
        return [
            returns.payroll_row(
                period,
                contract_ref="PRIV-1",
                employer="Private Care Ltd",
                worker_ref=str(ref),
                hours_paid=str(hours),
                hourly_rate="" if rate is None else str(rate),
                basic_pay=str(pay),
            )
            for ref, hours, rate, pay in spec
        ]

    returns.csv(landing / "priv-2025-08.csv", rows(("2025-08-01", "2025-08-31"), AUGUST))
    returns.csv(landing / "priv-2025-09.csv", rows(("2025-09-01", "2025-09-30"), SEPTEMBER))
    october = [returns.excel_typed(r, "payroll") for r in rows(("2025-10-01", "2025-10-31"), OCTOBER)]
    returns.xlsx(landing / "priv-2025-10.xlsx", october)
    for name, received in (
        ("priv-2025-08.csv", "2025-09-10"),
        ("priv-2025-09.csv", "2025-10-10"),
        ("priv-2025-10.xlsx", "2025-11-10"),
    ):
        stamp = datetime.fromisoformat(received + "T09:00:00").replace(tzinfo=UTC).timestamp()
        os.utime(landing / name, (stamp, stamp))  # received_at, on time (spec 2.4)


def _distinctive_site(tmp_path: Path, returns):
    landing = tmp_path / "landing"
    _write_distinctive_landing(landing, returns)
    (tmp_path / "register.yaml").write_text(REGISTER, encoding="utf-8")
    database = open_database(f"sqlite:///{(tmp_path / 'gwp.db').as_posix()}")
    site = tmp_path / "report"
    summary = run_pipeline(tmp_path / "register.yaml", landing, database, as_of=AS_OF, data_docs_dir=site)
    build_report(database, site, AS_OF)
    return database, landing, site, summary


def test_distinctive_returns_leave_no_trace_in_the_site_or_the_data_docs(tmp_path: Path, returns) -> None:
    database, landing, site, summary = _distinctive_site(tmp_path, returns)
    try:
        assert (summary.outcomes["accepted"], summary.outcomes["rejected"]) == (2, 1)
        with database.engine.connect() as conn:
            lowest = conn.execute(text("SELECT MIN(lowest_rate) FROM v_wage_compliance")).scalar()
            errors = conn.execute(text("SELECT errors FROM v_submissions WHERE status = 'rejected'")).scalar()
            breaches = conn.execute(text("SELECT commitment FROM v_open_breaches")).scalars().all()
        # The figures did flow into the aggregates (so there was something to leak) ...
        assert Decimal(str(lowest)).quantize(Decimal("0.0001")) == Decimal("11.9876")
        assert breaches == ["real_living_wage"]  # October's; August's statutory breach is no longer the latest verdict
        page = (site / "contract" / "PRIV-1.html").read_text(encoding="utf-8")
        assert "priv-2025-09.csv" in page and "worker_ref" in page and errors  # the rejection's problems are shown
        assert "Validation report" in page
        assert sorted(p.name for p in (site / "data-docs").iterdir()) == [
            "run-1-payroll-commitments.html",
            "run-1-payroll-quality.html",
        ]

        inputs = read_inputs(landing)
        all_refs = {r for r, *_ in AUGUST + SEPTEMBER + OCTOBER}
        assert inputs.worker_refs == all_refs  # the XLSX rows were read too
        refs, forms, skipped = search_forms(inputs, wage_floors() | published_figures(database))
        assert refs == all_refs and skipped == 0  # nothing of these distinctive values was set aside
        for value in (
            "13.4567",
            "1345.67",
            "1,345.67",
            "11.9876",
            "13.5791",
            "1,357.91",
            "13.6095",
            "13.5815",
            "15.9753",
            "1,452.29",
            "12.3579",
        ):
            assert value in forms, value
        assert scan(site, refs, forms) == []
    finally:
        database.engine.dispose()


def test_the_scan_finds_values_planted_in_the_site(tmp_path: Path, returns) -> None:
    """The clean results above are worth something only if a leak in any of its forms would be found."""
    database, landing, site, _ = _distinctive_site(tmp_path, returns)
    try:
        refs, forms, _ = search_forms(read_inputs(landing), wage_floors() | published_figures(database))
    finally:
        database.engine.dispose()
    leaky = tmp_path / "leaky"
    shutil.copytree(site, leaky)
    contract = leaky / "contract" / "PRIV-1.html"
    contract.write_text(
        contract.read_text(encoding="utf-8").replace(
            "</main>", '<p title="ZQX-PRIV-0003">Lowest: £1,345.67 (13.4567/h), zqx.priv.0021@example.org</p></main>'
        ),
        encoding="utf-8",
    )
    docs = leaky / "data-docs" / "run-1-payroll-quality.html"
    docs.write_text(
        docs.read_text(encoding="utf-8").replace("</body>", "<td>[13.6095, 1187.43,ZQ987654C]</td></body>"),
        encoding="utf-8",
    )
    (leaky / "export.json").write_text('{"rate": 11.9876, "basic": 1235.79}', encoding="utf-8")
    found = set(scan(leaky, refs, forms))
    assert found == {
        ("contract/PRIV-1.html", "ZQX-PRIV-0003"),
        ("contract/PRIV-1.html", "1,345.67"),
        ("contract/PRIV-1.html", "13.4567"),
        ("contract/PRIV-1.html", "zqx.priv.0021@example.org"),
        ("data-docs/run-1-payroll-quality.html", "13.6095"),
        ("data-docs/run-1-payroll-quality.html", "1187.43"),
        ("data-docs/run-1-payroll-quality.html", "ZQ987654C"),
        ("export.json", "11.9876"),
        ("export.json", "1235.79"),
    }
    # A figure inside a longer number is another number, not a hit.
    assert numbers_in("£11,345.67 and 213.4567 and 13.45678") & {"1,345.67", "1345.67", "13.4567"} == set()
