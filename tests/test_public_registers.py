"""Issue 17: suppliers' returns set beside the UK gender pay gap register.

The real 2017-18 register (10,528 employers, quoted fields with doubled quotes and embedded newlines)
is imported whole and checked against an independent reading with the csv module; suppliers are
matched by Companies House number only; the acceptance story runs the pipeline and the import on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import functools
import http.server
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from factories import QUARTERLY_WORKFORCE, contract, make_register

from gwp_monitor.cli import main
from gwp_monitor.public_registers.companies import (
    looks_like_company_number,
    normalise_company_number,
    normalise_company_numbers,
    normalise_name,
)
from gwp_monitor.public_registers.gpg_checks import build_checks, decide
from gwp_monitor.public_registers.gpg_quality import SUITE
from gwp_monitor.public_registers.gpg_source import SourceError
from gwp_monitor.public_registers.importing import import_gpg
from gwp_monitor.store.database import open_database
from gwp_monitor.validate.expectations import gx_context, load_suite

REPO = Path(__file__).resolve().parents[1]
GPG_2017 = REPO.parent / "shared" / "data" / "uk-gender-pay-gap-2017-2018.csv"
needs_register = pytest.mark.skipif(
    not GPG_2017.is_file(), reason=f"the real 2017-18 register is not at {GPG_2017} (test data of the project)"
)
AS_OF = date(2018, 6, 30)  # after the 2017-18 deadline (4 April 2018)
MAX = 10**9
#: Two real employers of the 2017-18 register (median hourly gap 2.8% and 36.0%, the second filed late).
CONSISTENT = "03951948"  # 118 LIMITED
OFF = "10530651"  # 123 EMPLOYEES LTD
#: Well-formed, and not in the 2017-18 register (asserted against the file).
ABSENT = "09999999"


@functools.cache
def records() -> tuple[list[str], list[dict[str, str]]]:
    """The register read independently of the code under test: the csv module, as Python reads any CSV."""
    with GPG_2017.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_records(path: Path, rows: list[dict[str, str]], fields: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or list(rows[0]), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def sample(n: int = 30, *numbers: str) -> list[dict[str, str]]:
    """The register's first `n` records plus those of `numbers`, as published."""
    _, rows = records()
    picked = rows[:n] + [r for r in rows[n:] if r["CompanyNumber"] in numbers]
    return [dict(r) for r in picked]


def sqlite_db(tmp_path: Path):
    return open_database(f"sqlite:///{(tmp_path / 'gwp.db').as_posix()}")


def uk_date(text: str) -> date:
    return datetime.strptime(text[:10], "%d/%m/%Y").date()


# --- the whole real register -----------------------------------------------------------------------


