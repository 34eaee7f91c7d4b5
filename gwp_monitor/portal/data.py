"""What a signed-in person may see, read from the published views (spec 5) and the portal's tables.

Every reader takes the `User` and narrows to the contracts that user may see *in the query*: a supplier
user's rows are those of contracts whose supplier_id is theirs, so no page or API answer can hold
another supplier's contract, submission or problem by forgetting a filter afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, text

from gwp_monitor.config.register import Register
from gwp_monitor.domain.periods import period_of
from gwp_monitor.portal.accounts import User
from gwp_monitor.store.database import Database

#: Contracts a supplier user may see: those of their supplier (contracts.supplier_id, from the register).
_MINE = "SELECT contract_ref FROM contracts WHERE supplier_id = :supplier_id"


def _scope(user: User, column: str = "contract_ref") -> tuple[str, dict[str, Any]]:
    """A WHERE condition limiting `column` to what `user` may see, and its parameters."""
    if user.sees_everything:
        return "1 = 1", {}
    return f"{column} IN ({_MINE})", {"supplier_id": user.supplier_id}


def _rows(db: Database, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with db.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def _when(value: Any) -> datetime | None:
    """A timestamp read through a view: SQLite gives naive UTC text, PostgreSQL an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass
class ContractView:
    contract_ref: str
    title: str
    supplier_name: str
    rag: str | None = None
    open_breaches: int = 0
    overdue_returns: int = 0
    last_submission_at: datetime | None = None
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    due_next: list[dict[str, Any]] = field(default_factory=list)


def contract_refs(db: Database, user: User) -> set[str]:
    where, params = _scope(user)
    return {r["contract_ref"] for r in _rows(db, f"SELECT contract_ref FROM contracts WHERE {where}", params)}


def contracts(db: Database, user: User, register: Register | None, today: date) -> list[ContractView]:
    """The user's contracts with RAG, latest verdicts, overdue returns and what is due next."""
    where, params = _scope(user, "c.contract_ref")
    base = _rows(
        db,
        "SELECT c.contract_ref, c.title, s.name AS supplier_name, v.rag, v.open_breaches, v.overdue_returns, "
        "v.last_submission_at FROM contracts c JOIN suppliers s ON s.supplier_id = c.supplier_id "
        f"LEFT JOIN v_contract_status v ON v.contract_ref = c.contract_ref WHERE c.in_register = 1 AND {where} "
        "ORDER BY c.contract_ref",
        params,
    )
    views = {
        r["contract_ref"]: ContractView(
            contract_ref=r["contract_ref"],
            title=r["title"],
            supplier_name=r["supplier_name"],
            rag=r["rag"],
            open_breaches=int(r["open_breaches"] or 0),
            overdue_returns=int(r["overdue_returns"] or 0),
            last_submission_at=_when(r["last_submission_at"]),
        )
        for r in base
    }
    for ref, contract in sorted((register.contracts if register else {}).items()):
        # In the register but not yet in the database (no run since it was added): shown, without data.
        if ref not in views and (user.sees_everything or contract.supplier.supplier_id == user.supplier_id):
            views[ref] = ContractView(ref, contract.title, contract.supplier.name)
    views = dict(sorted(views.items()))
    where, params = _scope(user)
    for r in _rows(
        db,
        "SELECT contract_ref, commitment, period_start, period_end, status, severity, detail FROM v_compliance_latest "
        f"WHERE {where} ORDER BY contract_ref, commitment",
        params,
    ):
        if r["contract_ref"] in views:
            views[r["contract_ref"]].verdicts.append(r)
    for r in _rows(
        db,
        "SELECT contract_ref, kind, period_start, period_end, due_date FROM v_return_timeliness "
        f"WHERE status = 'overdue' AND {where} ORDER BY contract_ref, due_date",
        params,
    ):
        if r["contract_ref"] in views:
            views[r["contract_ref"]].overdue.append(r)
    for ref, view in views.items():
        view.due_next = due_next(register, ref, today)
    return list(views.values())


def due_next(register: Register | None, contract_ref: str, today: date) -> list[dict[str, Any]]:
    """Per kind of return the contract expects: the period now running and the day its return is due."""
    contract = register.contracts.get(contract_ref) if register else None
    if contract is None:
        return []
    out = []
    for kind, schedule in sorted(contract.returns.items()):
        period = period_of(schedule.frequency, today)
        if contract.end_date is not None and period.start > contract.end_date:
            continue
        out.append(
            {
                "kind": kind,
                "period_start": period.start,
                "period_end": period.end,
                "due_date": schedule.due_date(period),
            }
        )
    return out


_SUBMISSIONS = """
SELECT s.submission_id, s.contract_ref, s.kind, s.period_start, s.period_end, s.status, s.file_name, s.file_sha256,
       s.received_at, s.row_count, s.error_count, s.errors, s.warnings, s.supersedes_submission_id, s.source
FROM v_submissions s
WHERE {where}
ORDER BY s.received_at DESC, s.submission_id DESC
"""


