"""What every command module of `gwp-monitor` shares: the date type, the --db flag, the way a command
and a group of actions are declared, the operational error that exits 2, and opening the database and
the contract register.

It lives apart from `gwp_monitor.cli` so that the command modules (portal, sources, notify,
public registers, supplier tools) can import it at the top instead of reaching back into the main
parser module from inside their functions.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

DB_HELP = (
    "reporting database URL, e.g. sqlite:///gwp.db or postgresql://user@host/gwp "
    "(env GWP_DATABASE_URL; default sqlite:///gwp-demo/gwp.db)"
)


class OperationalError(Exception):
    """A failure of the run itself, not of a supplier's data: exit 2 with this one line."""


def iso_date(text: str) -> date:
    """The type of every date flag: YYYY-MM-DD, or a message that says how to write it."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write YYYY-MM-DD") from exc


def db_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, metavar="URL", help=DB_HELP)


def command(
    sub: argparse._SubParsersAction, name: str, *, help: str, description: str, epilog: str | None = None
) -> argparse.ArgumentParser:
    """A command (or an action of a group) whose description and examples keep their line breaks."""
    return sub.add_parser(
        name, help=help, description=description, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def command_group(
    sub: argparse._SubParsersAction, name: str, *, help: str, description: str, epilog: str | None = None
) -> argparse._SubParsersAction:
    """A command made of actions (`gwp-monitor landing purge`): returns where its actions are added.
    The chosen action is ``args.<name>_command``."""
    group = (
        command(sub, name, help=help, description=description, epilog=epilog)
        if epilog
        else sub.add_parser(name, help=help, description=description)
    )
    return group.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)


def open_db(url: str | None, upgrade_schema: bool = True):  # noqa: ANN201 - a store.database.Database
    """The reporting database, or an OperationalError naming why it cannot be opened."""
    from gwp_monitor.store.database import DatabaseError, open_database

    try:
        return open_database(url, upgrade_schema=upgrade_schema)
    except DatabaseError as exc:
        raise OperationalError(str(exc)) from exc


def open_register(path: Path | None, fmt: str = "table"):  # noqa: ANN201 - a config.register.Register
    """The contract register, or an OperationalError after every problem that makes it invalid has
    been shown (as JSON when `fmt` is "json", so standard output stays one JSON document)."""
    from gwp_monitor.config.register import RegisterError, load_register
    from gwp_monitor.console import console, styled

    if path is None:
        raise OperationalError("no contract register given: pass --contracts REGISTER.yaml or set GWP_REGISTER")
    try:
        return load_register(path)
    except RegisterError as exc:
        if fmt == "json":
            print(
                json.dumps(
                    {"error": "invalid contract register", "register": str(path), "problems": exc.problems}, indent=2
                )
            )
        else:
            console.print(styled("[bold red]The contract register {} is refused:[/]", path))
            for problem in exc.problems:
                console.print(f"  - {problem}")
        raise OperationalError(
            f"contract register {path} is invalid ({len(exc.problems)} problem(s)); nothing was done"
        ) from exc