@needs_register
def test_the_whole_2017_18_register_imports_validated_in_under_10_s(tmp_path: Path, db_rows) -> None:
    fields, rows = records()
    assert len(rows) == 10_528 and "ResponsiblePerson" in fields
    gx_context(), load_suite(SUITE)  # the process's one GX context and the suite: paid once per process
    db = sqlite_db(tmp_path)
    started = time.perf_counter()
    result = import_gpg(db, GPG_2017, year=2017, as_of=AS_OF, max_bytes=MAX)
    elapsed = time.perf_counter() - started
    print(f"\n2017-18 register: {len(rows)} employers read, validated (GX) and stored in {elapsed:.2f} s")
    assert result.accepted, result.problems
    assert elapsed < 10, f"importing took {elapsed:.1f} s"
    assert [(y.reporting_year, y.status, y.employers) for y in result.years] == [(2017, "imported", 10_528)]
    assert db_rows(db, "SELECT COUNT(*) AS n FROM gpg_employers")[0]["n"] == len(rows)

    # ten employers spot-checked against the csv module's reading, among them names with doubled quotes
    # and records whose address and SIC codes run over several lines
    picks = [0, 1, 5, 6, 1234, 2500, 4999, 7777, 9000, len(rows) - 1]
    assert '"' in rows[0]["EmployerName"] and "\n" in rows[5]["SicCodes"] and "\n" in rows[0]["Address"]
    for i in picks:
        given = rows[i]
        (stored,) = db_rows(db, "SELECT * FROM gpg_employers WHERE source_row = :row", row=i + 2)
        assert stored["employer_name"] == given["EmployerName"].strip()
        assert stored["company_number"] == (normalise_company_number(given["CompanyNumber"]) or None)
        assert Decimal(str(stored["diff_median_hourly_pct"])) == Decimal(given["DiffMedianHourlyPercent"])
        assert Decimal(str(stored["diff_mean_hourly_pct"])) == Decimal(given["DiffMeanHourlyPercent"])
        assert bool(stored["submitted_late"]) is (given["SubmittedAfterTheDeadline"] == "True")
        assert stored["due_date"] == uk_date(given["DueDate"]).isoformat()
        assert stored["date_submitted"] == uk_date(given["DateSubmitted"]).isoformat()
        assert stored["employer_size"] == given["EmployerSize"]
    # no person's name is stored: ResponsiblePerson never leaves the reader
    people = {rows[i]["ResponsiblePerson"] for i in picks if rows[i]["ResponsiblePerson"]}
    dumped = repr(db_rows(db, "SELECT * FROM gpg_employers"))
    assert not [p for p in people if p in dumped]

    # the same file again changes nothing
    before = db_rows(db, "SELECT * FROM gpg_snapshots")
    again = import_gpg(db, GPG_2017, as_of=AS_OF, max_bytes=MAX)
    assert [y.status for y in again.years] == ["unchanged"] and not again.changed
    assert db_rows(db, "SELECT * FROM gpg_snapshots") == before


# --- malformed files, other years' layout, downloads ------------------------------------------------


@needs_register
def test_a_malformed_register_is_refused_whole_with_its_problems(tmp_path: Path, db_rows, capsys) -> None:
    rows = sample(20)
    rows[3]["FemaleTopQuartile"] = "95.00"  # with MaleTopQuartile no longer 100
    rows[5]["DueDate"] = "31/02/2018 00:00:00"
    rows[7]["CompanyNumber"] = "12-34"
    rows[9]["DiffMedianHourlyPercent"] = "n/a"
    path = write_records(tmp_path / "bad.csv", rows)
    db = sqlite_db(tmp_path)
    result = import_gpg(db, path, as_of=AS_OF, max_bytes=MAX)
    described = [p.describe() for p in result.problems]
    assert not result.accepted and not result.years
    assert any(
        d.startswith("MaleLowerQuartile .. FemaleTopQuartile: men's and women's") and "5" in d for d in described
    )
    assert "DueDate: must be a date written dd/mm/yyyy or yyyy/mm/dd (1 row: 7)" in described
    assert any(d.startswith("CompanyNumber: must be a Companies House number") and "(1 row: 9)" in d for d in described)
    assert "DiffMedianHourlyPercent: must be a number (1 row: 11)" in described
    assert db_rows(db, "SELECT COUNT(*) AS n FROM gpg_snapshots")[0]["n"] == 0  # nothing half-taken

    fields, _ = records()
    path = write_records(tmp_path / "short.csv", rows, [f for f in fields if f != "DiffMedianHourlyPercent"])
    assert main(["registers", "import-gpg", str(path), "--db", f"sqlite:///{tmp_path / 'gwp.db'}"]) == 1
    out = capsys.readouterr().out
    assert "refused" in out and "DiffMedianHourlyPercent: is missing" in out and "nothing was stored" in out


