"""`gwp-monitor fetch` and `gwp-monitor landing purge`, and the fetch that `run` does first
(added to the main parser by cli.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gwp_monitor.cli_support import OperationalError, command, command_group, open_db, open_register
from gwp_monitor.config.settings import Settings

FETCH_DESCRIPTION = """\
Fetches new return files from the landing sources into the landing folder: GWP_SOURCES
(comma-separated URLs) and the register's supplier sources, or the --source URLs given.
  file:///srv/returns                  a local or mounted folder (received time: the file's time)
  sftp://user@host[:port]/folder       an SFTP server (received time: the server's modification time)
  imaps://user@host[:port]/INBOX       a mailbox, over TLS: attachments of unread messages (received
                                       time: the e-mail's Date); a message is marked read once all
                                       its attachments are landed or refused
  portal                               the portal writes into the landing folder itself: nothing to fetch
Passwords and keys: GWP_SOURCE_PASSWORD_<HOST>, GWP_SOURCE_KEY_<HOST> (a private key file), never the URL.
Every file is fetched once; a source that is down is reported in one line and the others carry on.

Exit status: 0 every source fetched, 2 a source failed (the others' files are landed)."""

PURGE_DESCRIPTION = """\
Deletes processed return files (and their delivery records) older than GWP_RETENTION_DAYS
(default 90) from the processed area (GWP_PROCESSED_DIR, default the folder 'processed' beside
the landing folder), and downloads a crash abandoned in the landing folder. Raw returns hold
personal data: this is the retention control (the daily DAG runs it too)."""


def add_sources_parser(sub: argparse._SubParsersAction, db_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    fetch = command(
        sub,
        "fetch",
        help="fetch new returns from SFTP servers, mailboxes and folders into the landing folder",
        description=FETCH_DESCRIPTION,
        epilog="example:\n  GWP_SOURCE_PASSWORD_MAIL_EXAMPLE_ORG=... gwp-monitor fetch --source imaps://returns@mail.example.org/INBOX",
    )
    fetch.add_argument(
        "--source",
        action="append",
        default=None,
        metavar="URL",
        help="fetch this source (repeatable); default: all configured",
    )
    fetch.add_argument(
        "--contracts",
        type=Path,
        default=None,
        help="contract register YAML, for its supplier sources (env GWP_REGISTER)",
    )
    fetch.add_argument("--landing", type=Path, default=None, help="landing folder (env GWP_LANDING_DIR)")
    db_flag(fetch)
    fetch.set_defaults(handler=cmd_fetch)

    run = sub.choices.get("run")
    if run is not None:
        run.add_argument("--no-fetch", action="store_true", help="do not fetch from the landing sources first")

    actions = command_group(
        sub, "landing", help="landing and processed folders: retention", description="Landing folder maintenance."
    )
    purge = command(
        actions, "purge", help="delete processed files older than the retention period", description=PURGE_DESCRIPTION
    )
    purge.add_argument("--landing", type=Path, default=None, help="landing folder (env GWP_LANDING_DIR)")
    purge.add_argument("--processed", type=Path, default=None, help="processed area (env GWP_PROCESSED_DIR)")
    purge.add_argument(
        "--retention-days", type=int, default=None, help="days kept (env GWP_RETENTION_DAYS, default 90)"
    )
    purge.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")
    purge.set_defaults(handler=cmd_purge)


def cmd_fetch(args: argparse.Namespace, settings: Settings) -> int:

    sources = _sources(args.source, settings)
    if not sources:
        raise OperationalError(
            "no landing sources: pass --source URL or set GWP_SOURCES (see gwp-monitor fetch --help)"
        )
    reports = fetch_and_report(sources, settings, open_db(settings.database_url))
    return 2 if any(r.error for r in reports) else 0


def fetch_before_run(args: argparse.Namespace, settings: Settings, database: Any) -> list[str]:
    """`run`'s first step: fetch every configured source (unless --no-fetch); the failed sources' lines."""
    if getattr(args, "no_fetch", False):
        return []
    sources = _sources(None, settings)
    return [f"{r.source}: {r.error}" for r in fetch_and_report(sources, settings, database) if r.error]


def fetch_and_report(sources: list, settings: Settings, database: Any) -> list:
    from gwp_monitor.console import console, styled
    from gwp_monitor.sources.run import fetch_all

    settings.landing_dir.mkdir(parents=True, exist_ok=True)
    reports = fetch_all(sources, settings, database)
    for report in reports:
        if report.error:
            print(f"gwp-monitor: {report.summary()}", file=sys.stderr, flush=True)
        else:
            console.print(styled("fetched {}", report.summary()))
            for reason in report.rejected:
                console.print(styled("  [yellow]{}[/]", reason))
    return reports


def _sources(given: list[str] | None, settings: Settings) -> list:
    from gwp_monitor.sources.run import configured_sources
    from gwp_monitor.sources.urls import SourceUrlError, parse_sources

    try:
        if given:
            return parse_sources(given)
        return configured_sources(settings, _supplier_sources(settings))
    except SourceUrlError as exc:
        raise OperationalError(str(exc)) from exc


def _supplier_sources(settings: Settings) -> list[str | None]:
    path = settings.given("contract_register")
    if path is None:
        return []

    register = open_register(path)
    return [c.supplier.source for c in register.contracts.values()]


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from gwp_monitor.console import console, styled
    from gwp_monitor.sources.retention import purge

    processed = args.processed or settings.processed_folder
    days = args.retention_days if args.retention_days is not None else settings.retention_days
    if days < 1:
        raise OperationalError("--retention-days must be at least 1")
    report = purge(processed, days, today=settings.as_of, landing=settings.landing_dir, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    console.print(
        styled(
            "{} {} file(s) processed on {} day(s) before the last {} days in {}",
            verb.capitalize(),
            report.files,
            len(report.days),
            days,
            processed,
        )
    )
    for day in report.days:
        console.print(styled("  {} {}", verb, day))
    if report.parts:
        console.print(styled("  {} {} abandoned download(s) in the landing folder", verb, len(report.parts)))
    return 0
