"""Real SFTP and IMAP servers for the landing-source tests, started on free localhost ports.

``Sshd``: Debian's OpenSSH server in the foreground (``sshd -D``) with a throwaway host key and a
throwaway user key for the current user, serving SFTP from ``internal-sftp``. ``Dovecot``: Debian's
Dovecot IMAP over TLS only (a throwaway self-signed certificate), one passwd-file user and a Maildir
the test fills with real MIME messages. Both are killed at the end; ``Sshd.kill`` kills the server
and every session it forked at once (SIGKILL), as a crashed or unplugged server.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def require(binary: str, package: str) -> None:
    if not os.access(binary, os.X_OK):
        pytest.skip(f"{binary} is not installed (Debian package {package}; ./dev test installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port}: {log.read_text(errors='replace')[-2000:]}")


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (sshd's per-connection children call setsid(), so a process group or
    session would miss them)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_session(proc: subprocess.Popen) -> None:
    """SIGKILL the server and every process it started, at once (a crash, not a shutdown)."""
    for pid in [proc.pid, *_descendants(proc.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=10)


class Sshd:
    """OpenSSH's sshd on a free port; `root` is the folder served (an absolute path on this machine)."""

    def __init__(self, workdir: Path) -> None:
        require(SSHD, "openssh-server")
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.user = getpass.getuser()
        self.port = free_port()
        self.host_key = self.dir / "host_ed25519"
        self.user_key = self.dir / "user_ed25519"
        for key in (self.host_key, self.user_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        (self.dir / "authorized_keys").write_text(self.user_key.with_suffix(".pub").read_text())
        self.known_hosts = self.dir / "known_hosts"
        host_pub = " ".join(self.host_key.with_suffix(".pub").read_text().split()[:2])
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {host_pub}\n")
        self.config = self.dir / "sshd_config"
        self.config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {self.host_key}",
                    f"PidFile {self.dir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.dir / 'authorized_keys'}",
                    "StrictModes no",
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "PermitRootLogin prohibit-password",
                    "Subsystem sftp internal-sftp",
                    "LogLevel ERROR",
                    "",
                ]
            )
        )
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
        self.proc: subprocess.Popen | None = None
        self.log = self.dir / "sshd.log"

    def start(self) -> Sshd:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(self.config)], stdout=log, stderr=log, start_new_session=True
            )
        wait_for_port(self.port, self.proc, self.log)
        return self

    def url(self, folder: Path) -> str:
        return f"sftp://{self.user}@127.0.0.1:{self.port}{folder}"

    def env(self) -> dict[str, str]:
        """What a deployment sets: the key file by host, and the known host keys."""
        return {"GWP_SOURCE_KEY_127_0_0_1": str(self.user_key), "GWP_SOURCE_KNOWN_HOSTS": str(self.known_hosts)}

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            _kill_session(self.proc)
        self.proc = None


class Dovecot:
    """Dovecot IMAP over TLS (imaps) on a free port, one user with a Maildir."""

    def __init__(self, user: str = "returns", password: str = "s3cret pass") -> None:
        require(DOVECOT, "dovecot-imapd")
        # Not under pytest's 0700 tmp folders: Dovecot's login processes run as dovenull.
        self.dir = Path(tempfile.mkdtemp(prefix="gwp-dovecot-"))
        self.dir.chmod(0o755)
        self.user, self.password, self.port = user, password, free_port()
        self.cert, self.key = self.dir / "cert.pem", self.dir / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        (self.dir / "users").write_text(f"{user}:{{PLAIN}}{password}\n")
        self.maildir = self.dir / "home" / user / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True)
        # Dovecot will not run a mailbox as root: as root, the mail user is "nobody".
        uid, gid = (pwd.getpwnam("nobody")[2:4]) if os.geteuid() == 0 else (os.getuid(), os.getgid())
        self.uid, self.gid = uid, gid
        for path in (self.maildir.parent, self.maildir, *self.maildir.iterdir()):
            os.chown(path, uid, gid)
        self.config = self.dir / "dovecot.conf"
        me = pwd.getpwuid(os.getuid()).pw_name
        # Not root: Dovecot runs its helper and login processes as this user too.
        unprivileged = "" if os.geteuid() == 0 else f"default_internal_user = {me}\ndefault_login_user = {me}\n"
        self.config.write_text(
            unprivileged
            + f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
ssl = required
ssl_cert = <{self.cert}
ssl_key = <{self.key}
disable_plaintext_auth = yes
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.dir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.dir}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
"""
        )
        self.log = self.dir / "dovecot.log"
        self.log.touch()
        self.proc: subprocess.Popen | None = None

    def start(self) -> Dovecot:
        with open(self.dir / "stderr.log", "ab") as err:
            self.proc = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.config)], stdout=err, stderr=err, start_new_session=True
            )
        wait_for_port(self.port, self.proc, self.log)
        return self

    def url(self, mailbox: str = "INBOX") -> str:
        return f"imaps://{self.user}@127.0.0.1:{self.port}/{mailbox}"

    def env(self) -> dict[str, str]:
        return {"GWP_SOURCE_PASSWORD_127_0_0_1": self.password, "GWP_SOURCE_CA_FILE": str(self.cert)}

    def deliver(self, message: EmailMessage, name: str) -> Path:
        """Put a message in the mailbox as unread (Maildir new/), as a mail server would."""
        path = self.maildir / "new" / f"{int(time.time())}.{name}.gwp-test"
        path.write_bytes(message.as_bytes())
        os.chown(path, self.uid, self.gid)
        return path

    def seen_flags(self) -> list[str]:
        """The Maildir info of each delivered message ('S' in it: read)."""
        return sorted(p.name.split(":2,", 1)[1] if ":2," in p.name else "" for p in self.maildir.glob("*/*.gwp-test*"))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            _kill_session(self.proc)
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
