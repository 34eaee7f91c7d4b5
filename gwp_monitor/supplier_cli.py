"""Supplier-facing commands (added to the main parser by cli.py): `gwp-monitor template ...` gives a
return template, `gwp-monitor register export ...` cuts a register down to one supplier's contracts so
the supplier can run `check` with every contract rule."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from gwp_monitor.config.settings import Settings

TEMPLATE_DESCRIPTION = """\
Writes the return template for a kind: CSV (the header row, UTF-8) or XLSX (a "Return" sheet with the
header row, formatted for dates and money, and an "Explanation" sheet saying what to put in each
column, with an example). Fill in one row per worker and pay period (payroll) or per contract and
quarter (workforce), then check the file with `gwp-monitor check FILE`.

Without --out the CSV is printed (redirect it to a file) and the XLSX is saved in the current folder
under its own name."""

TEMPLATE_EPILOG = """\
examples:
  gwp-monitor template payroll > payroll.csv
  gwp-monitor template workforce --format xlsx --out workforce-return.xlsx"""


def add_supplier_parsers(sub: argparse._SubParsersAction, db_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    """`template` and `register` (no database: `db_flag` is unused, taken for the common signature)."""
    template = sub.add_parser(
        "template",
        help="write a blank return template (CSV, or XLSX with an explanation of every column)",
        description=TEMPLATE_DESCRIPTION,
        epilog=TEMPLATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    template.add_argument("kind", choices=("payroll", "workforce"), help="which return")
    template.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="file format (default csv)")
    template.add_argument("--out", type=Path, default=None, metavar="FILE", help="where to write the template")
    template.set_defaults(handler=cmd_template)


def cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.cli import OperationalError
    from gwp_monitor.console import console, styled
    from gwp_monitor.ingest.template_files import template_bytes, template_filename

    data = template_bytes(args.kind, args.format)
    out: Path | None = args.out
    if out is None and args.format == "csv":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    out = out or Path(template_filename(args.kind, args.format))
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise OperationalError(f"cannot write the template to {out} ({exc.strerror or exc})") from exc
    console.print(styled("Template written: [bold]{}[/] ({} return, {})", out, args.kind, args.format.upper()))
    return 0
