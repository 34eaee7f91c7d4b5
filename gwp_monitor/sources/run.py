"""Fetch configured sources into the landing folder: what `gwp-monitor fetch`, `run` and the DAG call.

Each source is fetched on its own: one that is down is reported with one line and the others carry
on (in Airflow, one mapped task per source fails alone).
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Iterable
from pathlib import Path

from gwp_monitor.config.settings import Settings
from gwp_monitor.sources.credentials import Credentials, credentials_for, env_names
from gwp_monitor.sources.fetch import FetchReport, Lander, SourceDown
from gwp_monitor.sources.urls import Source, parse_sources
from gwp_monitor.store.database import Database

log = logging.getLogger(__name__)


def configured_sources(settings: Settings, supplier_sources: Iterable[str | None] = ()) -> list[Source]:
    """GWP_SOURCES, then the register's supplier sources, each once."""
    return parse_sources([*settings.sources, *(s for s in supplier_sources if s)])


def fetch_source(
    source: Source, settings: Settings, db: Database, credentials: Credentials | None = None
) -> FetchReport:
    """Land what `source` has that is new; SourceDown (one line) when it cannot be reached or fails midway."""
    landing = settings.landing_dir
    lander = Lander(source, landing, db)
    if source.kind == "portal":
        return lander.report  # the portal writes into the landing folder itself
    creds = credentials or credentials_for(source, settings)
    connected = False
    try:
        if source.kind == "folder":
            from gwp_monitor.sources.trees import FolderTree, fetch_tree

            folder = Path(source.path)
            if not folder.is_dir():
                raise SourceDown(f"{source.url}: the folder does not exist or is not a folder")
            if folder.resolve() == landing.resolve():
                raise SourceDown(f"{source.url} is the landing folder itself: remove it from GWP_SOURCES")
            fetch_tree(source, FolderTree(folder), lander, settings.max_file_bytes, settings.source_settle_seconds)
        elif source.kind == "sftp":
            from gwp_monitor.sources.trees import fetch_tree, sftp_tree

            with sftp_tree(
                source, creds.password, creds.key_file, settings.source_known_hosts, settings.source_timeout
            ) as tree:
                connected = True
                fetch_tree(source, tree, lander, settings.max_file_bytes, settings.source_settle_seconds)
        else:
            from gwp_monitor.sources.imap import fetch_mailbox, mailbox

            with mailbox(source, creds.password, settings.source_ca_file, settings.source_timeout) as imap:
                connected = True
                fetch_mailbox(source, imap, lander, settings.max_file_bytes)
    except SourceDown:
        raise
    except Exception as exc:  # noqa: BLE001 - every library's failure becomes one line naming the source
        raise SourceDown(f"{source.url}: {_reason(source, exc, connected)}") from exc
    finally:
        lander.flush()  # what was landed before a failure is remembered too
    return lander.report


def fetch_all(sources: Iterable[Source], settings: Settings, db: Database, airflow: bool = False) -> list[FetchReport]:
    """Fetch every source; a failed one is reported (``error``) and the rest carry on."""
    reports = []
    for source in sources:
        try:
            report = fetch_source(source, settings, db, credentials_for(source, settings, airflow=airflow))
        except SourceDown as exc:
            report = FetchReport(source.url, error=str(exc).removeprefix(f"{source.url}: "))
        log.info("%s", report.summary())
        reports.append(report)
    return reports


def _reason(source: Source, exc: BaseException, connected: bool) -> str:
    """One line saying what failed and what to check, never a password."""
    import paramiko

    where = f"{source.host}:{source.port}"
    password_var, key_var = env_names(source)
    if isinstance(exc, paramiko.AuthenticationException) or (
        isinstance(exc, imaplib.IMAP4.error) and "auth" in str(exc).lower()
    ):
        return f"login refused for {source.user}@{where}: check {password_var} / {key_var} or the Airflow connection"
    if isinstance(exc, PermissionError) and "password" in str(exc):
        return str(exc)
    if isinstance(exc, paramiko.BadHostKeyException):
        return f"the host key of {where} has CHANGED from the one in known_hosts: refusing to connect (check with the server's owner)"
    if isinstance(exc, paramiko.SSHException) and "known_hosts" in str(exc):
        return f"the host key of {where} is not known: add it to GWP_SOURCE_KNOWN_HOSTS (ssh-keyscan -p {source.port} {source.host})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the certificate of {where} is not trusted ({exc.verify_message}): set GWP_SOURCE_CA_FILE to its CA"
    if isinstance(exc, OSError) and exc.filename:  # our side: the landing folder, not the server
        return (
            f"could not write {exc.filename} ({exc.strerror}): check the landing folder; nothing was marked as fetched"
        )
    if isinstance(exc, FileNotFoundError):
        return f"the folder {source.path} does not exist on {where}"
    if not connected and isinstance(exc, (OSError, EOFError, paramiko.SSHException, imaplib.IMAP4.error)):
        underlying = list(getattr(exc, "errors", {}).values())  # paramiko: one error per address tried
        detail = getattr(underlying[0] if underlying else exc, "strerror", None) or type(exc).__name__
        return f"cannot connect to {where} ({detail}): is the server up and reachable?"
    if isinstance(exc, (EOFError, paramiko.SSHException, OSError, imaplib.IMAP4.abort, imaplib.IMAP4.error)):
        return (
            f"the connection to {where} was lost ({type(exc).__name__}); "
            "files landed before stay, the rest are fetched next time"
        )
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
