"""What the dashboard is rendered from: one frame per published view (spec 5) plus the run's clock.

The renderer never reads the database itself. Whoever builds a :class:`ReportData` (the CLI's
``report`` command, a DAG, a test) reads the published views, so the dashboard depends only on the
external contract of spec 5 and can be rendered from hand-made frames in tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from gwp_monitor.domain.formatting import as_text
from gwp_monitor.store.database import view_columns

#: Field name on ReportData -> the published view (spec 5) it holds.
VIEW_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "contract_status": "v_contract_status",
        "compliance_history": "v_compliance_history",
        "open_breaches": "v_open_breaches",
        "wage_compliance": "v_wage_compliance",
        "submissions": "v_submissions",
        "return_timeliness": "v_return_timeliness",
        "public_register_checks": "v_public_register_checks",
    }
)
#: Views added after the dashboard's first release (issue 12): read when present, optional on ReportData so
#: renders built from hand-made frames without them still work.
OPTIONAL_VIEW_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "owed_to_workers": "v_owed_to_workers",
        "resubmission_changes": "v_resubmission_changes",
    }
)


class _ViewColumns(Mapping[str, tuple[str, ...]]):
    """Field name on ReportData -> its view's columns, read from the views themselves
    (store.database.view_columns) when asked: a view changes in its SQL file only, and a renamed
    column fails loudly on construction instead of rendering blanks."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = names

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return view_columns()[self._names[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


VIEW_COLUMNS: Mapping[str, tuple[str, ...]] = _ViewColumns(VIEW_NAMES)
OPTIONAL_VIEW_COLUMNS: Mapping[str, tuple[str, ...]] = _ViewColumns(OPTIONAL_VIEW_NAMES)

#: The register as stored (not a published view, but what the contract pages name): each contract's
#: title and contacts, and every commitment it carries, with or without a verdict yet.
REGISTER_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "register": ("contract_ref", "title", "contract_manager", "supplier_contact"),
        "register_commitments": ("contract_ref", "commitment", "severity"),
    }
)


