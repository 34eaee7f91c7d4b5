"""Supplier-facing commands (added to the main parser by cli.py): `gwp-monitor template ...` gives a
return template, `gwp-monitor register export ...` cuts a register down to one supplier's contracts so
the supplier can run `check` with every contract rule."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from gwp_monitor.cli_support import OperationalError, command, command_group, open_register
from gwp_monitor.config.settings import Settings

TEMPLATE_DESCRIPTION = """\
Writes the return template for a kind: CSV (the header row, UTF-8) or XLSX (a "Return" sheet with the
header row, formatted for dates and money, and an "Explanation" sheet saying what to put in each
column, with an example). Fill in one row per worker and pay period (payroll) or per contract and
quarter (workforce), then check the file with `gwp-monitor check FILE`.

Without --out the CSV is printed (redirect it to a file) and the XLSX is saved in the current folder
under its own name."""

EXPORT_DESCRIPTION = """\
For the council: writes a contract register holding only one supplier's contracts (each as the
register has it: schedules, commitments and that contract's contacts), and nothing about any other
supplier. Give it to the supplier so that `gwp-monitor check FILE --contracts THAT-FILE` also checks the
contract rules (the contract is known, the period is one of the contract's). The full register must
be valid; the exported one is checked to load before it is written.

Exit status: 0 written, 2 the register is invalid or has no contract of that supplier."""

EXPORT_EPILOG = """\
example:
  gwp-monitor register export --supplier-id 08064685 --contracts register.yaml --out tyneside-care.yaml"""

TEMPLATE_EPILOG = """\
examples:
  gwp-monitor template payroll > payroll.csv
  gwp-monitor template workforce --format xlsx --out workforce-return.xlsx"""


def add_supplier_parsers(sub: argparse._SubParsersAction, db_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    """`template` and `register` (no database: `db_flag` is unused, taken for the common signature)."""
    template = command(
        sub,
        "template",
        help="write a blank return template (CSV, or XLSX with an explanation of every column)",
        description=TEMPLATE_DESCRIPTION,
        epilog=TEMPLATE_EPILOG,
    )
    template.add_argument("kind", choices=("payroll", "workforce"), help="which return")
    template.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="file format (default csv)")
    template.add_argument("--out", type=Path, default=None, metavar="FILE", help="where to write the template")
    template.set_defaults(handler=cmd_template)

    actions = command_group(
        sub,
        "register",
        help="the contract register: export one supplier's part of it",
        description="Contract register tools.",
    )
    export = command(
        actions,
        "export",
        help="write a register holding only one supplier's contracts, for that supplier's `check`",
        description=EXPORT_DESCRIPTION,
        epilog=EXPORT_EPILOG,
    )
    export.add_argument(
        "--supplier-id", required=True, metavar="ID", help="the supplier's supplier_id in the register, as written"
    )
    export.add_argument(
        "--contracts", type=Path, default=None, help="the full contract register YAML (env GWP_REGISTER)"
    )
    export.add_argument("--out", type=Path, default=None, metavar="FILE", help="where to write it (default: print it)")
    export.set_defaults(handler=cmd_register_export)


def cmd_template(args: argparse.Namespace, settings: Settings) -> int:
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


def cmd_register_export(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.config.register import RegisterError
    from gwp_monitor.config.register_export import UnknownSupplier, export_supplier_register
    from gwp_monitor.console import console, styled

    source = settings.given("contract_register")
    register = open_register(source)
    assert source is not None  # open_register refuses a missing register
    out: Path | None = args.out
    if out is not None and out.resolve() == source.resolve():
        raise OperationalError(f"--out {out} is the register itself: write the export to another file")
    try:
        exported = export_supplier_register(source, register, args.supplier_id, settings.today)
    except UnknownSupplier as exc:
        raise OperationalError(str(exc)) from exc
    except RegisterError as exc:  # cannot happen for a valid register; said plainly if it ever does
        raise OperationalError(f"the exported register would not load: {'; '.join(exc.problems)}") from exc
    if out is None:
        sys.stdout.write(exported.text)
        return 0
    try:
        out.write_text(exported.text, encoding="utf-8")
    except OSError as exc:
        raise OperationalError(f"cannot write {out} ({exc.strerror or exc})") from exc
    console.print(
        styled(
            "Register for {} (supplier_id {}) written: [bold]{}[/] ({} contract(s))",
            exported.supplier_name,
            args.supplier_id,
            out,
            exported.contracts,
        )
    )
    return 0