def submissions(db: Database, user: User, limit: int = 1000) -> list[dict[str, Any]]:
    """Submissions of the user's contracts, newest first, with who uploaded them through the portal.

    A supplier user sees a submission that names no contract (a file that could not be read) only when
    they uploaded it themselves; the portal never lands such a file, so in practice they see none."""
    where, params = _scope(user, "s.contract_ref")
    rows = _rows(db, _SUBMISSIONS.format(where=where), params)[:limit]
    uploads = _uploads_by_content(db, [r["file_sha256"] for r in rows])
    for r in rows:
        r["received_at"] = _when(r["received_at"])
        r["uploaded_by"] = uploads.get(r["file_sha256"])
    return rows


def period_verdicts(db: Database, user: User) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Current verdicts (v_compliance_history) by (contract_ref, period_start, period_end) as ISO text:
    what an accepted submission for that period decided."""
    where, params = _scope(user)
    out: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(
        db,
        "SELECT contract_ref, commitment, period_start, period_end, status, detail FROM v_compliance_history "
        f"WHERE {where} ORDER BY commitment",
        params,
    ):
        out[(r["contract_ref"], str(_day(r["period_start"])), str(_day(r["period_end"])))].append(r)
    return dict(out)


def verdicts_of(
    verdicts: dict[tuple[str, str, str], list[dict[str, Any]]], submission: dict[str, Any]
) -> list[dict[str, Any]]:
    """The verdicts an accepted submission's period has (none for a rejected or superseded one)."""
    if submission["status"] != "accepted" or not submission["contract_ref"]:
        return []
    key = (submission["contract_ref"], str(_day(submission["period_start"])), str(_day(submission["period_end"])))
    return verdicts.get(key, [])


def _uploads_by_content(db: Database, hashes: list[str]) -> dict[str, str]:
    if not hashes:
        return {}
    sql = text(
        "SELECT us.content_sha256, u.email FROM portal_upload_submissions us "
        "JOIN portal_uploads up ON up.upload_id = us.upload_id JOIN portal_users u ON u.user_id = up.user_id "
        "WHERE us.content_sha256 IN :hashes"
    ).bindparams(bindparam("hashes", expanding=True))
    with db.engine.connect() as conn:
        return {r.content_sha256: r.email for r in conn.execute(sql, {"hashes": hashes})}


def waiting_uploads(db: Database, user: User) -> list[dict[str, Any]]:
    """Uploads the pipeline has not taken in yet: landed, waiting for the next run."""
    where, params = (
        ("1 = 1", {}) if user.sees_everything else ("up.supplier_id = :supplier_id", {"supplier_id": user.supplier_id})
    )
    rows = _rows(
        db,
        "SELECT up.upload_id, up.uploaded_at, up.label, us.contract_ref, us.kind, us.period_start, us.period_end "
        "FROM portal_uploads up JOIN portal_upload_submissions us ON us.upload_id = up.upload_id "
        f"WHERE {where} AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.file_sha256 = us.content_sha256) "
        "ORDER BY up.uploaded_at DESC",
        params,
    )
    for r in rows:
        r["uploaded_at"] = _when(r["uploaded_at"])
    return rows


def changes(db: Database, user: User) -> dict[int, list[dict[str, Any]]]:
    """What each resubmission changed (v_resubmission_changes), by the new submission's id."""
    where, params = _scope(user)
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(
        db,
        "SELECT contract_ref, kind, period_start, period_end, commitment, previous_submission_id, new_submission_id, "
        "previous_status, new_status, previous_observed_value, new_observed_value, previous_arrears_gbp, "
        f"new_arrears_gbp FROM v_resubmission_changes WHERE {where} ORDER BY commitment",
        params,
    ):
        out[int(r["new_submission_id"])].append(r)
    return dict(out)


def upload_owner(db: Database, stored_name: str) -> str | None:
    """The supplier an uploaded file belongs to (by the name the portal stored it under), or None."""
    rows = _rows(db, "SELECT supplier_id FROM portal_uploads WHERE stored_name = :name", {"name": stored_name})
    return rows[0]["supplier_id"] if rows else None


def uploads(db: Database, user: User, limit: int = 500) -> list[dict[str, Any]]:
    """Files handed in through the portal, newest first (a supplier user: their supplier's only)."""
    where, params = (
        ("1 = 1", {}) if user.sees_everything else ("up.supplier_id = :supplier_id", {"supplier_id": user.supplier_id})
    )
    rows = _rows(
        db,
        "SELECT up.upload_id, up.uploaded_at, up.label, up.stored_name, up.supplier_id, u.email "
        f"FROM portal_uploads up JOIN portal_users u ON u.user_id = up.user_id WHERE {where} "
        "ORDER BY up.uploaded_at DESC, up.upload_id DESC",
        params,
    )[:limit]
    for r in rows:
        r["uploaded_at"] = _when(r["uploaded_at"])
    return rows


def as_day(value: Any) -> date | None:
    """A date read through a view (text on SQLite) as a date, for templates and JSON."""
    return _day(value)