def _utc(moment: datetime) -> datetime:
    """Aware UTC; a naive value is taken as UTC because the product keeps every timestamp in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _is_relative_url(href: str) -> bool:
    """True for a plain relative reference: no scheme, no host, not rooted at ``/``.

    The dashboard must open from a file share or a zip with nothing fetched from the network, and a
    ``javascript:`` URL in a link would be script injection, so only relative links are accepted.
    """
    if not href or href.strip() != href or any(ch in href for ch in "\\\r\n\t"):
        return False
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and not href.startswith("/")


@dataclass(frozen=True, eq=False)
class ReportData:
    """Everything one render needs, already read from the reporting database's views.

    ``eq=False`` keeps identity equality and hashing: DataFrames have no single truth value, so the
    generated ``__eq__``/``__hash__`` of a frozen dataclass would raise.

    ``data_docs_href`` maps a ``submission_id`` to a Great Expectations Data Docs page, as a URL
    relative to the output directory's root (the renderer adds ``../`` for pages in sub-folders).
    """

    contract_status: pd.DataFrame
    compliance_history: pd.DataFrame
    open_breaches: pd.DataFrame
    wage_compliance: pd.DataFrame
    submissions: pd.DataFrame
    return_timeliness: pd.DataFrame
    generated_at: datetime
    as_of: date
    data_freshness: datetime | None = None
    data_docs_href: Mapping[Any, str] = field(default_factory=dict)
    #: v_public_register_checks (issue 17); optional so renders built before it existed still work.
    public_register_checks: pd.DataFrame | None = None
    #: Runs that were killed before they finished (store.runs marks them abandoned).
    abandoned_runs: int = 0
    #: v_owed_to_workers and v_resubmission_changes (issue 12); optional like public_register_checks.
    owed_to_workers: pd.DataFrame | None = None
    resubmission_changes: pd.DataFrame | None = None
    #: The stored register: titles and contacts, and every commitment (REGISTER_COLUMNS).
    register: pd.DataFrame | None = None
    register_commitments: pd.DataFrame | None = None
    #: The wage-rate table's staleness warning for the as-of date (domain.rates), shown on every page.
    rates_warning: str | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.public_register_checks is None:
            object.__setattr__(self, "public_register_checks", pd.DataFrame())
        optional = dict(OPTIONAL_VIEW_COLUMNS) | dict(REGISTER_COLUMNS)
        for name, columns in optional.items():
            frame = getattr(self, name)
            if frame is None or len(frame) == 0:
                object.__setattr__(self, name, pd.DataFrame({c: pd.Series(dtype=object) for c in columns}))
            elif missing := [c for c in columns if c not in frame.columns]:
                problems.append(f"{name}: missing column(s) {', '.join(missing)}")
        for name, columns in VIEW_COLUMNS.items():
            frame = getattr(self, name)
            if not isinstance(frame, pd.DataFrame):
                problems.append(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
                continue
            missing = [col for col in columns if col not in frame.columns]
            if missing and len(frame) == 0:
                # An empty query result built without columns (pd.DataFrame()) means "no rows", which
                # the pages handle; give it the view's columns rather than refusing it.
                object.__setattr__(self, name, frame.reindex(columns=list(frame.columns) + missing))
            elif missing:
                problems.append(f"{name} ({VIEW_NAMES[name]}): missing column(s) {', '.join(missing)}")
        if not isinstance(self.generated_at, datetime):
            problems.append("generated_at: expected a datetime")
        else:
            object.__setattr__(self, "generated_at", _utc(self.generated_at))
        if isinstance(self.as_of, datetime):
            object.__setattr__(self, "as_of", self.as_of.date())
        elif not isinstance(self.as_of, date):
            problems.append("as_of: expected a date")
        if self.data_freshness is not None:
            if isinstance(self.data_freshness, datetime):
                object.__setattr__(self, "data_freshness", _utc(self.data_freshness))
            else:
                problems.append("data_freshness: expected a datetime or None")
        bad_links = [
            f"{key!r} -> {href!r}" for key, href in self.data_docs_href.items() if not _is_relative_url(str(href))
        ]
        if bad_links:
            problems.append("data_docs_href: only relative URLs are allowed: " + "; ".join(bad_links))
        if problems:
            raise ValueError("invalid ReportData: " + " | ".join(problems))
        object.__setattr__(self, "data_docs_href", MappingProxyType(dict(self.data_docs_href)))

    @classmethod
    def empty(cls, generated_at: datetime, as_of: date) -> ReportData:
        """A dataset with no rows at all: what a new installation renders before its first run."""
        frames = {
            name: pd.DataFrame({col: pd.Series(dtype=object) for col in cols}) for name, cols in VIEW_COLUMNS.items()
        }
        return cls(generated_at=generated_at, as_of=as_of, data_freshness=None, **frames)

    def docs_href(self, submission_id: Any) -> str | None:
        """The Data Docs link for a submission, tolerant of int/str ids (SQLite vs CSV round trips)."""
        if submission_id is None:
            return None
        href = self.data_docs_href.get(submission_id)
        if href is None:
            href = self.data_docs_href.get(str(submission_id))
        if href is None and isinstance(submission_id, str) and submission_id.isdigit():
            href = self.data_docs_href.get(int(submission_id))
        if href is None and isinstance(submission_id, float) and submission_id.is_integer():
            href = self.data_docs_href.get(int(submission_id)) or self.data_docs_href.get(str(int(submission_id)))
        return href


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts; page code only ever handles scalars, so pandas stays out of it."""
    if frame is None or len(frame) == 0:
        return []
    return frame.to_dict(orient="records")


def by_contract(frame: pd.DataFrame) -> dict[str | None, list[dict[str, Any]]]:
    """Rows grouped by contract_ref once, so each contract page does not rescan every frame."""
    grouped: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for row in records(frame):
        grouped[as_text(row.get("contract_ref"))].append(row)
    return grouped
