"""The `gwp-monitor` command line (spec 7).

Settings come from flags, then GWP_* environment variables, then defaults (config.settings); a
command runs with them installed, so the whole pipeline sees the same settings. Exit status: 0 when the
command did its work (breaches and rejected returns are outcomes, not failures), 1 when `check` finds
problems, 2 with a one-line reason on an operational failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gwp_monitor.cli_support import OperationalError, command_group, db_flag, iso_date, open_db, open_register
from gwp_monitor.config.settings import Settings, SettingsError, use_settings
from gwp_monitor.console import (
    console,
    print_not_checked,
    print_run_summary,
    print_status,
    problems_table,
    progress_reporter,
    styled,
    submissions_table,
    warnings_table,
)

EPILOG = """\
examples:
  gwp-monitor demo                                   make sample returns and run everything locally
  gwp-monitor check returns.csv --contracts register.yaml
                                                     a supplier's check before sending a return
  gwp-monitor run --contracts register.yaml --landing landing/ --db sqlite:///gwp.db --send-alerts
  gwp-monitor alerts test --to you@council.example   check e-mail and webhook alerts reach people
  gwp-monitor status --format table
  gwp-monitor report --out site/
  gwp-monitor registers import-gpg uk-gender-pay-gap-2017-2018.csv --year 2017

