"""Render the contract managers' dashboard: a self-contained static site built from the views.

Rendering is a pure function of :class:`ReportData`: :func:`build_site` turns it into one view model
per page (:mod:`overview`, :mod:`contract`) and renders each through the Jinja2 templates of
:mod:`environment`, returning ``{relative path: HTML}``; :func:`gwp_monitor.report.site.render_site`
only writes those files. Nothing on a page is fetched: styles, script and SVG charts are inline, and a
Content Security Policy with ``default-src 'none'`` plus hashes of the one stylesheet and the one
script makes the browser refuse anything else, so the site can be opened from a file share, a zip or
an intranet without leaking a request, and any markup a supplier put into a file name or an error
message is escaped text, never code.

Pages:

* ``index.html``: every contract with its RAG status, breaches, owed to workers, overdue returns and
  last submission (sortable, filterable), summary tiles, and any return that matched no monitored contract.
* ``contract/<file name>.html``: per contract, its title and contacts, what to do next, every commitment
  in the register, a periods x commitments grid, owed to workers and the uplift cost, wage trend charts,
  the workers at risk from an announced Real Living Wage rise, open breaches, return timeliness and the
  submissions audit trail with what each resubmission changed.

Every page carries the wage-rate table's staleness warning when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from gwp_monitor.domain.formatting import format_datetime
from gwp_monitor.report.contract import contract_page
from gwp_monitor.report.data import ReportData, by_contract
from gwp_monitor.report.environment import render
from gwp_monitor.report.names import CONTRACT_DIR
from gwp_monitor.report.overview import overview, summaries

# When the newest return is older than this before the as-of date, the meta bar flags the data as
# stale: payroll returns are monthly, so a healthy system receives something every month.
STALE_AFTER = timedelta(days=45)
_PER_CONTRACT = (
    "compliance_history",
    "open_breaches",
    "wage_compliance",
    "submissions",
    "return_timeliness",
    "public_register_checks",
    "owed_to_workers",
    "resubmission_changes",
    "register",
    "register_commitments",
)


@dataclass(frozen=True)
class Clock:
    """The run's clock shown on every page: as-of date, how fresh the data is, when it was rendered."""

    as_of: date
    generated_at: datetime
    freshness: str
    stale: bool
    #: Said when runs were interrupted: what they were storing is finished by a later run.
    interrupted: str | None = None
    #: The wage-rate table's staleness warning (domain.rates), as the console prints it after a run.
    rates_warning: str | None = None


def _clock(data: ReportData) -> Clock:
    interrupted = (
        f"{data.abandoned_runs} run(s) were interrupted and marked abandoned; later runs finished their work"
        if data.abandoned_runs
        else None
    )
    if data.data_freshness is None:
        return Clock(data.as_of, data.generated_at, "No returns received yet", False, interrupted, data.rates_warning)
    text = f"Latest return received {format_datetime(data.data_freshness)}"
    stale = data.data_freshness.date() < data.as_of - STALE_AFTER
    if stale:
        text += f" (more than {STALE_AFTER.days} days before the as-of date)"
    return Clock(data.as_of, data.generated_at, text, stale, interrupted, data.rates_warning)


def build_site(data: ReportData) -> dict[str, str]:
    """Every page of the site as ``{path relative to the output directory: HTML}``; no I/O."""
    clock = _clock(data)
    contracts = summaries(data)
    pages = {
        "index.html": render(
            "overview.html.j2", page=overview(data, contracts), page_title="Contracts overview", root="", clock=clock
        )
    }
    grouped = {name: by_contract(getattr(data, name)) for name in _PER_CONTRACT}
    for summary in contracts:
        page = contract_page(data, summary, {name: grouped[name].get(summary.ref, []) for name in grouped})
        pages[f"{CONTRACT_DIR}/{summary.file_name}"] = render(
            "contract.html.j2", page=page, page_title=page.title, root="../", clock=clock
        )
    return pages
