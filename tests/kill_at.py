"""Run the `gwp-monitor` command line and kill -9 it at a chosen SQL statement: the fault-injection
harness of tests/test_faults.py.

    python tests/kill_at.py PATTERN N -- run --contracts ... --landing ... --db ...

A SQLAlchemy `before_cursor_execute` hook on every engine counts the statements matching the regular
expression PATTERN (case-insensitive) and sends SIGKILL to the process just before the N-th is sent to
the database: no finally block, no rollback, exactly as an OOM kill or a pulled plug. PATTERN "*"
counts every statement (the random-kill test). Just before the kill it writes
``kill_at: killed before statement N: <first line>`` to stderr, so a test can tell a kill that landed
from a run that ended first. N = 0 never kills: the run ends normally and ``kill_at: N statements`` on
stderr says how many matched (how far a random kill can reach).

    python tests/kill_at.py --serve

The same for many runs, without paying for importing Great Expectations (seconds) in each: this process
imports everything once, then reads one job a line on stdin (JSON: pattern, nth, args, cwd, env) and
forks a child per job, which installs the hook and runs the command line. It answers with JSON lines:
``{"pid": ...}`` when the child starts, then ``{"returncode": ..., "stdout": ..., "stderr": ...}``
(the return code is -9 for a child killed by SIGKILL, as subprocess reports it).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import tempfile
import traceback

MARKER = "kill_at: killed before statement"


def install_hook(pattern: str, nth: int) -> list[int]:
    """Kill this process just before the nth statement matching `pattern`; returns the live count."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    matcher = None if pattern == "*" else re.compile(pattern, re.IGNORECASE | re.DOTALL)
    seen = [0]

    @event.listens_for(Engine, "before_cursor_execute")
    def _kill(_conn, _cursor, statement, _params, _context, _executemany) -> None:  # noqa: ANN001
        if matcher is None or matcher.search(statement):
            seen[0] += 1
            if seen[0] == nth:
                first = next((line.strip() for line in statement.splitlines() if line.strip()), "")
                sys.stderr.write(f"{MARKER} {seen[0]}: {first[:120]}\n")
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGKILL)

    return seen


def run_cli(pattern: str, nth: int, args: list[str]) -> int:
    seen = install_hook(pattern, nth)
    from gwp_monitor.cli import main as cli

    try:
        return cli(args)
    finally:
        if nth == 0:
            sys.stderr.write(f"kill_at: {seen[0]} statements\n")


def serve() -> None:
    """Fork a child per job read on stdin (see the module docstring)."""
    # What a run imports lazily, imported once here: no engine, thread or connection exists before a fork.
    import great_expectations  # noqa: F401

    import gwp_monitor.cli  # noqa: F401
    import gwp_monitor.pipeline  # noqa: F401
    import gwp_monitor.store.migrate  # noqa: F401
    import gwp_monitor.validate.expectations  # noqa: F401

    answer = sys.stdout
    for line in sys.stdin:
        job = json.loads(line)
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            answer.flush()
            pid = os.fork()
            if pid == 0:  # the child: one command line run, its output in the two files
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                code = 70
                try:
                    os.chdir(job["cwd"])
                    os.environ.update(job.get("env") or {})
                    code = run_cli(job["pattern"], int(job["nth"]), job["args"])
                except BaseException:  # noqa: BLE001 - reported as the child's stderr, exit 70
                    traceback.print_exc()
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            answer.write(json.dumps({"pid": pid}) + "\n")
            answer.flush()
            _, status = os.waitpid(pid, 0)
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            out.seek(0)
            err.seek(0)
            answer.write(json.dumps({"returncode": code, "stdout": out.read(), "stderr": err.read()}) + "\n")
            answer.flush()


def main(argv: list[str]) -> int:
    if argv == ["--serve"]:
        serve()
        return 0
    pattern, nth, rest = argv[0], int(argv[1]), argv[2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    return run_cli(pattern, nth, rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
