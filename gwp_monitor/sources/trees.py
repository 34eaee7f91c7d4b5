"""Folder and SFTP sources: a flat folder of files, each known by its path, modification time and size.

The file's modification time at the source is its received time (spec 2.4, 9): the time the supplier
finished putting it there, which a copy to the landing folder would otherwise lose. Files are never
changed or deleted at the source; a file replaced there (new time or size) is a new delivery.
Hidden files and the temporary names upload tools use are left alone, and so is a file changed in
the last ``GWP_SOURCE_SETTLE_SECONDS`` (an upload still in progress).
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from gwp_monitor.ingest.landed import Delivery
from gwp_monitor.sources.fetch import Lander, refusal
from gwp_monitor.sources.urls import Source

#: Names upload tools give files while writing them (WinSCP, FileZilla, rsync, curl).
_PREFETCH_FROM = 256 * 1024
_IN_PROGRESS = (".filepart", ".part", ".tmp", ".partial", ".crdownload")


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int
    modified: datetime

    @property
    def identity(self) -> str:
        return f"{self.name}@{self.modified.isoformat()}#{self.size}"


class Tree(Protocol):
    """A folder at a source: list its regular files, copy one into a local file."""

    def files(self) -> list[RemoteFile]: ...

    def download(self, file: RemoteFile, target: Path) -> None: ...


def wanted(name: str) -> bool:
    return not name.startswith((".", "~$")) and not name.lower().endswith(_IN_PROGRESS)


def fetch_tree(source: Source, tree: Tree, lander: Lander, max_bytes: int, settle_seconds: int) -> None:
    """Land every new, settled file of `tree`, oldest first."""
    settled_before = datetime.now(UTC) - timedelta(seconds=settle_seconds)
    for file in sorted(tree.files(), key=lambda f: (f.modified, f.name)):
        if lander.is_known(file.identity):
            lander.report.already += 1
            continue
        if file.modified > settled_before:
            continue  # still being written, perhaps: next time
        delivery = Delivery(file.modified, source.delivery_source, file.name, source_id=file.identity)
        why = refusal(file.name, file.size, max_bytes)
        if why:
            lander.reject(delivery, why)
        else:
            lander.land(delivery, lambda part, f=file: tree.download(f, part))  # type: ignore[misc]


class FolderTree:
    """A local (or mounted) folder given as file:///path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def files(self) -> list[RemoteFile]:
        out = []
        for entry in self.folder.iterdir():
            info = entry.lstat()
            if stat.S_ISREG(info.st_mode) and wanted(entry.name):
                out.append(RemoteFile(entry.name, info.st_size, _utc(info.st_mtime)))
        return out

    def download(self, file: RemoteFile, target: Path) -> None:
        with open(self.folder / file.name, "rb") as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)


class SftpTree:
    """A folder on an SFTP server (paramiko's SFTP client over one SSH connection)."""

    def __init__(self, client, folder: str) -> None:  # noqa: ANN001 - paramiko.SFTPClient (imported lazily)
        self.client, self.folder = client, folder.rstrip("/") or "/"

    def files(self) -> list[RemoteFile]:
        return [
            RemoteFile(a.filename, a.st_size or 0, _utc(a.st_mtime or 0))
            for a in self.client.listdir_attr(self.folder)
            if a.st_mode is not None and stat.S_ISREG(a.st_mode) and wanted(a.filename)
        ]

    def download(self, file: RemoteFile, target: Path) -> None:
        with open(target, "wb") as out:
            # Prefetching (pipelined reads on a thread) pays off for large files only: for a small one
            # the thread costs more than the round trips it saves.
            self.client.getfo(f"{self.folder}/{file.name}", out, prefetch=file.size > _PREFETCH_FROM)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


@contextmanager
def sftp_tree(
    source: Source, password: str | None, key_file: str | None, known_hosts: Path | None, timeout: float
) -> Iterator[SftpTree]:
    """An SFTP connection to `source`; the server's host key must be known (never accepted blindly)."""
    import paramiko

    ssh = paramiko.SSHClient()
    ssh.load_system_host_keys()
    if known_hosts is not None:
        ssh.load_host_keys(str(known_hosts))
    ssh.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        ssh.connect(
            source.host or "",
            port=source.port or 22,
            username=source.user,
            password=password,
            key_filename=key_file,
            timeout=timeout,
            banner_timeout=timeout,
            auth_timeout=timeout,
            channel_timeout=timeout,
            allow_agent=key_file is None and password is None,
            look_for_keys=key_file is None and password is None,
        )
        client = ssh.open_sftp()
        client.get_channel().settimeout(timeout)
        yield SftpTree(client, source.path)
    finally:
        ssh.close()
