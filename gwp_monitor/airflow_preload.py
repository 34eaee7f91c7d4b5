"""Warm imports for the Airflow processes that fork task processes.

A task process pays ~5 s (more on a busy machine) to import Great Expectations and ~1.5 s for
gwp_monitor's orchestration, once per task. LocalExecutor forks its workers from the scheduler and
each task from its worker; a Celery worker forks its pool from the worker's main process. Importing
the heavy modules once in the scheduler and the Celery worker makes every task start with them
loaded (pages shared copy-on-write), so a task pays only its own work.

Loaded by the Airflow plugin ``plugins/gwp_monitor_preload.py`` with ``AIRFLOW__CORE__LAZY_LOAD_PLUGINS=False``
(every Airflow process then loads plugins at start-up): only the scheduler and Celery workers import
anything here. The dag-processor, the api-server and the CLI stay light, and parsing a DAG file still
loads neither pandas nor GX. Nothing is created (no GX context, no database connection): forking a
process with open connections or threads is unsafe, plain imported modules are not.
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
from collections.abc import Sequence

log = logging.getLogger(__name__)

#: The modules every gwp_returns task imports, heaviest last.
MODULES = (
    "gwp_monitor.orchestration",
    "gwp_monitor.validate.expectations",
    "gwp_monitor.validate.data_docs",
    "great_expectations",
    "great_expectations.validator.v1_validator",
    "great_expectations.render.renderer",
    "great_expectations.render.view",
)


def forks_tasks(argv: Sequence[str]) -> bool:
    """Whether the process started as `argv` forks task processes: `airflow scheduler` (LocalExecutor)
    or `airflow celery worker`."""
    args = [a for a in argv[1:] if not a.startswith("-")]
    return args[:1] == ["scheduler"] or args[:2] == ["celery", "worker"]


def preload(argv: Sequence[str]) -> list[str]:
    """Import MODULES when `argv` is a process that forks tasks; returns what was imported."""
    if not forks_tasks(argv) or all(name in sys.modules for name in MODULES):
        return []  # not a forking process, or a task forked from one (already warm): nothing to say
    started = time.perf_counter()
    done = []
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a failed warm-up must not stop the scheduler
            log.warning("gwp-monitor preload: could not import %s (%s); tasks will import it themselves", name, exc)
            continue
        done.append(name)
    log.info("gwp-monitor preload: %d module(s) imported in %.1f s", len(done), time.perf_counter() - started)
    return done
