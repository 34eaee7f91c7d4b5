"""Where a source's password or key comes from: the environment or an Airflow connection, never the
register or the URL (spec 6).

For a source on host ``sftp.example.org`` (letters and digits of the host, upper case, anything else
``_``):

- ``GWP_SOURCE_PASSWORD_SFTP_EXAMPLE_ORG``: the password (SFTP or IMAP);
- ``GWP_SOURCE_KEY_SFTP_EXAMPLE_ORG``: the path of an OpenSSH private key file (SFTP), tried first;
- inside an Airflow task, the connection ``gwp_source_sftp_example_org`` (its password, and
  ``{"key_file": "/path"}`` in its extra) when the environment names neither.

With none of them, SFTP still tries the service account's SSH agent and ~/.ssh keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gwp_monitor.config.settings import Settings
from gwp_monitor.sources.urls import Source


@dataclass(frozen=True)
class Credentials:
    password: str | None = field(default=None, repr=False)
    key_file: str | None = None


def host_slug(host: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", host).upper()


def env_names(source: Source) -> tuple[str, str]:
    """(password variable, key file variable) for a source's host."""
    slug = host_slug(source.host or "")
    return f"GWP_SOURCE_PASSWORD_{slug}", f"GWP_SOURCE_KEY_{slug}"


def connection_id(source: Source) -> str:
    return f"gwp_source_{host_slug(source.host or '').lower()}"


def credentials_for(source: Source, settings: Settings, airflow: bool = False) -> Credentials:
    """The environment's credentials for a source (read by Settings), else (inside Airflow) its connection's."""
    password_var, key_var = env_names(source)
    password, key_file = settings.source_secret(password_var), settings.source_secret(key_var)
    if password or key_file or not airflow:
        return Credentials(password, key_file)
    return _from_airflow(connection_id(source))


def _from_airflow(conn_id: str) -> Credentials:
    from airflow.sdk import BaseHook

    try:
        conn: Any = BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - AirflowNotFoundException's home moved between versions
        return Credentials()
    extra = conn.extra_dejson or {}
    return Credentials(conn.password or None, extra.get("key_file") or None)