@needs_register
def test_later_years_layout_is_read_by_column_name(tmp_path: Path, db_rows) -> None:
    """From 2018-19: EmployerId and PostCode added, yyyy/mm/dd dates, columns in another order."""
    fields, _ = records()
    rows = sample(10)
    for i, row in enumerate(rows):
        row["EmployerId"] = str(1000 + i)
        row["PostCode"] = "AB1 2CD"
        row["DueDate"] = "2019/04/05 00:00:00"
        row["DateSubmitted"] = "2019/03/28 10:11:12"
    later = ["EmployerId", "PostCode", *reversed(fields)]
    path = write_records(tmp_path / "gpg-2018-2019.csv", rows, later)
    db = sqlite_db(tmp_path)
    refused = import_gpg(db, path, year=2017, as_of=AS_OF, max_bytes=MAX)
    assert [p.column for p in refused.problems] == ["DueDate"] and "not 2017-18" in refused.problems[0].rule
    result = import_gpg(db, path, year=2018, as_of=AS_OF, max_bytes=MAX)
    assert result.accepted and [(y.reporting_year, y.status) for y in result.years] == [(2018, "imported")]
    stored = db_rows(db, "SELECT employer_id, due_date, date_submitted FROM gpg_employers ORDER BY source_row")
    assert stored[0] == {"employer_id": "1000", "due_date": "2019-04-05", "date_submitted": "2019-03-28"}


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real HTTP server in a thread, serving a folder: (folder, base URL)."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@needs_register
def test_the_register_is_downloaded_from_an_http_url(tmp_path: Path, http_folder, db_rows) -> None:
    folder, base = http_folder
    write_records(folder / "gpg.csv", sample(25))
    db = sqlite_db(tmp_path)
    result = import_gpg(db, f"{base}/gpg.csv?token=not-to-be-kept", as_of=AS_OF, max_bytes=MAX)
    assert result.accepted and result.years[0].employers == 25
    (snapshot,) = db_rows(db, "SELECT source, employers FROM gpg_snapshots")
    assert snapshot == {"source": f"{base}/gpg.csv", "employers": 25}  # no query string: it may hold a token
    with pytest.raises(SourceError, match="cannot download"):
        import_gpg(db, f"{base}/missing.csv", as_of=AS_OF, max_bytes=MAX)
    with pytest.raises(SourceError, match="larger than"):
        import_gpg(db, f"{base}/gpg.csv", as_of=AS_OF, max_bytes=1000)


# --- matching ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("08064685", "08064685"),
        ("8064685", "08064685"),  # a leading zero lost (a spreadsheet, unquoted YAML)
        ("64685", "00064685"),
        ("SC016876", "SC016876"),
        ("SC16876", "SC016876"),  # prefix with the zeros lost
        ("sc 016876", "SC016876"),  # case and spaces
        ("NI 12345", "NI012345"),
        ("OC300001", "OC300001"),
        (" 0806 4685 ", "08064685"),
        ("IP28836R", "IP28836R"),  # a registered society, kept as written
        ("", None),
        (None, None),
    ],
)
def test_company_numbers_are_normalised(given, normalised) -> None:
    assert normalise_company_number(given) == normalised
    column = normalise_company_numbers(pd.Series([given], dtype="object")).astype(object)
    assert (None if pd.isna(column[0]) else column[0]) == normalised


def test_identifiers_that_are_not_company_numbers_never_match() -> None:
    assert not looks_like_company_number("SUP-001") and not looks_like_company_number("ACME")
    assert looks_like_company_number("SC 16876") and looks_like_company_number(8064685)


def _period(supplier_id: str, supplier_name: str, headcount: float, median: float | None) -> dict:
    return {
        "submission_id": 1,
        "contract_ref": "C-1",
        "period_start": date(2017, 10, 1),
        "period_end": date(2017, 12, 31),
        "headcount": headcount,
        "returned_median_pct": median,
        "supplier_id": supplier_id,
        "supplier_name": supplier_name,
    }


EMPLOYERS = pd.DataFrame(
    {
        "reporting_year": [2017, 2017],
        "company_number": ["03951948", "SC016876"],
        "employer_name": ["118 LIMITED", '"RED BAND" CHEMICAL COMPANY, LIMITED'],
        "employer_name_key": [normalise_name("118 LIMITED"), normalise_name('"RED BAND" CHEMICAL COMPANY, LIMITED')],
        "diff_median_hourly_pct": [2.8, -2.7],
        "diff_mean_hourly_pct": [1.7, 2.3],
        "link": [None, "https://example.org/gpg"],
        "submitted_late": [False, True],
        "date_submitted": [date(2018, 3, 27), date(2018, 3, 28)],
    }
)
BOTH = pd.DataFrame(
    {"contract_ref": ["C-1", "C-1"], "commitment": ["gpg_published", "gpg_consistent"], "params": ["{}", "{}"]}
)


