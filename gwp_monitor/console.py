"""Readable terminal output: tables and progress, on stderr-friendly rich consoles.

The console interprets no markup: contract refs, column headers, file and supplier names come from
suppliers' files, the register and the database, and a ``[/x]`` in one of them must print as ``[/x]``,
not raise Rich's MarkupError or restyle the output. Our own styling is spelled out with `styled`,
which inserts every value as plain text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

console = Console(highlight=False, soft_wrap=False, markup=False)


def styled(template: str, *values: object) -> Text:
    """``template``'s own Rich markup applied, each ``{}`` filled with a value shown exactly as it is."""
    return Text.from_markup(template.format(*(escape(str(v)) for v in values)))


_STATUS_STYLE = {"accepted": "green", "rejected": "bold red", "superseded": "dim", "skipped": "dim"}


def submissions_table(submissions: Iterable, title: str = "Submissions") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("file", overflow="fold")
    table.add_column("contract", no_wrap=True)
    for name in ("kind", "period", "rows", "status", "problems"):
        table.add_column(name, justify="right" if name in ("rows", "problems") else "left")
    for s in submissions:
        period = f"{s.period_start} to {s.period_end}" if s.period_start and s.period_end else "-"
        table.add_row(
            s.file_name,
            s.contract_ref or "-",
            s.kind or "-",
            period,
            str(s.row_count),
            Text(str(s.status), style=_STATUS_STYLE.get(s.status, "")),
            str(len(s.problems)),
        )
    return table


def problems_table(submission) -> Table:
    what = " ".join(x for x in (submission.contract_ref, submission.kind, str(submission.period_start or "")) if x)
    table = Table(
        title=Text(f"Problems in {submission.file_name} {('(' + what + ')') if what else ''}"), title_justify="left"
    )
    table.add_column("column")
    table.add_column("rule")
    table.add_column("rows", justify="right")
    table.add_column("first rows (header = row 1)")
    for p in submission.problems:
        table.add_row(p.column, p.rule, str(p.rows) if p.rows else "-", ", ".join(map(str, p.first_rows)) or "-")
    return table


def warnings_table(submission) -> Table:
    """What was ignored or normalised: nothing here rejects the return, but the supplier should know."""
    table = Table(title=f"Notes on {submission.file_name} (not problems)", title_justify="left")
    table.add_column("column")
    table.add_column("note")
    for p in submission.warnings:
        table.add_row(p.column, p.rule)
    return table


def print_not_checked(rules: Iterable[str]) -> None:
    """After a check without the contract register: what it could not check, and how to get one."""
    console.print(
        styled(
            "\n[bold yellow]Checked without the contract register.[/] The template rules were checked "
            "(columns, values, pay periods, duplicates, formats). These rules were [bold]not[/]:"
        )
    )
    for rule in rules:
        console.print(styled("  - {}", rule))
    console.print(
        styled(
            "To check them too, ask your contract manager for your part of the register (the council runs "
            "[bold]gwp-monitor register export --supplier-id YOUR_ID[/]) and check again with "
            "[bold]--contracts THAT-FILE.yaml[/]."
        )
    )


class progress_reporter:
    """Progress on stderr for long runs: a bar per stage on a terminal, a line per stage otherwise."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        progress.start()
        self._progress = progress
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(stage, total=max(total, 1))
        self._progress.update(self._tasks[stage], completed=done, total=max(total, 1))

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()


def print_run_summary(summary) -> None:
    outcomes = summary.outcomes
    console.print(
        f"Run {summary.run_id} as of {summary.as_of}: {summary.files_found} file(s) in the landing folder, "
        f"{summary.files_read} new; submissions: ",
        Text(f"{outcomes['accepted']} accepted", style="green"),
        ", ",
        Text(f"{outcomes['rejected']} rejected", style="red"),
        f", {outcomes['superseded']} superseded on arrival, {outcomes['skipped']} already processed.",
        sep="",
    )
    attention = [s for _, s, outcome in summary.stored if outcome != "accepted"]
    if attention:
        shown = attention[:25]
        more = f" (first {len(shown)} of {len(attention)})" if len(attention) > len(shown) else ""
        console.print(submissions_table(shown, title="Submissions not accepted this run" + more))
        console.print(
            "See each problem with: gwp-monitor check FILE --contracts REGISTER, or in the dashboard's audit trail."
        )
    for warning in summary.warnings:
        console.print(styled("[yellow]warning:[/] {}", warning))


_RAG_STYLE = {"red": "bold white on red", "amber": "bold black on yellow", "green": "bold white on green"}


def print_status(database, fmt: str) -> None:
    import pandas as pd
    from sqlalchemy import text

    with database.engine.connect() as conn:
        frame = pd.read_sql(text("SELECT * FROM v_contract_status ORDER BY contract_ref"), conn)
    if fmt == "json":
        print(frame.to_json(orient="records", date_format="iso", indent=2))
        return
    if fmt == "csv":
        from gwp_monitor.domain.formatting import csv_safe

        print(csv_safe(frame).to_csv(index=False), end="")
        return
    table = Table(title="Contract status", title_justify="left")
    table.add_column("contract", no_wrap=True)
    table.add_column("supplier", overflow="fold")
    table.add_column("RAG", no_wrap=True)
    table.add_column("open\nbreaches", justify="right")
    table.add_column("overdue\nreturns", justify="right")
    table.add_column("last submission")
    for row in frame.itertuples(index=False):
        # A contract with no submission yet reads "never" (an all-empty column comes back as NaN, not None)
        last = "never" if pd.isna(row.last_submission_at) else str(row.last_submission_at)[:16]
        table.add_row(
            row.contract_ref,
            row.supplier_name,
            Text(f" {str(row.rag).upper()} ", style=_RAG_STYLE.get(row.rag, "")),
            str(row.open_breaches),
            str(row.overdue_returns),
            last,
        )
    if frame.empty:
        console.print("No contracts in the reporting database yet: run `gwp-monitor run` first.")
    else:
        console.print(table)