settings: flags win over environment variables (GWP_DATABASE_URL, GWP_REGISTER, GWP_LANDING_DIR,
GWP_REPORT_DIR, GWP_SMTP_HOST ...), which win over defaults. Exit status: 0 done (breaches and
rejected returns are outcomes), 1 `check` found problems, 2 operational failure (one-line reason).
"""


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
        "(header = row 1). Exit 0 when clean, 1 when there are problems, 2 when the register is invalid. "
        "Without a register (no --contracts, no GWP_REGISTER) the template rules are checked (columns, "
        "values, pay periods, duplicates, formats) and the contract rules it could not check are listed; "
        "the council gives a supplier its own register with `gwp-monitor register export`.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  gwp-monitor check payroll-2025-06.csv --contracts register.yaml --format json",
    )
    check.add_argument("files", nargs="+", type=Path, metavar="FILE", help="CSV (UTF-8) or XLSX return file(s)")
    check.add_argument(
        "--contracts",
        type=Path,
        default=None,
        help="contract register YAML (env GWP_REGISTER); without one only the template rules are checked",
    )
    check.add_argument("--as-of", type=iso_date, default=None, help="date the check is made as of (default today)")
    check.add_argument("--format", choices=("table", "json"), default="table")
    check.set_defaults(handler=cmd_check)

    run = sub.add_parser(
        "run",
        help="validate, assess and store every new return in a landing folder",
        description="Reads every new file in the landing folder, validates each submission with Great Expectations, "
        "decides every commitment, and stores results in the reporting database (created or upgraded as needed). "
        "Safe to repeat: files and submissions already processed are skipped.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  gwp-monitor run --contracts register.yaml --landing landing/ --db postgresql://user@host/gwp --as-of 2026-11-30",
    )
    run.add_argument("--contracts", type=Path, default=None, help="contract register YAML (env GWP_REGISTER)")
    run.add_argument("--landing", type=Path, default=None, help="folder suppliers' files land in (env GWP_LANDING_DIR)")
    db_flag(run)
    run.add_argument(
        "--as-of", type=iso_date, default=None, help="decide timeliness and due returns as of this date (default today)"
    )
    run.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    run.add_argument(
        "--report-dir",
        type=Path,
        default=None,
        help="dashboard folder: this run's Great Expectations Data Docs are written under it (env GWP_REPORT_DIR)",
    )
    run.add_argument(
        "--send-alerts",
        action="store_true",
        help="then send what is due: supplier receipts and rejection notices, due-soon and overdue notices, "
        "breach and resubmission alerts (each once per event and channel; GWP_SMTP_HOST, GWP_WEBHOOK_URL)",
    )
    run.set_defaults(handler=cmd_run)

    status = sub.add_parser(
        "status",
        help="contract status (RAG) from the reporting database",
        description="Prints v_contract_status: each contract's RAG, open breaches, overdue returns and last submission.",
        epilog="example:\n  gwp-monitor status --format csv > status.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    db_flag(status)
    status.add_argument("--format", choices=("table", "json", "csv"), default="table")
    status.set_defaults(handler=cmd_status)

    demo = sub.add_parser(
        "demo",
        help="make sample returns and run the whole pipeline on the embedded default (SQLite, local folders)",
        description="Writes a sample register and a landing folder of realistic supplier returns (some late, some broken, "
        "one resubmission) under --dir, runs the pipeline into a SQLite database there, and prints contract statuses.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--dir", type=Path, default=Path("gwp-demo"), help="where to write the demo (default ./gwp-demo)")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--as-of", type=iso_date, default=None, help="the demo's 'today' (default today)")
    demo.set_defaults(handler=cmd_demo)

    report = sub.add_parser(
        "report",
        help="render the contract managers' dashboard (static HTML, works offline)",
        description="Renders a self-contained static site from the reporting views: an overview of every contract "
        "and a page per contract with verdicts by period, wage charts and the submissions audit trail.",
        epilog="example:\n  gwp-monitor report --db sqlite:///gwp-demo/gwp.db --out gwp-demo/report && open gwp-demo/report/index.html",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    db_flag(report)
    report.add_argument("--out", type=Path, default=None, help="output folder (env GWP_REPORT_DIR)")
    report.add_argument("--as-of", type=iso_date, default=None, help="as-of date shown (default: the latest run's)")
    report.set_defaults(handler=cmd_report)

    db_sub = command_group(
        sub, "db", help="reporting database maintenance", description="Reporting database maintenance."
    )
    db_upgrade = db_sub.add_parser(
        "upgrade",
        help="create or upgrade the schema and views",
        description="Applies pending migrations under sql/migrations and recreates the views under sql/views.",
    )
    db_flag(db_upgrade)
    db_upgrade.set_defaults(handler=cmd_db_upgrade)
    from gwp_monitor.public_registers.cli import add_registers_parser

    add_registers_parser(sub, db_flag)
    from gwp_monitor.supplier_cli import add_supplier_parsers

    add_supplier_parsers(sub, db_flag)
    from gwp_monitor.notify.cli import add_alerts_parser

    add_alerts_parser(sub, db_flag)
    from gwp_monitor.sources.cli import add_sources_parser

    add_sources_parser(sub, db_flag)
    from gwp_monitor.portal.cli import add_portal_parser

    add_portal_parser(sub, db_flag)
    return parser


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.pipeline import run_pipeline

    register = open_register(settings.given("contract_register"))
    landing = settings.given("landing_dir")
    if landing is None:
        raise OperationalError("no landing folder given: pass --landing DIR or set GWP_LANDING_DIR")
    if not landing.is_dir():
        what = "is a file, not a folder" if landing.exists() else "does not exist"
        raise OperationalError(f"landing folder {landing} {what}")
    if settings.given("report_dir") is not None:
        _check_writable(settings.report_dir, "report folder")
    if args.send_alerts:
        from gwp_monitor.notify.cli import require_channels

        require_channels(settings)
    from gwp_monitor.sources.retention import RetentionError, check_processed_area

    with _operational(RetentionError):
        check_processed_area(landing, settings.processed_folder)
    database = open_db(settings.database_url)
    from gwp_monitor.sources.cli import fetch_before_run
    from gwp_monitor.store.database import DatabaseError

    down = fetch_before_run(args, settings, database)
    with progress_reporter(enabled=not args.quiet) as progress, _operational(DatabaseError):
        summary = run_pipeline(
            register,
            landing,
            database,
            as_of=settings.as_of,
            progress=progress,
            data_docs_dir=settings.given("report_dir"),
            on_wait=_say,
            processed_dir=settings.processed_folder,
        )
    print_run_summary(summary)
    print_status(database, "table")
    if args.send_alerts:
        from gwp_monitor.notify.cli import send_alerts_after_run

        send_alerts_after_run(settings)
    if down:
        raise OperationalError(
            f"{len(down)} landing source(s) failed ({'; '.join(down)}); the files landed were processed"
        )
    return 0


@contextmanager
def _operational(*errors: type[Exception]) -> Iterator[None]:
    """These errors end the command with their one line (exit 2)."""
    try:
        yield
    except errors as exc:
        raise OperationalError(str(exc).splitlines()[0]) from exc


def _say(message: str) -> None:
    """A notice on stderr, beside progress: stdout stays the run's summary."""
    print(f"gwp-monitor: {message}", file=sys.stderr, flush=True)