@pytest.mark.parametrize("supplier_id", ["3951948", "03951948", "0395 1948"])
def test_a_supplier_is_matched_by_its_normalised_number(supplier_id: str) -> None:
    checks = build_checks(pd.DataFrame([_period(supplier_id, "Other name", 40, 3.0)]), EMPLOYERS, {2017}, AS_OF)
    assert checks.loc[0, "matched_by"] == "company_number" and bool(checks.loc[0, "published"])
    verdicts = decide(checks, BOTH).set_index("commitment")
    assert verdicts.loc["gpg_published", "status"] == "compliant"
    assert verdicts.loc["gpg_consistent", "status"] == "compliant"  # 3.0 against 2.8: within 5 points
    assert verdicts.loc["gpg_consistent", "observed_value"] == pytest.approx(0.2)


def test_a_scottish_number_with_its_prefix_matches() -> None:
    checks = build_checks(pd.DataFrame([_period("sc 16876", "Red Band", 300, 10.0)]), EMPLOYERS, {2017}, AS_OF)
    assert checks.loc[0, "matched_by"] == "company_number" and checks.loc[0, "published_median_pct"] == -2.7
    assert checks.loc[0, "submitted_late"] is True and checks.loc[0, "register_link"] == "https://example.org/gpg"
    verdicts = decide(checks, BOTH).set_index("commitment")
    assert verdicts.loc["gpg_consistent", "status"] == "breach"  # 12.7 points apart
    assert "12.7 points apart" in verdicts.loc["gpg_consistent", "detail"]


def test_a_name_only_match_is_a_suggestion_never_a_verdict() -> None:
    """The supplier has no Companies House number; the register holds an employer of the very same name."""
    checks = build_checks(pd.DataFrame([_period("SUP-118", "118 Limited", 400, 2.8)]), EMPLOYERS, {2017}, AS_OF)
    row = checks.loc[0]
    assert row["matched_by"] == "none" and pd.isna(row["published"]) and pd.isna(row["published_median_pct"])
    assert row["name_suggestion"] == "118 LIMITED (company 03951948)"
    assert "add its number" in row["note"]
    verdicts = decide(checks, BOTH)
    assert set(verdicts["status"]) == {"not_assessable"}  # 400 staff, same name: still no verdict
    assert verdicts["observed_value"].isna().all()
    assert all("no Companies House number" in d for d in verdicts["detail"])


def test_no_verdict_before_the_figures_are_due_and_small_suppliers_need_not_publish() -> None:
    early = build_checks(pd.DataFrame([_period(ABSENT, "X", 400, 3.0)]), EMPLOYERS, {2017}, date(2018, 3, 1))
    assert decide(early, BOTH).empty  # 2017-18 figures are due by 4 April 2018
    small = build_checks(pd.DataFrame([_period(ABSENT, "X", 40, 3.0)]), EMPLOYERS, {2017}, AS_OF)
    verdicts = decide(small, BOTH).set_index("commitment")
    assert verdicts.loc["gpg_published", "status"] == "not_assessable"
    assert "under 250" in verdicts.loc["gpg_published", "detail"]
    unimported = build_checks(pd.DataFrame([_period(ABSENT, "X", 400, 3.0)]), EMPLOYERS, set(), AS_OF)
    assert "has not been imported" in decide(unimported, BOTH).set_index("commitment").loc["gpg_published", "detail"]


# --- acceptance: three suppliers with real numbers, through the pipeline, on SQLite and PostgreSQL ----


