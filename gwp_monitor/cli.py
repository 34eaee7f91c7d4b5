"""The `gwp-monitor` command line (spec 7).

Settings come from flags, then GWP_* environment variables, then defaults. Exit status: 0 when the
command did its work (breaches and rejected returns are outcomes, not failures), 1 when `check` finds
problems, 2 with a one-line reason on an operational failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Sequence

from .console import console, problems_table, submissions_table

EPILOG = """\
examples:
  gwp-monitor demo                                   make sample returns and run everything locally
  gwp-monitor check returns.csv --contracts register.yaml
                                                     a supplier's check before sending a return
  gwp-monitor run --contracts register.yaml --landing landing/ --db sqlite:///gwp.db
  gwp-monitor status --format table
  gwp-monitor report --out site/

settings: flags win over environment variables (GWP_DATABASE_URL, GWP_REGISTER, GWP_LANDING_DIR,
GWP_REPORT_DIR, GWP_WORKER_REF_KEY ...), which win over defaults. Exit status: 0 done (breaches and
rejected returns are outcomes), 1 `check` found problems, 2 operational failure (one-line reason).
"""


class OperationalError(Exception):
    """A failure of the run itself, not of a supplier's data: exit 2 with this one line."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write YYYY-MM-DD") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gwp-monitor",
        description="Hold suppliers to their Good Work commitments: validate returns, decide compliance, report breaches.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = sub.add_parser(
        "check",
        help="check a return file before sending it (no database, writes nothing)",
        description="A supplier's pre-submission check: lists every problem with the file's own row numbers "
        "(header = row 1). Exit 0 when clean, 1 when there are problems, 2 when the register is invalid.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  gwp-monitor check payroll-2025-06.csv --contracts register.yaml --format json",
    )
    check.add_argument("files", nargs="+", type=Path, metavar="FILE", help="CSV (UTF-8) or XLSX return file(s)")
    check.add_argument("--contracts", type=Path, default=os.environ.get("GWP_REGISTER"), help="contract register YAML (env GWP_REGISTER)")
    check.add_argument("--as-of", type=_date, default=date.today(), help="date the check is made as of (default today)")
    check.add_argument("--format", choices=("table", "json"), default="table")
    check.set_defaults(handler=cmd_check)
    return parser


def _load_register(path: Path | None):
    from .register import RegisterError, load_register

    if path is None:
        raise OperationalError("no contract register given: pass --contracts REGISTER.yaml or set GWP_REGISTER")
    try:
        return load_register(path)
    except RegisterError as exc:
        console.print(f"[bold red]The contract register {path} is refused:[/]")
        for problem in exc.problems:
            console.print(f"  - {problem}")
        raise OperationalError(f"contract register {path} is invalid ({len(exc.problems)} problem(s)); nothing was checked") from exc


def cmd_check(args: argparse.Namespace) -> int:
    from .intake import take_in

    register = _load_register(args.contracts)
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise OperationalError(f"no such file: {', '.join(missing)}")
    intake = take_in(args.files, register, as_of=args.as_of)
    if args.format == "json":
        print(json.dumps([_submission_json(s) for s in intake.submissions], indent=2))
    else:
        console.print(submissions_table(intake.submissions))
        for s in intake.submissions:
            if s.problems:
                console.print(problems_table(s))
        bad = sum(1 for s in intake.submissions if s.problems)
        if bad:
            console.print(f"[bold red]{bad} of {len(intake.submissions)} submission(s) would be rejected.[/] Fix the rows listed and check again.")
        else:
            console.print(f"[bold green]All {len(intake.submissions)} submission(s) are ready to send.[/]")
    return 1 if any(s.problems for s in intake.submissions) else 0


def _submission_json(s) -> dict:
    return {
        "file": s.file_name,
        "kind": s.kind,
        "contract_ref": s.contract_ref,
        "period_start": s.period_start.isoformat() if s.period_start else None,
        "period_end": s.period_end.isoformat() if s.period_end else None,
        "rows": s.row_count,
        "status": s.status,
        "problems": [
            {"column": p.column, "rule": p.rule, "rows": p.rows, "first_rows": list(p.first_rows)} for p in s.problems
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except OperationalError as exc:
        print(f"gwp-monitor: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
