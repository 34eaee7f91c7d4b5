"""Readable terminal output: tables and progress, on stderr-friendly rich consoles."""

from __future__ import annotations

from typing import Iterable

from rich.console import Console
from rich.table import Table

console = Console(highlight=False, soft_wrap=False)

_STATUS_STYLE = {"accepted": "green", "rejected": "bold red", "superseded": "dim", "skipped": "dim"}


def submissions_table(submissions: Iterable, title: str = "Submissions") -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("file", "contract", "kind", "period", "rows", "status", "problems"):
        table.add_column(name, justify="right" if name in ("rows", "problems") else "left")
    for s in submissions:
        period = f"{s.period_start} to {s.period_end}" if s.period_start and s.period_end else "-"
        table.add_row(
            s.file_name,
            s.contract_ref or "-",
            s.kind or "-",
            period,
            str(s.row_count),
            f"[{_STATUS_STYLE.get(s.status, '')}]{s.status}[/]",
            str(len(s.problems)),
        )
    return table


def problems_table(submission) -> Table:
    what = " ".join(x for x in (submission.contract_ref, submission.kind, str(submission.period_start or "")) if x)
    table = Table(title=f"Problems in {submission.file_name} {('(' + what + ')') if what else ''}", title_justify="left")
    table.add_column("column")
    table.add_column("rule")
    table.add_column("rows", justify="right")
    table.add_column("first rows (header = row 1)")
    for p in submission.problems:
        table.add_row(p.column, p.rule, str(p.rows) if p.rows else "-", ", ".join(map(str, p.first_rows)) or "-")
    return table