@needs_register
def test_three_suppliers_checked_against_the_2017_18_register(
    reporting_db_url, tmp_path: Path, landing_writer, returns, db_rows
) -> None:
    from gwp_monitor.pipeline import run_pipeline
    from gwp_monitor.report.build import build_report

    _, rows = records()
    assert ABSENT not in {r["CompanyNumber"] for r in rows}
    published = {r["CompanyNumber"]: r for r in rows if r["CompanyNumber"] in (CONSISTENT, OFF)}
    assert published[CONSISTENT]["DiffMedianHourlyPercent"] == "2.80"
    assert published[OFF]["DiffMedianHourlyPercent"] == "36.00"
    register_file = write_records(tmp_path / "gpg-2017-2018.csv", sample(40, CONSISTENT, OFF))

    commitments = ["gpg_published", {"type": "gpg_consistent", "tolerance_pct": 5}]
    register = make_register(
        tmp_path,
        *(
            contract(
                ref,
                supplier_id=number,
                supplier_name=name,
                start_date="2017-10-01",
                end_date="2017-12-31",
                payroll=None,
                workforce=QUARTERLY_WORKFORCE,
                commitments=commitments,
            )
            for ref, number, name in (
                ("GPG-A", "3951948", "118 Limited"),  # the leading zero lost in the contract register
                ("GPG-B", OFF, "123 Employees Ltd"),
                ("GPG-C", ABSENT, "Absent Care Ltd"),
            )
        ),
    )
    q4 = ("2017-10-01", "2017-12-31")
    landing_writer(
        "workforce-q4.csv",
        [
            returns.workforce_row(q4, contract_ref="GPG-A", headcount="300", gender_pay_gap_median_pct="3.5"),
            returns.workforce_row(q4, contract_ref="GPG-B", headcount="260", gender_pay_gap_median_pct="4.0"),
            returns.workforce_row(q4, contract_ref="GPG-C", headcount="310", gender_pay_gap_median_pct="9.0"),
        ],
        "2018-01-20T09:00:00",
    )
    db = open_database(reporting_db_url)
    try:
        summary = run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
        assert summary.outcomes["accepted"] == 3

        def verdicts() -> dict[tuple[str, str], dict]:
            found = db_rows(
                db,
                "SELECT contract_ref, commitment, status, observed_value, threshold, detail FROM v_compliance_history "
                "WHERE commitment IN ('gpg_published', 'gpg_consistent')",
            )
            return {(v["contract_ref"], v["commitment"]): v for v in found}

        before = verdicts()  # the register is not imported yet: nothing can be told
        assert {v["status"] for v in before.values()} == {"not_assessable"} and len(before) == 6
        assert all("has not been imported" in v["detail"] for v in before.values())

        result = import_gpg(db, register_file, year=2017, as_of=AS_OF, max_bytes=MAX)
        assert result.accepted and result.checks is not None and result.checks.published == 2
        after = verdicts()
        assert {k: v["status"] for k, v in after.items()} == {
            ("GPG-A", "gpg_published"): "compliant",
            ("GPG-A", "gpg_consistent"): "compliant",
            ("GPG-B", "gpg_published"): "compliant",
            ("GPG-B", "gpg_consistent"): "breach",
            ("GPG-C", "gpg_published"): "breach",
            ("GPG-C", "gpg_consistent"): "not_assessable",
        }
        assert float(after[("GPG-A", "gpg_consistent")]["observed_value"]) == pytest.approx(0.7)
        assert float(after[("GPG-B", "gpg_consistent")]["observed_value"]) == pytest.approx(32.0)
        assert float(after[("GPG-B", "gpg_consistent")]["threshold"]) == 5
        assert float(after[("GPG-C", "gpg_published")]["observed_value"]) == 0
        assert "310 staff on the contract" in after[("GPG-C", "gpg_published")]["detail"]

        checks = {
            r["contract_ref"]: r
            for r in db_rows(
                db,
                "SELECT contract_ref, supplier_id, reporting_year, published, published_median_pct, "
                "published_mean_pct, returned_median_pct, difference_pct, submitted_late, matched_by "
                "FROM v_public_register_checks",
            )
        }
        a, b, c = checks["GPG-A"], checks["GPG-B"], checks["GPG-C"]
        assert (a["supplier_id"], a["reporting_year"], a["matched_by"]) == ("3951948", 2017, "company_number")
        assert bool(a["published"]) and not bool(a["submitted_late"])
        assert [float(a[k]) for k in ("published_median_pct", "published_mean_pct", "returned_median_pct")] == [
            2.8,
            1.7,
            3.5,
        ]
        assert float(a["difference_pct"]) == pytest.approx(0.7)
        assert bool(b["submitted_late"]) and float(b["difference_pct"]) == pytest.approx(-32.0)
        assert c["matched_by"] == "none" and c["published"] is not None and not bool(c["published"])
        assert c["published_median_pct"] is None

        # a later run changes nothing; a re-import of the same file neither
        run_pipeline(register, landing_writer.folder, db, as_of=AS_OF)
        assert not import_gpg(db, register_file, as_of=AS_OF, max_bytes=MAX).changed
        assert {k: v["status"] for k, v in verdicts().items()} == {k: v["status"] for k, v in after.items()}

        # the contract page shows the published figures beside the returned ones, with the register's link
        index = build_report(db, tmp_path / "report", AS_OF)
        page = next(p for p in (index.parent / "contract").glob("*.html") if "GPG-B" in p.name).read_text()
        assert "Gender pay gap: returned and published" in page
        assert "36.0%" in page and "4.0%" in page and "2017-18" in page
        assert "https://gender-pay-gap.service.gov.uk/" in page
    finally:
        db.engine.dispose()


