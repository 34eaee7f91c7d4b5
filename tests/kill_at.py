"""Run the `gwp-monitor` command line in this process and kill -9 it at a chosen SQL statement: the
fault-injection harness of tests/test_faults.py.

    python tests/kill_at.py PATTERN N -- run --contracts ... --landing ... --db ...

A SQLAlchemy `before_cursor_execute` hook on every engine counts the statements matching the regular
expression PATTERN (case-insensitive) and sends SIGKILL to this process just before the N-th is sent to
the database: no finally block, no rollback, exactly as an OOM kill or a pulled plug. PATTERN "*" with
N counts every statement (the random-kill test).
"""

from __future__ import annotations

import os
import re
import signal
import sys


def main(argv: list[str]) -> int:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    pattern, nth, rest = argv[0], int(argv[1]), argv[2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    matcher = None if pattern == "*" else re.compile(pattern, re.IGNORECASE | re.DOTALL)
    seen = 0

    @event.listens_for(Engine, "before_cursor_execute")
    def _kill(_conn, _cursor, statement, _params, _context, _executemany) -> None:  # noqa: ANN001
        nonlocal seen
        if matcher is None or matcher.search(statement):
            seen += 1
            if seen == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    from gwp_monitor.cli import main as cli

    return cli(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
