"""The dashboard renderer, checked on hand-built view frames (no database, no browser).

The frames imitate what the reporting views of spec 5 hold for four contracts: one red (Real Living
Wage and statutory minimum breaches), one amber with a "/" in its reference, a hostile supplier name
and a rejected payroll return, one green with London workers and workers at risk from the upcoming
Real Living Wage, and one brand-new contract with no data at all. ``sample_report_data`` is reused
by the browser tests.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from gwp_monitor.report import VIEW_COLUMNS, ReportData, build_site, contract_file_name, render_site
from gwp_monitor.report.data import OPTIONAL_VIEW_COLUMNS

AS_OF = date(2026, 4, 20)
GENERATED = datetime(2026, 4, 20, 6, 0, tzinfo=UTC)
FRESHNESS = datetime(2026, 4, 14, 9, 12, tzinfo=UTC)

RED = "NCC-2025-0142"
AMBER = "LCC/HOUS/2024/07"
GREEN = "GMCA-FM-031"
NEW = "WG-SOC-2026-004"
HOSTILE_SUPPLIER = 'Acme <script>alert("x")</script> Facilities'
FORMULA_SUPPLIER = "=cmd|' /C calc'!A0 Ltd"
SUPPLIERS = {
    RED: "Tyneside Care Ltd",
    AMBER: HOSTILE_SUPPLIER,
    GREEN: "Northern Cleaning Co-operative",
    NEW: FORMULA_SUPPLIER,
}
SEVERITY = {"statutory_minimum_wage": "critical", "real_living_wage": "high"}
TITLES = {RED: "Home care, North Tyneside", AMBER: "Housing repairs", GREEN: "Office cleaning", NEW: "Social care"}
_WAGE = ("statutory_minimum_wage", "real_living_wage")
REGISTER_COMMITMENTS = {
    RED: (*_WAGE, "max_zero_hours_share", "min_apprentices", "min_local_resident_share", "worker_voice"),
    AMBER: (*_WAGE, "max_agency_share", "flexible_working"),
    GREEN: (*_WAGE, "gender_pay_gap_reported", "max_gender_pay_gap", "min_training_hours_per_fte"),
    NEW: (*_WAGE, "worker_voice"),  # nothing assessed yet: the page lists them with why
}


def _month(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
    return start, end


MONTHS = [_month(2025, m) for m in range(7, 13)] + [_month(2026, m) for m in range(1, 4)]  # Jul 2025 - Mar 2026
QUARTERS = [(date(2025, 7, 1), date(2025, 9, 30)), (date(2025, 10, 1), date(2025, 12, 31))]


@dataclass
class _Frames:
    history: list[dict[str, Any]] = field(default_factory=list)
    wages: list[dict[str, Any]] = field(default_factory=list)
    breaches: list[dict[str, Any]] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    timeliness: list[dict[str, Any]] = field(default_factory=list)
    owed: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def owed_row(
        self, ref: str, period: tuple[date, date], workers: int, gbp: float, uplift: tuple[int, float] | None = None
    ) -> None:
        """A v_owed_to_workers row; ``uplift`` is (workers below the upcoming rate, cost) from 1 May 2026."""
        self.owed.append(
            {
                "contract_ref": ref,
                "period_start": period[0],
                "period_end": period[1],
                "workers_owed": workers,
                "owed_gbp": gbp,
                "uplift_from": date(2026, 5, 1) if uplift else None,
                "workers_below_uplift": uplift[0] if uplift else None,
                "uplift_cost_gbp": uplift[1] if uplift else None,
            }
        )

    def verdict(
        self,
        ref: str,
        commitment: str,
        period: tuple[date, date],
        status: str,
        observed: Any,
        threshold: Any,
        detail: str,
    ) -> None:
        self.history.append(
            {
                "contract_ref": ref,
                "supplier_name": SUPPLIERS[ref],
                "commitment": commitment,
                "period_start": period[0],
                "period_end": period[1],
                "status": status,
                "severity": SEVERITY.get(commitment, "medium"),
                "observed_value": observed,
                "threshold": threshold,
                "detail": detail,
                "assessed_at": datetime(2026, 4, 15, 2, 0, tzinfo=UTC),
            }
        )

    def wage(
        self,
        ref: str,
        period: tuple[date, date],
        rate_type: str,
        band: str,
        required: float,
        assessed: int,
        below: int,
        lowest: float,
        arrears: float,
        upcoming: float | None = None,
        below_upcoming: int | None = None,
    ) -> None:
        self.wages.append(
            {
                "contract_ref": ref,
                "period_start": period[0],
                "period_end": period[1],
                "rate_type": rate_type,
                "band": band,
                "required_rate": required,
                "workers_assessed": assessed,
                "workers_below": below,
                "lowest_rate": lowest,
                "arrears_gbp": arrears,
                "upcoming_rate": upcoming,
                "workers_below_upcoming": below_upcoming,
            }
        )

    def submission(
        self,
        sid: int,
        ref: str | None,
        kind: str | None,
        period: tuple[date, date] | None,
        status: str,
        received: datetime,
        rows: int,
        errors: list[str] | None = None,
        file_name: str | None = None,
    ) -> None:
        sha = hashlib.sha256(f"{sid}-{ref}-{kind}".encode()).hexdigest()
        self.submissions.append(
            {
                "submission_id": sid,
                "contract_ref": ref,
                "kind": kind,
                "period_start": period[0] if period else None,
                "period_end": period[1] if period else None,
                "status": status,
                "file_name": file_name
                or (f"{(ref or 'unknown').replace('/', '-')}_{kind}_{period[0]:%Y-%m}.csv" if period else "upload.bin"),
                "file_sha256": sha,
                "received_at": received,
                "row_count": rows,
                "error_count": len(errors or []),
                "errors": "\n".join(errors) if errors else None,
            }
        )

    def due(self, ref: str, kind: str, period: tuple[date, date], due: date, status: str) -> None:
        self.timeliness.append(
            {
                "contract_ref": ref,
                "kind": kind,
                "period_start": period[0],
                "period_end": period[1],
                "due_date": due,
                "status": status,
            }
        )


def _frame(rows: list[dict[str, Any]], view: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(VIEW_COLUMNS[view]))


def sample_report_data() -> ReportData:
    """Four contracts, nine months of payroll and two quarters of workforce verdicts (see module doc)."""
    f = _Frames()
    sid = 100
    # --- RED: RLW breached Jan-Mar 2026, statutory minimum breached in Mar 2026, zero-hours breach in Q3.
    rlw_below = {date(2026, 1, 1): 4, date(2026, 2, 1): 6, date(2026, 3, 1): 5}
    smw_below = {date(2026, 3, 1): 2}
    for i, period in enumerate(MONTHS):
        below = rlw_below.get(period[0], 0)
        arrears = {4: 812.40, 6: 1204.75, 5: 990.10}.get(below, 0.0)
        f.verdict(
            RED,
            "real_living_wage",
            period,
            "breach" if below else "compliant",
            below,
            0,
            f"{below} workers below £12.60" if below else "all workers at or above £12.60",
        )
        s_below = smw_below.get(period[0], 0)
        f.verdict(
            RED,
            "statutory_minimum_wage",
            period,
            "breach" if s_below else "compliant",
            s_below,
            0,
            "2 workers aged 21 and over below £12.21" if s_below else "",
        )
        f.wage(
            RED,
            period,
            "real_living_wage",
            "uk",
            12.60,
            38 + i,
            below,
            11.95 if below else 12.60,
            arrears,
            13.45 if period[0] >= date(2025, 11, 1) else None,
            17 if period[0] >= date(2025, 11, 1) else None,
        )
        f.wage(
            RED,
            period,
            "statutory_minimum_wage",
            "21_plus",
            12.21,
            33 + i,
            s_below,
            11.80 if s_below else 12.60,
            305.55 if s_below else 0.0,
        )
        f.wage(RED, period, "statutory_minimum_wage", "18_20", 10.00, 3, 0, 12.60, 0.0)
        f.wage(RED, period, "statutory_minimum_wage", "apprentice", 7.55, 2, 0, 9.50, 0.0)
        # Owed to workers: March's 2 workers below the statutory minimum are among its 5 below the Real
        # Living Wage, so March is owed more than 990.10 but less than 990.10 + 305.55.
        owed_gbp = {4: 812.40, 6: 1204.75, 5: 1100.00}.get(below, 0.0)
        f.owed_row(RED, period, below, owed_gbp, (17, 1530.25) if period[0] >= date(2025, 11, 1) else None)
        received = datetime(period[1].year + (period[1].month == 12), period[1].month % 12 + 1, 10, 11, 30, tzinfo=UTC)
        late = period[0] == date(2026, 2, 1)
        if late:
            f.submission(sid, RED, "payroll", period, "superseded", datetime(2026, 3, 12, 9, 0, tzinfo=UTC), 41)
            f.changes.append(
                {
                    "contract_ref": RED,
                    "kind": "payroll",
                    "period_start": period[0],
                    "period_end": period[1],
                    "commitment": "real_living_wage",
                    "previous_submission_id": sid,
                    "new_submission_id": sid + 1,
                    "changed_at": "2026-03-19T02:00:00.000Z",
                    "previous_status": "breach",
                    "new_status": "breach",
                    "previous_observed_value": 9,
                    "new_observed_value": 6,
                    "previous_arrears_gbp": 1650.20,
                    "new_arrears_gbp": 1204.75,
                }
            )
            sid += 1
            received = datetime(2026, 3, 18, 16, 45, tzinfo=UTC)
        f.submission(sid, RED, "payroll", period, "accepted", received, 40 + i)
        sid += 1
        f.due(
            RED,
            "payroll",
            period,
            date(period[1].year + (period[1].month == 12), period[1].month % 12 + 1, 15),
            "received_late" if late else "received_on_time",
        )
    for q, (zh, status) in zip(QUARTERS, [(0.07, "breach"), (0.04, "compliant")], strict=False):
        f.verdict(
            RED, "max_zero_hours_share", q, status, zh, 0.05, f"{zh:.0%} of the workforce on zero-hours contracts"
        )
        f.verdict(RED, "min_apprentices", q, "compliant", 2, 2, "2 apprentices")
        f.verdict(RED, "min_local_resident_share", q, "compliant", 0.41, 0.30, "41% local residents")
        f.verdict(RED, "worker_voice", q, "compliant", 1, 1, "recognised trade union")
        f.submission(
            sid,
            RED,
            "workforce",
            q,
            "accepted",
            datetime(q[1].year + (q[1].month == 12), q[1].month % 12 + 1, 20, 8, 0, tzinfo=UTC),
            1,
        )
        sid += 1
        f.due(RED, "workforce", q, date(q[1].year + (q[1].month == 12), q[1].month % 12 + 1, 30), "received_on_time")
    f.due(RED, "workforce", (date(2026, 1, 1), date(2026, 3, 31)), date(2026, 4, 30), "awaiting")
    f.breaches.append(
        {
            "contract_ref": RED,
            "commitment": "real_living_wage",
            "severity": "high",
            "first_period_start": date(2026, 1, 1),
            "latest_period_end": date(2026, 3, 31),
            "periods_in_breach": 3,
            "workers_affected": 5,
            "arrears_gbp": 3007.25,
        }
    )
    f.breaches.append(
        {
            "contract_ref": RED,
            "commitment": "statutory_minimum_wage",
            "severity": "critical",
            "first_period_start": date(2026, 3, 1),
            "latest_period_end": date(2026, 3, 31),
            "periods_in_breach": 1,
            "workers_affected": 2,
            "arrears_gbp": 305.55,
        }
    )

    # --- AMBER: everything kept, but March payroll rejected (so not assessable) and the Q4 workforce return overdue.
    for i, period in enumerate(MONTHS):
        rejected = period[0] == date(2026, 3, 1)
        for commitment in ("statutory_minimum_wage", "real_living_wage"):
            if rejected:
                f.verdict(AMBER, commitment, period, "not_assessable", None, None, "payroll return rejected")
            else:
                f.verdict(AMBER, commitment, period, "compliant", 0, 0, "")
        if not rejected:
            f.wage(AMBER, period, "real_living_wage", "uk", 12.60, 120 + i, 0, 12.75, 0.0)
            f.wage(AMBER, period, "real_living_wage", "london", 13.85, 4, 0, 14.10, 0.0)
            f.wage(AMBER, period, "statutory_minimum_wage", "21_plus", 12.21, 118 + i, 0, 12.75, 0.0)
            f.owed_row(AMBER, period, 0, 0.0)
            f.submission(
                sid,
                AMBER,
                "payroll",
                period,
                "accepted",
                datetime(period[1].year + (period[1].month == 12), period[1].month % 12 + 1, 3, 14, 5, tzinfo=UTC),
                124 + i,
            )
            f.due(
                AMBER,
                "payroll",
                period,
                date(period[1].year + (period[1].month == 12), period[1].month % 12 + 1, 15),
                "received_on_time",
            )
        else:
            f.submission(
                sid,
                AMBER,
                "payroll",
                period,
                "rejected",
                datetime(2026, 4, 14, 9, 12, tzinfo=UTC),
                131,
                errors=[
                    "hourly_rate: must agree with basic_pay / hours_paid within 1% (3 rows; first rows 14, 27, 31)",
                    "worker_ref: looks like a National Insurance number (1 row; first rows 9)",
                    'employer: <b>bold</b> & =HYPERLINK("x") is not allowed',
                ],
                file_name="march<img src=x onerror=alert(1)>.csv",
            )
            f.due(AMBER, "payroll", period, date(2026, 4, 15), "overdue")
        sid += 1
    f.verdict(AMBER, "max_agency_share", QUARTERS[0], "compliant", 0.08, 0.10, "8% agency workers")
    f.verdict(AMBER, "flexible_working", QUARTERS[0], "compliant", 1, 1, "")
    f.verdict(AMBER, "max_agency_share", QUARTERS[1], "not_assessable", None, None, "workforce return overdue")
    f.verdict(AMBER, "flexible_working", QUARTERS[1], "not_assessable", None, None, "workforce return overdue")
    f.submission(sid, AMBER, "workforce", QUARTERS[0], "accepted", datetime(2025, 10, 28, 10, 0, tzinfo=UTC), 1)
    sid += 1
    f.due(AMBER, "workforce", QUARTERS[0], date(2025, 10, 30), "received_on_time")
    f.due(AMBER, "workforce", QUARTERS[1], date(2026, 1, 30), "overdue")

    # --- GREEN: London and UK workers, all kept; some paid below next year's Real Living Wage.
    for i, period in enumerate(MONTHS[3:]):
        f.verdict(GREEN, "statutory_minimum_wage", period, "compliant", 0, 0, "")
        f.verdict(GREEN, "real_living_wage", period, "compliant", 0, 0, "")
        up = period[0] >= date(2025, 11, 1)
        f.wage(
            GREEN,
            period,
            "real_living_wage",
            "uk",
            12.60,
            52,
            0,
            12.60,
            0.0,
            13.45 if up else None,
            9 + i if up else None,
        )
        f.wage(
            GREEN,
            period,
            "real_living_wage",
            "london",
            13.85,
            11,
            0,
            13.85,
            0.0,
            14.80 if up else None,
            3 if up else None,
        )
        f.wage(GREEN, period, "statutory_minimum_wage", "21_plus", 12.21, 60, 0, 12.60, 0.0)
        f.wage(GREEN, period, "statutory_minimum_wage", "apprentice", 7.55, 3, 0, 8.10, 0.0)
        f.owed_row(GREEN, period, 0, 0.0, (12 + i, 402.50 + 10 * i) if up else None)
        f.submission(
            sid,
            GREEN,
            "payroll",
            period,
            "accepted",
            datetime(period[1].year + (period[1].month == 12), period[1].month % 12 + 1, 7, 8, 30, tzinfo=UTC),
            66,
        )
        sid += 1
        f.due(
            GREEN,
            "payroll",
            period,
            date(period[1].year + (period[1].month == 12), period[1].month % 12 + 1, 15),
            "received_on_time",
        )
    f.due(NEW, "payroll", _month(2026, 4), date(2026, 5, 15), "awaiting")
    f.verdict(GREEN, "gender_pay_gap_reported", QUARTERS[1], "compliant", 1, 1, "")
    f.verdict(GREEN, "max_gender_pay_gap", QUARTERS[1], "compliant", 4.2, 10, "median gap 4.2%")
    f.verdict(GREEN, "min_training_hours_per_fte", QUARTERS[1], "compliant", 12.5, 10, "")

    # --- A file nobody could read: no contract, no kind.
    f.submission(
        900,
        None,
        None,
        None,
        "rejected",
        datetime(2026, 4, 2, 7, 45, tzinfo=UTC),
        0,
        errors=["the file is neither CSV nor XLSX"],
        file_name="scan.pdf",
    )

    status = pd.DataFrame(
        [
            {
                "contract_ref": GREEN,
                "supplier_name": SUPPLIERS[GREEN],
                "rag": "green",
                "open_breaches": 0,
                "overdue_returns": 0,
                "last_submission_at": datetime(2026, 4, 7, 8, 30, tzinfo=UTC),
            },
            {
                "contract_ref": RED,
                "supplier_name": SUPPLIERS[RED],
                "rag": "red",
                "open_breaches": 2,
                "overdue_returns": 0,
                "last_submission_at": datetime(2026, 4, 10, 11, 30, tzinfo=UTC),
            },
            {
                "contract_ref": NEW,
                "supplier_name": SUPPLIERS[NEW],
                "rag": "green",
                "open_breaches": 0,
                "overdue_returns": 0,
                "last_submission_at": None,
            },
            {
                "contract_ref": AMBER,
                "supplier_name": SUPPLIERS[AMBER],
                "rag": "amber",
                "open_breaches": 0,
                "overdue_returns": 2,
                "last_submission_at": datetime(2026, 4, 14, 9, 12, tzinfo=UTC),
            },
        ],
        columns=list(VIEW_COLUMNS["contract_status"]),
    )
    rejected_id = next(
        s["submission_id"] for s in f.submissions if s["status"] == "rejected" and s["contract_ref"] == AMBER
    )
    first_red = next(s["submission_id"] for s in f.submissions if s["contract_ref"] == RED)
    return ReportData(
        contract_status=status,
        compliance_history=_frame(f.history, "compliance_history"),
        open_breaches=_frame(f.breaches, "open_breaches"),
        wage_compliance=_frame(f.wages, "wage_compliance"),
        submissions=_frame(f.submissions, "submissions"),
        return_timeliness=_frame(f.timeliness, "return_timeliness"),
        owed_to_workers=pd.DataFrame(f.owed, columns=list(OPTIONAL_VIEW_COLUMNS["owed_to_workers"])),
        resubmission_changes=pd.DataFrame(f.changes, columns=list(OPTIONAL_VIEW_COLUMNS["resubmission_changes"])),
        register=pd.DataFrame(
            [
                {
                    "contract_ref": ref,
                    "title": TITLES[ref],
                    "contract_manager": f"manager.{n}@council.example",
                    "supplier_contact": None if ref == NEW else f"returns.{n}@supplier.example",
                }
                for n, ref in enumerate(SUPPLIERS)
            ]
        ),
        register_commitments=pd.DataFrame(
            [
                {"contract_ref": ref, "commitment": c, "severity": SEVERITY.get(c, "medium")}
                for ref, commitments in REGISTER_COMMITMENTS.items()
                for c in commitments
            ]
        ),
        generated_at=GENERATED,
        as_of=AS_OF,
        data_freshness=FRESHNESS,
        data_docs_href={
            rejected_id: f"data_docs/validations/{rejected_id}.html",
            str(first_red): f"data_docs/validations/{first_red}.html",
        },
    )


# --------------------------------------------------------------------------------------------------
# A small DOM, enough to query rendered pages by tag, class and attribute.

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def _all_text(self) -> str:
        parts: list[str] = []
        self._collect(parts)
        return "".join(parts)

    def _collect(self, parts: list[str]) -> None:
        parts.extend(self.text_parts)
        for child in self.children:
            child._collect(parts)

    def iter(self) -> list[Node]:
        out = [self]
        for child in self.children:
            out.extend(child.iter())
        return out

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()[1:]
            if (tag is None or n.tag == tag)
            and (cls is None or cls in n.classes)
            and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]


class _Builder(HTMLParser):
    """Text is appended in document order to the innermost open element (good enough for assertions)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: (v if v is not None else "") for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        # Keep order between text and child elements by storing text as a text node.
        text_node = Node("#text", {}, text_parts=[data])
        self.stack[-1].children.append(text_node)