def test_the_command_explains_itself(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["registers", "import-gpg", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "FILE_OR_URL" in out and "--year" in out and "Companies House number" in out
    assert "GWP_GPG_REGISTER_SOURCE" in out


@needs_register
def test_the_monthly_dag_step_imports_the_configured_source(tmp_path: Path, db_rows) -> None:
    """What the gwp_public_registers DAG's task runs (orchestration, tested without Airflow)."""
    from gwp_monitor import orchestration
    from gwp_monitor.config.settings import Settings

    url = f"sqlite:///{(tmp_path / 'gwp.db').as_posix()}"
    with pytest.raises(orchestration.ConfigurationError, match="GWP_GPG_REGISTER_SOURCE"):
        orchestration.import_public_registers(Settings.load(environ={}, database_url=url))
    good = write_records(tmp_path / "gpg.csv", sample(15))
    settings = Settings.load(
        environ={"GWP_GPG_REGISTER_SOURCE": str(good), "GWP_AS_OF": "2018-06-30"}, database_url=url
    )
    assert orchestration.import_public_registers(settings) == {
        "employers": 15,
        "2017": "imported",
        "periods_checked": 0,
    }
    assert orchestration.import_public_registers(settings)["2017"] == "unchanged"
    rows = sample(15)
    rows[0]["MaleLowerQuartile"] = "150"
    bad = write_records(tmp_path / "bad.csv", rows)
    with pytest.raises(orchestration.ConfigurationError, match="MaleLowerQuartile: must be a share between 0 and 100"):
        orchestration.import_public_registers(
            Settings.load(environ={"GWP_GPG_REGISTER_SOURCE": str(bad)}, database_url=url)
        )
    assert db_rows(open_database(url), "SELECT employers FROM gpg_snapshots") == [{"employers": 15}]


def test_the_contract_page_panel_appears_once_the_register_tells_something() -> None:
    from gwp_monitor.report.contract import _register_checks

    untold = {"period_start": "2017-10-01", "reporting_year": 2017, "published": None, "name_suggestion": None}
    assert _register_checks([untold]) == []  # no year imported yet: no panel of "cannot tell" rows
    link = {"register_link": "javascript:alert(1)", "published_median_pct": 19, "returned_median_pct": 4}
    (row,) = _register_checks([{**untold, **link, "published": True}])
    assert row.year == "2017-18" and row.link is None and row.figures[0] == "19.0%" and row.figures[2] == "4.0%"
