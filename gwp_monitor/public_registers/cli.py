"""`gwp-monitor registers ...`: the public registers' commands (added to the main parser by cli.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from gwp_monitor.cli_support import OperationalError, command, command_group, iso_date, open_db
from gwp_monitor.config.settings import Settings

DESCRIPTION = """\
Imports the UK government's gender pay gap register (one CSV per reporting year, from
https://gender-pay-gap.service.gov.uk/) into the reporting database, then checks every contract's
workforce returns against it: gpg_published (a supplier of 250+ staff is in the register) and
gpg_consistent (the returned median gap is within tolerance_pct, default 5, of the published one).

The file is validated whole by its Great Expectations suite (expectations/gpg_register.json: columns
present, percentages in range, quartile shares adding up to 100, dates, company numbers); a file with
any problem is refused and nothing is stored. One snapshot is kept per reporting year: importing the
same content again changes nothing, a newer file for a year replaces it. Suppliers are matched by the
Companies House number in the contract register's supplier_id, never by name.

Exit status: 0 imported (or unchanged), 1 the file was refused (its problems are listed),
2 operational failure (cannot download or read it, database unreachable)."""

EPILOG = """\
examples:
  gwp-monitor registers import-gpg uk-gender-pay-gap-2017-2018.csv --year 2017
  gwp-monitor registers import-gpg https://example.org/gpg-2023-2024.csv --db postgresql://user@host/gwp
  GWP_GPG_REGISTER_SOURCE=https://... gwp-monitor registers import-gpg"""


def add_registers_parser(sub: argparse._SubParsersAction, db_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    actions = command_group(
        sub,
        "registers",
        help="public registers (UK gender pay gap) set beside suppliers' returns",
        description="Public registers set beside suppliers' own returns.",
    )
    gpg = command(
        actions,
        "import-gpg",
        help="import a gender pay gap register file (path or URL) and re-check contracts",
        description=DESCRIPTION,
        epilog=EPILOG,
    )
    gpg.add_argument(
        "source",
        nargs="?",
        default=None,
        metavar="FILE_OR_URL",
        help="the register CSV: a local path or an http(s):// URL (env GWP_GPG_REGISTER_SOURCE)",
    )
    gpg.add_argument(
        "--year",
        type=int,
        default=None,
        help="the reporting year the file must hold, by its snapshot year (2017 for 2017-18); "
        "default: every year the file's due dates give",
    )
    db_flag(gpg)
    gpg.add_argument("--as-of", type=iso_date, default=None, help="check contracts as of this date (default today)")
    gpg.set_defaults(handler=cmd_import_gpg)


def cmd_import_gpg(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.console import console
    from gwp_monitor.public_registers.gpg_source import SourceError
    from gwp_monitor.public_registers.importing import import_gpg

    source = args.source or settings.gpg_register_source
    if not source:
        raise OperationalError("no register given: pass FILE_OR_URL or set GWP_GPG_REGISTER_SOURCE")
    if "://" not in str(source) and not Path(source).is_file():
        raise OperationalError(f"no such file: {source}")
    database = open_db(settings.database_url)
    try:
        result = import_gpg(database, source, year=args.year, as_of=settings.today, max_bytes=settings.max_file_bytes)
    except SourceError as exc:
        raise OperationalError(str(exc)) from exc
    if result.problems:
        console.print(f"[bold red]{result.summary()}[/]")
        for problem in result.problems:
            console.print(f"  - {problem.describe()}", markup=False, highlight=False)
        return 1
    console.print(result.summary(), markup=False, highlight=False)
    if result.checks is not None:
        console.print(
            f"Checked {result.checks.periods} contract workforce period(s): {result.checks.published} found in "
            f"the register; {result.checks.verdicts} verdict(s) on gpg_published / gpg_consistent "
            "(see v_public_register_checks)",
            markup=False,
            highlight=False,
        )
    return 0