def parse(html_text: str) -> Node:
    builder = _Builder()
    builder.feed(html_text)
    builder.close()
    return builder.root


def text_of(node: Node) -> str:
    return re.sub(r"\s+", " ", node._all_text()).strip()


# --------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def data() -> ReportData:
    return sample_report_data()


@pytest.fixture(scope="module")
def site(data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    index = render_site(data, out)
    assert index == out / "index.html"
    return out


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


def _contract_page(site: Path, ref: str) -> Node:
    return parse((site / "contract" / contract_file_name(ref)).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------------
# Overview


def test_every_contract_is_listed_with_its_rag_as_text(site: Path) -> None:
    doc = parse((site / "index.html").read_text(encoding="utf-8"))
    rows = {r.attrs["data-ref"]: r for r in doc.find("table", id="contracts").find_all("tr") if "data-ref" in r.attrs}
    assert set(rows) == {RED, AMBER, GREEN, NEW}
    expected = {RED: "Red", AMBER: "Amber", GREEN: "Green", NEW: "Green"}
    for ref, rag in expected.items():
        cell = rows[ref].find("td", cls="rag-cell")
        assert text_of(cell.find("span", cls="tag-text")) == rag
        assert rows[ref].attrs["data-rag"] == rag.lower()
        assert rag.lower() in cell.find("span", cls="tag").classes  # colour comes from the class
    order = [r.attrs["data-ref"] for r in doc.find("table", id="contracts").find_all("tr") if "data-ref" in r.attrs]
    assert order[0] == RED and order[1] == AMBER  # worst first


def test_overview_shows_supplier_breaches_arrears_overdue_and_last_submission(site: Path) -> None:
    doc = parse((site / "index.html").read_text(encoding="utf-8"))
    row = next(r for r in doc.find_all("tr") if r.attrs.get("data-ref") == RED)
    cells = [text_of(c) for c in row.find_all("td")]
    assert cells[1] == "Tyneside Care Ltd"
    assert cells[3] == "2"
    # Owed to workers over the open wage breaches (Jan-Mar 2026): 812.40 + 1,204.75 + 1,100.00, not the
    # breaches' arrears summed (3,007.25 + 305.55 = 3,312.80 would count March's two workers twice).
    assert cells[4] == "£3,117.15"
    assert cells[5] == "0"
    assert cells[6] == "10 Apr 2026, 11:30 UTC"
    new_row = next(r for r in doc.find_all("tr") if r.attrs.get("data-ref") == NEW)
    assert "None yet" in text_of(new_row)
    amber = next(r for r in doc.find_all("tr") if r.attrs.get("data-ref") == AMBER)
    assert [text_of(c) for c in amber.find_all("td")][5] == "2"


def test_summary_tiles_count_contracts_arrears_and_overdue_returns(site: Path) -> None:
    doc = parse((site / "index.html").read_text(encoding="utf-8"))
    tiles = {
        text_of(t.find("span", cls="tile-label")): text_of(t.find("span", cls="tile-value"))
        for t in doc.find_all(cls="tile")
    }
    assert tiles["contracts red"] == "1"
    assert tiles["contracts amber"] == "1"
    assert tiles["contracts green"] == "2"
    assert tiles["owed to workers"] == "£3,117.15"
    assert tiles["returns overdue"] == "2"
    assert tiles["open breaches"] == "2"


def test_overview_has_sort_buttons_and_filters(site: Path) -> None:
    doc = parse((site / "index.html").read_text(encoding="utf-8"))
    table = doc.find("table", id="contracts")
    assert "data-sortable" in table.attrs
    headers = table.find("thead").find_all("th")
    assert all(h.find_all("button", cls="sort") for h in headers)
    assert doc.find("input", id="filter-text")
    options = [o.attrs["value"] for o in doc.find("select", id="filter-rag").find_all("option")]
    assert options == ["", "red", "amber", "green"]


def test_unreadable_return_is_listed_on_the_overview(site: Path) -> None:
    doc = parse((site / "index.html").read_text(encoding="utf-8"))
    section = doc.find("section", aria_labelledby="unmatched-h")
    assert "scan.pdf" in text_of(section)
    assert "the file is neither CSV nor XLSX" in text_of(section)


# --------------------------------------------------------------------------------------------------
# Contract pages


def test_every_contract_has_a_page_linked_from_the_overview(site: Path) -> None:
    doc = parse((site / "index.html").read_text(encoding="utf-8"))
    links = [a.attrs["href"] for a in doc.find_all("a", cls="contract-link")]
    assert len(links) == 4
    for href in links:
        assert href.startswith("contract/") and "/" not in href[len("contract/") :]
        assert (site / href).is_file()
    assert (site / "contract" / contract_file_name(AMBER)).is_file()
    assert sorted(p.name for p in (site / "contract").iterdir()) == sorted(
        contract_file_name(r) for r in (RED, AMBER, GREEN, NEW)
    )


def test_grid_cells_carry_verdict_classes(site: Path) -> None:
    doc = _contract_page(site, RED)
    grid = doc.find("table", cls="grid")
    cells = grid.find_all("td", cls="verdict")
    by_status: dict[str, int] = {}
    for cell in cells:
        status = cell.attrs["data-status"]
        assert status in cell.classes
        by_status[status] = by_status.get(status, 0) + 1
        assert cell.attrs["title"]  # tooltip with the figures
        assert text_of(cell)  # a symbol and screen-reader text, not colour alone
    assert by_status == {"breach": 5, "compliant": 21}  # 9 months x 2 wage checks + 2 quarters x 4 - 5 breaches
    rows = [text_of(r.find("th")) for r in grid.find("tbody").find_all("tr")]
    assert rows[0].startswith("Statutory minimum wage") and rows[1].startswith("Real Living Wage")
    breach = next(c for c in cells if c.attrs["data-status"] == "breach" and c.attrs["data-period"] == "2026-02-01")
    assert "Observed: 6 workers below" in breach.attrs["title"]
    assert "6 workers below £12.60" in breach.attrs["title"]
    quarterly = [c for c in cells if c.attrs.get("colspan") == "3"]
    assert len(quarterly) == 8  # workforce verdicts span their three months
    amber = _contract_page(site, AMBER).find("table", cls="grid").find_all("td", cls="not_assessable")
    assert len(amber) == 4


def test_svg_charts_have_drawn_marks(site: Path) -> None:
    doc = _contract_page(site, RED)
    charts = doc.find_all("svg", cls="chart")
    assert len(charts) == 2
    below, arrears = charts
    paths = [p for p in below.find_all("path", cls="line") if len(re.findall(r"[ML]", p.attrs["d"])) >= 2]
    assert len(paths) == 4  # RLW (UK) and three statutory bands
    assert len(below.find_all(cls="dot")) == 4 * len(MONTHS)
    bars = [
        r for r in arrears.find_all("rect", cls="bar") if float(r.attrs["height"]) > 0 and float(r.attrs["width"]) > 0
    ]
    assert len(bars) == 4  # three RLW months and one statutory month with arrears
    assert all(b.find("title") for b in bars)
    assert "Mar 2026" in text_of(bars[-1].find("title"))


def test_workers_at_risk_from_the_upcoming_real_living_wage(site: Path) -> None:
    doc = _contract_page(site, GREEN)
    callout = doc.find(cls="callout")
    assert "17 of 63 workers at risk" in text_of(callout)  # Mar 2026: 14 of 52 UK + 3 of 11 London
    assert "£13.45 (UK)" in text_of(callout) and "£14.80 (London)" in text_of(callout)
    assert "not a breach" in text_of(callout)


def test_contract_pages_show_breaches_timeliness_and_audit_trail(site: Path) -> None:
    red = _contract_page(site, RED)
    breaches = text_of(red.find("section", id="breaches"))
    assert "Real Living Wage" in breaches and "£3,007.25" in breaches and "1 Jan 2026" in breaches
    assert "Critical" in breaches
    returns = text_of(red.find("section", id="returns"))
    assert "Received late" in returns and "Awaiting" in returns
    trail = red.find("section", id="submissions")
    assert len(trail.find("tbody").find_all("tr")) == 12  # 9 payroll + 1 superseded + 2 workforce
    assert "Superseded" in text_of(trail)


def test_rejected_submission_lists_each_problem_and_links_data_docs(site: Path, data: ReportData) -> None:
    doc = _contract_page(site, AMBER)
    trail = doc.find("section", id="submissions")
    row = next(r for r in trail.find("tbody").find_all("tr") if "Rejected" in text_of(r))
    problems = [text_of(li) for li in row.find("ul", cls="problems").find_all("li")]
    assert problems == [
        "hourly_rate: must agree with basic_pay / hours_paid within 1% (3 rows; first rows 14, 27, 31)",
        "worker_ref: looks like a National Insurance number (1 row; first rows 9)",
        'employer: <b>bold</b> & =HYPERLINK("x") is not allowed',
    ]
    sha = row.find("code", cls="hash")
    full = sha.attrs["title"].removeprefix("SHA-256 ")
    assert len(full) == 64 and text_of(sha) == full[:12] + "\u2026"
    link = row.find("a")
    rejected_id = next(k for k in data.data_docs_href if str(k) != k)  # the int key
    assert link.attrs["href"] == f"../data_docs/validations/{rejected_id}.html"
    assert "Latest payroll return (Mar 2026) was rejected" in text_of(doc.find(cls="rag-reasons"))


def test_contract_without_wage_data_or_verdicts_renders(site: Path) -> None:
    doc = _contract_page(site, NEW)
    assert "No payroll data has been assessed" in text_of(doc.find("section", id="wages"))
    assert "No verdicts yet" in text_of(doc.find("section", id="commitments"))
    assert not doc.find_all("svg", cls="chart")
    assert "No open breaches" in text_of(doc.find("section", id="breaches"))


def test_lowest_rate_is_hidden_for_small_bands(site: Path) -> None:
    doc = _contract_page(site, RED)
    table = doc.find("details", cls="data-table").find("table")
    rows = [[text_of(c) for c in r.find_all("td")] for r in table.find("tbody").find_all("tr")]
    apprentice = [r for r in rows if r[1] == "Statutory minimum (apprentices)"]
    assert apprentice and all(r[5].startswith("hidden") for r in apprentice)  # 2 workers: would be personal pay
    uk = [r for r in rows if r[1] == "Real Living Wage (UK)"]
    assert uk[0][5] == "£12.60"


# --------------------------------------------------------------------------------------------------
# Every page


def test_every_page_shows_the_clock_and_the_privacy_footer(pages: dict[str, str]) -> None:
    assert len(pages) == 5
    for name, html_text in pages.items():
        doc = parse(html_text)
        meta = text_of(doc.find(cls="meta-bar"))
        assert "As of 20 Apr 2026" in meta, name
        assert "Latest return received 14 Apr 2026, 09:12 UTC" in meta, name
        assert "Generated 20 Apr 2026, 06:00 UTC" in meta, name
        footer = text_of(doc.find("footer"))
        assert "aggregate data only" in footer and "no individual worker's pay" in footer, name


def test_no_external_references(pages: dict[str, str]) -> None:
    for name, html_text in pages.items():
        assert "http://" not in html_text and "https://" not in html_text, name
        doc = parse(html_text)
        for node in doc.iter():
            for attr in ("src", "href", "xlink:href", "action", "poster", "srcset", "data", "formaction"):
                value = node.attrs.get(attr)
                if value is None:
                    continue
                assert not re.match(r"^\s*([a-z][a-z0-9+.-]*:|//)", value, re.I) or value.startswith(
                    "data:image/png;base64,"
                ), (name, attr, value)
        for style in doc.find_all("style"):
            css = text_of(style)
            assert "@import" not in css
            assert all(u.startswith("#") for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", css)), name
        assert all("src" not in s.attrs for s in doc.find_all("script"))
        assert not doc.find_all("iframe") and not doc.find_all("img")


def test_supplier_text_is_escaped(pages: dict[str, str]) -> None:
    for name, html_text in pages.items():
        assert html_text.count("<script") == 1, name  # only the page's own script
        assert "<img" not in html_text and "<b>" not in html_text, name
    index = pages["index.html"]
    # Jinja2's autoescape (markupsafe) writes a double quote as &#34;, the old html.escape as &quot;.
    assert "Acme &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Facilities" in index
    doc = parse(index)
    row = next(r for r in doc.find_all("tr") if r.attrs.get("data-ref") == AMBER)
    assert text_of(row.find_all("td")[1]) == HOSTILE_SUPPLIER
    formula = next(r for r in doc.find_all("tr") if r.attrs.get("data-ref") == NEW)
    assert text_of(formula.find_all("td")[1]) == FORMULA_SUPPLIER
    amber = pages["contract/" + contract_file_name(AMBER)]
    assert "march&lt;img src=x onerror=alert(1)&gt;.csv" in amber


def test_content_security_policy_allows_exactly_the_inline_style_and_script(pages: dict[str, str]) -> None:
    for name, html_text in pages.items():
        doc = parse(html_text)
        csp = doc.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
        assert "default-src 'none'" in csp
        script = doc.find("script")._all_text()
        style = doc.find("style")._all_text()
        for kind, body in (("script-src", script), ("style-src", style)):
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"{kind} 'sha256-{digest}'" in csp, (name, kind)
        assert not [n for n in doc.iter() if "style" in n.attrs], name  # inline style attributes would be blocked


def test_rendering_is_deterministic_and_independent_of_driver_types(data: ReportData) -> None:
    """SQLite hands back ISO text and PostgreSQL Decimals: the pages must come out the same."""

    def as_sqlite(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy().astype(object)
        for col in out.columns:
            out[col] = [
                v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else v
                for v in out[col]
            ]
        return out

    def as_postgres(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy().astype(object)
        for col in (
            "arrears_gbp",
            "required_rate",
            "lowest_rate",
            "upcoming_rate",
            "observed_value",
            "threshold",
            "owed_gbp",
            "uplift_cost_gbp",
            "previous_observed_value",
            "new_observed_value",
            "previous_arrears_gbp",
            "new_arrears_gbp",
        ):
            if col in out.columns:
                out[col] = [
                    None if v is None or (isinstance(v, float) and v != v) else Decimal(str(v)) for v in out[col]
                ]
        return out

    first = build_site(data)
    assert build_site(data) == first
    for convert in (as_sqlite, as_postgres):
        variant = ReportData(
            **{
                name: convert(getattr(data, name))
                for name in (*VIEW_COLUMNS, *OPTIONAL_VIEW_COLUMNS, "register", "register_commitments")
            },
            generated_at=data.generated_at,
            as_of=data.as_of,
            data_freshness=data.data_freshness,
            data_docs_href=dict(data.data_docs_href),
        )
        assert build_site(variant) == first, convert.__name__


# --------------------------------------------------------------------------------------------------
# Empty data, file names, validation, re-rendering


def test_empty_data_renders_a_friendly_empty_state(tmp_path: Path) -> None:
    empty = ReportData.empty(generated_at=GENERATED, as_of=AS_OF)
    index = render_site(empty, tmp_path)
    doc = parse(index.read_text(encoding="utf-8"))
    assert "No contracts are being monitored yet" in text_of(doc.find("main"))
    assert "No returns received yet" in text_of(doc.find(cls="meta-bar"))
    assert list((tmp_path / "contract").iterdir()) == []
    bare = ReportData(
        **{name: pd.DataFrame() for name in VIEW_COLUMNS}, generated_at=datetime(2026, 4, 20, 6, 0), as_of=AS_OF
    )
    assert bare.generated_at.tzinfo is not None  # naive taken as UTC
    assert "No contracts are being monitored yet" in build_site(bare)["index.html"]


def test_contract_file_names_are_safe_and_distinct() -> None:
    refs = ["NCC-2025-0142", "LCC/HOUS/2024/07", "LCC_HOUS_2024_07", "..", "a.b", "A.B", "/", "x" * 64]
    names = [contract_file_name(r) for r in refs]
    assert names[0] == "NCC-2025-0142.html"
    assert len(set(names)) == len(refs)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.html", name) and not name.startswith(".")
    assert contract_file_name("LCC/HOUS/2024/07") == contract_file_name("LCC/HOUS/2024/07")  # stable across runs


def test_refs_differing_only_in_case_get_separate_pages(tmp_path: Path) -> None:
    status = pd.DataFrame(
        [
            {
                "contract_ref": "abc-1",
                "supplier_name": "Lower",
                "rag": "green",
                "open_breaches": 0,
                "overdue_returns": 0,
                "last_submission_at": None,
            },
            {
                "contract_ref": "ABC-1",
                "supplier_name": "Upper",
                "rag": "green",
                "open_breaches": 0,
                "overdue_returns": 0,
                "last_submission_at": None,
            },
        ]
    )
    empty = ReportData.empty(generated_at=GENERATED, as_of=AS_OF)
    data = ReportData(
        **{name: getattr(empty, name) for name in VIEW_COLUMNS if name != "contract_status"},
        contract_status=status,
        generated_at=GENERATED,
        as_of=AS_OF,
    )
    names = [n for n in build_site(data) if n.startswith("contract/")]
    assert len({n.lower() for n in names}) == 2


def test_the_dashboard_takes_each_view_s_columns_from_the_view(tmp_path: Path) -> None:
    """A view's columns are written once, in its SQL file: a column added there is what the dashboard
    then requires and reads, with no list to update in the report code, and a frame without it fails
    loudly, naming the view and the column."""
    import shutil

    from gwp_monitor import resources
    from gwp_monitor.config.settings import Settings, use_settings

    assert VIEW_COLUMNS["return_timeliness"] == (
        "contract_ref",
        "kind",
        "period_start",
        "period_end",
        "due_date",
        "status",
    )
    before = sample_report_data()
    frames = {name: getattr(before, name) for name in VIEW_COLUMNS}
    assert len(frames["return_timeliness"])
    sql = shutil.copytree(resources.sql_dir(), tmp_path / "sql")
    view = sql / "views" / "60_v_return_timeliness.sql"
    view.write_text(view.read_text().replace("due_date, status", "due_date AS due_on, status"))
    with use_settings(Settings.load(environ={"GWP_SQL_DIR": str(sql)})):
        assert VIEW_COLUMNS["return_timeliness"][-2:] == ("due_on", "status")
        with pytest.raises(ValueError, match=r"return_timeliness \(v_return_timeliness\): missing column\(s\) due_on"):
            ReportData(**frames, generated_at=GENERATED, as_of=AS_OF)
    assert VIEW_COLUMNS["return_timeliness"][-2:] == ("due_date", "status")


def test_report_data_refuses_missing_columns_and_non_relative_links() -> None:
    good = sample_report_data()
    frames = {name: getattr(good, name) for name in VIEW_COLUMNS}
    with pytest.raises(ValueError, match="arrears_gbp"):
        ReportData(
            **{**frames, "open_breaches": frames["open_breaches"].drop(columns=["arrears_gbp"])},
            generated_at=GENERATED,
            as_of=AS_OF,
        )
    for href in ("https://example.org/docs.html", "javascript:alert(1)", "//evil.example/x", "/etc/passwd"):
        with pytest.raises(ValueError, match="relative"):
            ReportData(**frames, generated_at=GENERATED, as_of=AS_OF, data_docs_href={1: href})


def test_rerender_removes_pages_of_contracts_no_longer_monitored(tmp_path: Path, data: ReportData) -> None:
    render_site(data, tmp_path)
    stray = tmp_path / "contract" / "notes.html"
    stray.write_text("<p>someone else's file</p>", encoding="utf-8")
    smaller = ReportData(
        **{name: getattr(data, name) for name in VIEW_COLUMNS if name != "contract_status"},
        contract_status=data.contract_status[data.contract_status["contract_ref"] == RED],
        generated_at=GENERATED,
        as_of=AS_OF,
    )
    render_site(smaller, tmp_path)
    assert sorted(p.name for p in (tmp_path / "contract").iterdir()) == sorted([contract_file_name(RED), "notes.html"])
    assert not list(tmp_path.rglob("*.tmp"))
