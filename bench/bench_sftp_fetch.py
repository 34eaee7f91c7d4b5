"""Files per second fetched from SFTP (issue 14): `gwp-monitor fetch` against a real OpenSSH sshd on
localhost, compared with a bare paramiko loop copying the same files (the floor: transfer alone, no
landing, delivery records, hashing or ledger).

    python bench/bench_sftp_fetch.py [--files 300] [--kib 20]

Needs Debian's openssh-server (/usr/sbin/sshd); the server is started and killed here.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from common import Row, check_ratio, log, report, warn_if_busy  # noqa: E402

sys.path.insert(0, str(common.ROOT / "tests"))


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--kib", type=int, default=20, help="size of each file")
    parser.add_argument("--big-mib", type=int, default=64, help="size of the one large file")
    args = parser.parse_args(argv)
    from source_servers import SSHD, Sshd  # tests/source_servers.py

    if not os.access(SSHD, os.X_OK):
        log(f"{SSHD} is not installed (Debian openssh-server): nothing measured")
        return []
    warn_if_busy()
    import paramiko

    from gwp_monitor.config.settings import Settings
    from gwp_monitor.sources.run import fetch_all
    from gwp_monitor.sources.urls import parse_source
    from gwp_monitor.store.database import open_database

    with tempfile.TemporaryDirectory(prefix="gwp-bench-sftp-") as tmp:
        work = Path(tmp)
        server = Sshd(work / "sshd").start()
        try:
            remote = work / "remote"
            remote.mkdir()
            line = b"C-1,2026-02-01,2026-02-28,W00001,Acme,direct,permanent,21_plus,no,no,150,2025.00,13.50,female\n"
            body = b"contract_ref,period_start\n" + line * (args.kib * 1024 // len(line))
            when = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
            for i in range(args.files):
                path = remote / f"return-{i:05d}.csv"
                path.write_bytes(body + f"#{i}\n".encode())  # each file distinct content
                os.utime(path, (when, when))

            # The floor: paramiko alone, one connection, every file copied into a local folder.
            ssh = paramiko.SSHClient()
            ssh.load_host_keys(str(server.known_hosts))
            ssh.connect("127.0.0.1", port=server.port, username=server.user, key_filename=str(server.user_key))
            sftp = ssh.open_sftp()
            bare = work / "bare"
            bare.mkdir()
            start = time.perf_counter()
            for entry in sftp.listdir_attr(str(remote)):
                with open(bare / entry.filename, "wb") as out:
                    sftp.getfo(f"{remote}/{entry.filename}", out, prefetch=(entry.st_size or 0) > 256 * 1024)
            floor = time.perf_counter() - start
            ssh.close()

            env = {
                "GWP_LANDING_DIR": str(work / "landing"),
                "GWP_DATABASE_URL": f"sqlite:///{work / 'r.db'}",
                "GWP_SOURCES": server.url(remote),
                "GWP_SOURCE_SETTLE_SECONDS": "0",
                **server.env(),
            }
            settings = Settings.load(environ=env)
            database = open_database(settings.database_url)
            sources = [parse_source(u) for u in settings.sources]
            log(f"fetching {args.files} files of {args.kib} KiB from sshd on port {server.port}")
            start = time.perf_counter()
            (fetched,) = fetch_all(sources, settings, database)
            seconds = time.perf_counter() - start
            assert fetched.error is None and len(fetched.landed) == args.files, fetched.summary()
            start = time.perf_counter()
            (again,) = fetch_all(sources, settings, database)
            recheck = time.perf_counter() - start
            assert again.already == args.files and not again.landed

            # One large file: throughput in MiB/s (prefetching reads; sha256 and fsync on landing).
            big = remote / "big.csv"
            big.write_bytes(b"contract_ref,period_start\n" + os.urandom(args.big_mib * 1024 * 1024))
            os.utime(big, (when, when))
            start = time.perf_counter()
            (large,) = fetch_all(sources, settings, database)
            big_seconds = time.perf_counter() - start
            assert len(large.landed) == 1, large.summary()
        finally:
            server.kill()
    rate, floor_rate = args.files / seconds, args.files / floor
    rows = [
        check_ratio(
            f"SFTP fetch, {args.files} files of {args.kib} KiB",
            seconds,
            floor,
            3.0,
            floor_label="bare paramiko copy",
            note=f"{rate:.0f} files/s (bare copy {floor_rate:.0f} files/s)",
            extra={"files_per_second": rate, "bare_files_per_second": floor_rate},
        ),
        Row(f"  fetch again (all {args.files} known, none downloaded)", recheck),
        Row(
            f"  one file of {args.big_mib} MiB",
            big_seconds,
            note=f"{args.big_mib / big_seconds:.0f} MiB/s",
            extra={"mib_per_second": args.big_mib / big_seconds},
        ),
    ]
    report(
        "sftp_fetch",
        rows,
        {"files": args.files, "kib": args.kib, "files_per_second": rate, "floor_files_per_second": floor_rate},
    )
    print(
        f"\nSFTP fetch: {rate:.0f} files/s ({seconds:.2f} s for {args.files} files); bare paramiko: {floor_rate:.0f} files/s"
    )
    return rows


if __name__ == "__main__":
    main()