def _check_writable(folder: Path, what: str) -> None:
    """Fail now, before any file is read or stored, if `folder` cannot be created or written to.

    The folder itself is not created here (a command that fails later must leave nothing behind): the
    check writes a temporary file in the folder, or in the nearest folder above it that exists."""
    import tempfile

    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(20, "not a folder", str(existing))
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise OperationalError(
            f"{what} {folder} cannot be written to ({exc.strerror or exc}); nothing was done"
        ) from exc


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    print_status(open_db(settings.database_url, upgrade_schema=False), args.format)
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.report.build import build_report

    out = settings.given("report_dir")
    if out is None:
        raise OperationalError("no output folder given: pass --out DIR or set GWP_REPORT_DIR")
    _check_writable(out, "output folder")
    index = build_report(open_db(settings.database_url, upgrade_schema=False), out, settings.as_of)
    console.print(styled("Dashboard written: [bold]{}[/] (open it in a browser; it needs no network)", index))
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.store.database import DatabaseError, make_engine, safe_url, upgrade

    engine = make_engine(settings.database_url)
    try:
        applied = upgrade(engine)
    except DatabaseError as exc:
        raise OperationalError(str(exc)) from exc
    console.print(
        f"{safe_url(engine)}: "
        + (f"applied migration(s) {', '.join(map(str, applied))}" if applied else "schema up to date")
        + "; views recreated"
    )
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.demo.landing import write_demo_landing
    from gwp_monitor.pipeline import run_pipeline

    as_of = settings.today
    console.print(
        f"Writing sample register and supplier returns under {args.dir}/ (seed {args.seed}, as of {as_of}) ..."
    )
    demo = write_demo_landing(args.dir, seed=args.seed, as_of=as_of, overwrite=True)
    console.print(demo.summary())
    url = f"sqlite:///{(args.dir / 'gwp.db').as_posix()}"
    database = open_db(url)
    register = open_register(demo.register_path)
    with progress_reporter(enabled=True) as progress:
        summary = run_pipeline(
            register, demo.landing, database, as_of=as_of, progress=progress, data_docs_dir=args.dir / "report"
        )
    print_run_summary(summary)
    print_status(database, "table")
    from gwp_monitor.report.build import build_report

    index = build_report(database, args.dir / "report", as_of)
    console.print(styled("\nDashboard: [bold]{}[/]", index))
    console.print(
        styled("Reporting database: [bold]{}[/] (views v_contract_status, v_open_breaches, ...)", args.dir / "gwp.db")
    )
    console.print(
        f"Try: gwp-monitor status --db {url}   |   gwp-monitor check {next(iter(sorted(demo.landing.glob('*.csv'))), 'FILE')} --contracts {demo.register_path}"
    )
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.ingest.intake import CONTRACT_RULES_NEEDING_REGISTER, take_in
    from gwp_monitor.ingest.reading import ReadLimits
    from gwp_monitor.validate.expectations import SuiteError

    register_path = settings.given("contract_register")
    register = open_register(register_path, args.format) if register_path is not None else None
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise OperationalError(f"no such file: {', '.join(missing)}")
    try:
        intake = take_in(args.files, register, as_of=settings.today, limits=ReadLimits.from_settings(settings))
    except SuiteError as exc:  # a broken suite is ours, not the supplier's: exit 2, not 1 ("problems found")
        raise OperationalError(str(exc).splitlines()[0]) from exc
    not_checked = list(CONTRACT_RULES_NEEDING_REGISTER) if register is None else []
    if args.format == "json":
        print(json.dumps([_submission_json(s, not_checked) for s in intake.submissions], indent=2))
    else:
        console.print(submissions_table(intake.submissions))
        for s in intake.submissions:
            if s.problems:
                console.print(problems_table(s))
            if s.warnings:
                console.print(warnings_table(s))
        bad = sum(1 for s in intake.submissions if s.problems)
        if bad:
            console.print(
                styled(
                    "[bold red]{} of {} submission(s) would be rejected.[/] Fix the rows listed and check again.",
                    bad,
                    len(intake.submissions),
                )
            )
        elif register is None:
            console.print(
                styled(
                    "[bold green]All {} submission(s) pass the template rules.[/]",
                    len(intake.submissions),
                )
            )
        else:
            console.print(styled("[bold green]All {} submission(s) are ready to send.[/]", len(intake.submissions)))
        if register is None:
            print_not_checked(not_checked)
    return 1 if any(s.problems for s in intake.submissions) else 0


def _submission_json(s, not_checked: list[str]) -> dict:
    """One submission of `check --format json`; `not_checked`: the contract rules a check without the
    register could not make (empty with a register)."""
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
        "warnings": [{"column": p.column, "note": p.rule} for p in s.warnings],
        "not_checked": not_checked,
    }


def _settings(args: argparse.Namespace) -> Settings:
    """The flags this command has, over the environment (None: a flag not given)."""
    flags: dict[str, Any] = {
        "register": getattr(args, "contracts", None),
        "landing_dir": getattr(args, "landing", None),
        "database_url": getattr(args, "db", None),
        "report_dir": getattr(args, "report_dir", None) or getattr(args, "out", None),
        "as_of": getattr(args, "as_of", None),
    }
    return Settings.load(**flags)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
    except SettingsError as exc:
        print(f"gwp-monitor: error: {exc}", file=sys.stderr)
        return 2
    try:
        with use_settings(settings):
            return args.handler(args, settings)
    except OperationalError as exc:
        print(f"gwp-monitor: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gwp-monitor: interrupted; work stored so far is kept, run again to continue", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - an operational failure gets one line, not a traceback
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(exc, (SQLAlchemyError, OSError)) and settings.debug:
            raise
        first_line = (str(exc).splitlines() or [""])[0]
        print(
            f"gwp-monitor: error: {type(exc).__name__}: {first_line} (set GWP_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
