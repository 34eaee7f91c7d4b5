"""The dashboard's issue-12 truths, on the hand-built frames of test_report_render and on the demo:

- "owed to workers" is the headline money, one figure per contract with no double counting;
- the uplift cost shows while an upcoming rate exists for the latest period, with the date it must be paid from;
- the "at risk" panel appears only then;
- the audit trail says what each resubmission changed;
- each contract page names its title, supplier, contacts, every commitment in the register (with why one
  has no verdict yet) and what to do next;
- the wage-rate table's staleness warning shows on every page.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from test_report_render import AMBER, GREEN, NEW, RED, parse, sample_report_data, text_of

from gwp_monitor.domain.owed import owed_in_open_breaches
from gwp_monitor.report import build_site, contract_file_name
from gwp_monitor.report.build import load_report_data, rates_warning
from gwp_monitor.report.owed import Uplift, uplift
from gwp_monitor.report.wages import Figure, _at_risk

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
MONTH_END = {JAN: date(2026, 1, 31), FEB: date(2026, 2, 28), MAR: date(2026, 3, 31)}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return build_site(sample_report_data())


def page(pages: dict[str, str], ref: str):
    return parse(pages[f"contract/{contract_file_name(ref)}"])


# ------------------------------------------------------------------------------------ owed to workers


def _breach(commitment: str, start: date) -> dict:
    return {"commitment": commitment, "first_period_start": start}


OWED = [{"period_start": d, "owed_gbp": gbp} for d, gbp in ((JAN, 10.0), (FEB, 20.5), (MAR, 30.25))]


@pytest.mark.parametrize(
    ("breaches", "expected"),
    [
        ([], 0.0),  # nothing open: nothing in the headline
        ([_breach("max_zero_hours_share", JAN)], 0.0),  # not a wage breach
        ([_breach("real_living_wage", FEB)], 50.75),  # Feb + Mar
        ([_breach("real_living_wage", JAN), _breach("statutory_minimum_wage", MAR)], 60.75),  # union, once
        ([_breach("statutory_minimum_wage", MAR), _breach("real_living_wage", FEB)], 50.75),
        ([_breach("real_living_wage", date(2026, 4, 1))], 0.0),  # a run after the last owed period
    ],
)
def test_owed_in_open_breaches_counts_each_period_once(breaches: list, expected: float) -> None:
    assert owed_in_open_breaches(OWED, breaches) == expected


def test_overview_headline_is_owed_to_workers_without_the_double_counting_caveat(pages) -> None:
    doc = parse(pages["index.html"])
    text = text_of(doc)
    assert "owed to workers" in text and "Owed to workers" in text
    assert "arrears in open breaches" not in text
    assert "the two figures overlap" not in text and "counted in both" not in text
    assert "Each worker is counted once" in text


def test_contract_page_owed_and_uplift(pages) -> None:
    owed = text_of(page(pages, RED).find("div", id="owed"))
    assert "Owed to workers in open wage breaches: £3,117.15." in owed
    assert "In Mar 2026, the latest period assessed, 5 workers were owed £1,100.00." in owed
    assert "To pay the new £13.45 from 1 May 2026, add £1,530.25 a month for 17 workers" in owed
    green = text_of(page(pages, GREEN).find("div", id="owed"))
    assert "No open wage breach: nothing owed to workers." in green
    assert "To pay the new £13.45 (£14.80 in London) from 1 May 2026, add £452.50 a month for 17 workers" in green
    amber = page(pages, AMBER).find("div", id="owed")
    assert "uplift" not in amber.classes and "Uplift cost" not in text_of(amber)  # no upcoming rate
    # Per-commitment arrears stay in the breach table.
    breaches = text_of(page(pages, RED).find("section", id="breaches"))
    assert "£3,007.25" in breaches and "£305.55" in breaches


def _owed_row(start: date, pay_from: date | None, workers: int | None, cost: float | None) -> dict:
    return {
        "period_start": start,
        "period_end": MONTH_END[start],
        "owed_gbp": 0,
        "workers_owed": 0,
        "uplift_from": pay_from,
        "workers_below_uplift": workers,
        "uplift_cost_gbp": cost,
    }


def _wage(start: date, band: str, upcoming: float | None) -> dict:
    return {"period_start": start, "rate_type": "real_living_wage", "band": band, "upcoming_rate": upcoming}


MAY = date(2026, 5, 1)


@pytest.mark.parametrize(
    ("owed_rows", "wage_rows", "sentence"),
    [
        ([], [], None),
        ([_owed_row(MAR, None, None, None)], [_wage(MAR, "uk", None)], None),
        # The upcoming rate existed for an earlier period only: it is in force now, nothing to show.
        ([_owed_row(FEB, MAY, 3, 90.0), _owed_row(MAR, None, None, None)], [_wage(MAR, "uk", None)], None),
        (
            [_owed_row(MAR, MAY, 3, 1234.5)],
            [_wage(MAR, "uk", 13.45)],
            "To pay the new £13.45 from 1 May 2026, add £1,234.50 a month for 3 workers",
        ),
        (
            [_owed_row(MAR, MAY, 1, 12.0)],
            [_wage(MAR, "uk", 13.45), _wage(MAR, "london", 14.80)],
            "To pay the new £13.45 (£14.80 in London) from 1 May 2026, add £12.00 a month for 1 worker",
        ),
        (
            [_owed_row(MAR, MAY, 0, 0.0)],
            [_wage(MAR, "uk", 13.45)],
            "Every worker assessed in Mar 2026 is already paid at least the new £13.45, which must be paid from 1 May 2026.",
        ),
    ],
)
def test_uplift_sentence(owed_rows, wage_rows, sentence) -> None:
    found = uplift(owed_rows, wage_rows)
    if sentence is None:
        assert found is None
    else:
        assert isinstance(found, Uplift) and found.sentence.startswith(sentence)


def _figure(start: date, upcoming: float | None) -> Figure:
    row = {"workers_assessed": 10, "workers_below_upcoming": 2 if upcoming else None, "upcoming_rate": upcoming}
    return Figure(start, MONTH_END[start], "real_living_wage", "uk", row)


@pytest.mark.parametrize(
    ("figures", "shown"),
    [
        ([_figure(FEB, 13.45), _figure(MAR, 13.45)], True),
        ([_figure(FEB, 13.45), _figure(MAR, None)], False),  # latest period: the rise is in force
        ([_figure(MAR, None)], False),
        ([], False),
    ],
)
def test_at_risk_panel_only_while_the_latest_period_has_an_upcoming_rate(figures, shown: bool) -> None:
    found = _at_risk(figures, MAY)
    assert (found is not None) == shown
    if found:
        assert found.pay_from == "1 May 2026" and found.when == "Mar 2026"


def test_at_risk_panel_on_the_page_says_when_the_new_rate_must_be_paid(pages) -> None:
    wages = text_of(page(pages, GREEN).find("section", id="wages"))
    assert "Workers at risk from the upcoming Real Living Wage (Mar 2026)" in wages
    assert "The new rate must be paid from 1 May 2026." in wages
    amber = text_of(page(pages, AMBER).find("section", id="wages"))
    assert "Workers at risk" not in amber and "Upcoming Real Living Wage rise" not in amber


# ------------------------------------------------------------------------------ resubmission changes


def test_audit_trail_says_what_the_resubmission_changed(pages) -> None:
    trail = page(pages, RED).find("section", id="submissions")
    text = text_of(trail)
    assert "What resubmissions changed" in text
    rows = [r for r in trail.find_all("tr") if "change" in r.classes]
    assert len(rows) == 1 and "cleared" in rows[0].classes  # arrears fell: the manager should check it
    row = text_of(rows[0])
    for expected in (
        "18 Mar 2026, 16:45 UTC",
        "Feb 2026",
        "Real Living Wage",
        "Breach",
        "9 workers below",
        "6 workers below",
    ):
        assert expected in row, expected
    assert "£1,650.20 → £1,204.75" in row
    assert "NCC-2025-0142_payroll_2026-02.csv replaced NCC-2025-0142_payroll_2026-02.csv" in row
    assert "What resubmissions changed" not in text_of(page(pages, GREEN))


# ------------------------------------------------------------------------ register, contacts, next steps


@pytest.mark.parametrize(
    ("ref", "title", "manager", "contact"),
    [
        (RED, "Home care, North Tyneside", "manager.0@council.example", "returns.0@supplier.example"),
        (NEW, "Social care", "manager.3@council.example", "not recorded in the register"),
    ],
)
def test_contract_page_names_title_supplier_and_contacts(pages, ref, title, manager, contact) -> None:
    head = page(pages, ref).find("div", cls="page-head")
    text = text_of(head)
    assert title in text and manager in text and contact in text
    assert text_of(head.find("p", cls="supplier"))


@pytest.mark.parametrize(
    ("ref", "commitment", "verdict", "why"),
    [
        (
            NEW,
            "statutory_minimum_wage",
            "No verdict yet",
            "No payroll return yet: the first, for Apr 2026, is due 15 May 2026",
        ),
        (NEW, "worker_voice", "No verdict yet", "No workforce return expected yet under the register"),
        (RED, "real_living_wage", "Breach", "5 workers below £12.60"),
        (RED, "worker_voice", "Compliant", ""),
        (AMBER, "flexible_working", "Not assessable", "workforce return overdue"),
    ],
)
def test_every_register_commitment_is_listed_with_its_verdict_or_why_not(pages, ref, commitment, verdict, why) -> None:
    section = page(pages, ref).find("section", id="register-commitments")
    row = next(r for r in section.find_all("tr") if r.attrs.get("data-commitment") == commitment)
    assert verdict in text_of(row)
    assert why in text_of(row)


def test_register_commitment_counts(pages) -> None:
    counts = {
        ref: len(
            [
                r
                for r in page(pages, ref).find("section", id="register-commitments").find_all("tr")
                if "data-commitment" in r.attrs
            ]
        )
        for ref in (RED, AMBER, GREEN, NEW)
    }
    assert counts[NEW] == 3 and counts[RED] >= 6


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        # The catalogue's advice for each open breach, most severe first, with the figures filled in.
        (RED, ["Contact Tyneside Care Ltd now: underpaying the statutory minimum wage is unlawful", "£305.55 arrears"]),
        (RED, ["Ask Tyneside Care Ltd for an uplift plan", "£3,007.25 arrears"]),
        (RED, ["To pay the new £13.45 from 1 May 2026"]),
        (RED, ["Check that Tyneside Care Ltd's corrected return for Feb 2026 reflects pay actually put right"]),
        (AMBER, ["overdue workforce return for Oct–Dec 2025", "rejected payroll return"]),
        (GREEN, ["Ask Northern Cleaning Co-operative to confirm pay will rise in time"]),
        (NEW, ["Nothing to do yet: no return has been assessed for this contract."]),
    ],
)
def test_what_to_do_next(pages, ref, expected) -> None:
    box = text_of(page(pages, ref).find("section", cls="next-steps"))
    for words in expected:
        assert words in box, (words, box)
    if ref == RED:
        assert box.index("statutory minimum wage is unlawful") < box.index("uplift plan")


# ---------------------------------------------------------------------------------- rates staleness


def test_rates_staleness_warning_is_shown_on_every_page() -> None:
    data = dataclasses.replace(sample_report_data(), rates_warning="The Real Living Wage table has no rate announced")
    for name, html_text in build_site(data).items():
        box = parse(html_text).find("div", cls="rates-warning")
        assert "Wage rates may be out of date" in text_of(box), name
    for html_text in build_site(sample_report_data()).values():
        assert 'class="callout rates-warning"' not in html_text


@pytest.mark.parametrize(("as_of", "stale"), [(date(2026, 3, 15), False), (date(2031, 1, 1), True)])
def test_rates_warning_is_the_consoles(as_of: date, stale: bool) -> None:
    from gwp_monitor.domain.rates import load_wage_floors

    assert rates_warning(as_of) == load_wage_floors().staleness_warning(as_of)
    assert (rates_warning(as_of) is not None) == stale


def test_demo_dashboard_warns_of_stale_rates_when_read_years_later(demo_dashboard) -> None:
    built = demo_dashboard("sqlite")
    later = load_report_data(built.database, as_of=date(2031, 1, 1))
    assert later.rates_warning and "Real Living Wage table" in later.rates_warning
    assert load_report_data(built.database).rates_warning is None
