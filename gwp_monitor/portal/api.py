"""The JSON API for payroll systems that push returns themselves (bearer tokens, same authorisation as
the pages: a supplier's token sees and hands in only that supplier's contracts)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from gwp_monitor.ingest.intake import Submission
from gwp_monitor.portal import accounts, data, returns
from gwp_monitor.portal.access import Access
from gwp_monitor.portal.accounts import User
from gwp_monitor.portal.app import PortalState

_REFUSED = {401: {"description": "no valid API token"}, 403: {"description": "the token's account may not do this"}}
router = APIRouter(prefix="/api/v1", tags=["returns"], responses=_REFUSED)  # type: ignore[arg-type]
Token = Annotated[User, Depends(Access("signed_in", api=True))]
SupplierToken = Annotated[User, Depends(Access("supplier", api=True))]


def _state(request: Request) -> PortalState:
    return request.app.state.portal


class Verdict(BaseModel):
    commitment: str
    period_start: date | None
    period_end: date | None
    status: str
    severity: str | None
    detail: str | None


class Due(BaseModel):
    kind: str
    period_start: date
    period_end: date
    due_date: date


class ContractOut(BaseModel):
    contract_ref: str
    title: str
    supplier_name: str
    rag: str | None
    open_breaches: int
    overdue_returns: int
    last_submission_at: datetime | None
    latest_verdicts: list[Verdict]
    overdue: list[Due]
    due_next: list[Due]


class SubmissionOut(BaseModel):
    submission_id: int
    contract_ref: str | None
    kind: str | None
    period_start: date | None
    period_end: date | None
    status: str
    file_name: str
    received_at: datetime | None
    row_count: int
    error_count: int
    errors: str | None
    source: str | None
    supersedes_submission_id: int | None
    uploaded_by: str | None


class ProblemOut(BaseModel):
    column: str
    rule: str
    rows: int
    first_rows: list[int]


class CheckedSubmission(BaseModel):
    kind: str | None
    contract_ref: str | None
    period_start: date | None
    period_end: date | None
    rows: int
    status: str
    problems: list[ProblemOut]
    warnings: list[str]


class ReturnOut(BaseModel):
    accepted: bool
    file: str
    refused: str | None
    landed_as: str | None
    next_step: str
    submissions: list[CheckedSubmission]


@router.get("/contracts", response_model=list[ContractOut], summary="The contracts this token may see")
def contracts(request: Request, user: Token) -> list[ContractOut]:
    state = _state(request)
    register = None
    try:
        register = state.register()
    except Exception:  # noqa: BLE001 - without a register only "due next" is missing
        register = None
    out = []
    for c in data.contracts(state.db, user, register, state.settings.today):
        out.append(
            ContractOut(
                contract_ref=c.contract_ref,
                title=c.title,
                supplier_name=c.supplier_name,
                rag=c.rag,
                open_breaches=c.open_breaches,
                overdue_returns=c.overdue_returns,
                last_submission_at=c.last_submission_at,
                latest_verdicts=[Verdict(**{**v, **_days(v)}) for v in c.verdicts if v.get("commitment")],
                overdue=[Due(**{**d, **_days(d)}) for d in c.overdue],
                due_next=[Due(**d) for d in c.due_next],
            )
        )
    return out


def _days(row: dict) -> dict:
    return {k: data.as_day(row[k]) for k in ("period_start", "period_end", "due_date") if k in row}


@router.get("/submissions", response_model=list[SubmissionOut], summary="Submissions of this token's contracts")
def submissions(request: Request, user: Token) -> list[SubmissionOut]:
    rows = data.submissions(_state(request).db, user)
    return [
        SubmissionOut(
            **{k: r[k] for k in SubmissionOut.model_fields if k in r and k not in ("period_start", "period_end")},
            period_start=data.as_day(r["period_start"]),
            period_end=data.as_day(r["period_end"]),
        )
        for r in rows
    ]


def _checked(s: Submission) -> CheckedSubmission:
    return CheckedSubmission(
        kind=s.kind,
        contract_ref=s.contract_ref,
        period_start=s.period_start,
        period_end=s.period_end,
        rows=s.row_count,
        status=s.status,
        problems=[
            ProblemOut(column=p.column, rule=p.rule, rows=p.rows, first_rows=list(p.first_rows)) for p in s.problems
        ],
        warnings=[f"{p.column}: {p.rule}" for p in s.warnings],
    )


@router.post(
    "/returns",
    response_model=ReturnOut,
    summary="Hand in a return file (CSV or XLSX): checked at once, landed when it passes",
    responses={413: {"description": "the file is over the size limit", "model": ReturnOut}},
)
def hand_in(request: Request, user: SupplierToken, file: Annotated[UploadFile, File()]) -> Response:
    outcome = returns.hand_in(_state(request), user, file)
    r = outcome.result
    body = ReturnOut(
        accepted=r.accepted,
        file=r.label,
        refused=r.refused,
        landed_as=r.landed_as,
        next_step=outcome.next_step,
        submissions=[_checked(s) for s in r.submissions],
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=413 if outcome.too_large else 200)


@router.get(
    "/templates/{kind}.{fmt}",
    summary="A return template: CSV header, or XLSX with an explanation sheet",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, returns.MEDIA_TYPES["xlsx"]: {}}}},
)
def template(request: Request, user: Token, kind: returns.KindName, fmt: returns.FormatName) -> Response:
    accounts.audit(_state(request).db, user.email, "download_template", f"{kind.value}.{fmt.value}")
    return returns.template_response(kind.value, fmt.value)
