"""Great Expectations: one context per process, the suites, value-free Data Docs.

Importing this package installs `quiet_gx_logs` before any of its modules imports GX: GX logs tens of
thousands of "Skipping registering function ... because it is a closure" lines (INFO, on import and
whenever a data source is added), which under Airflow filled 95% of every task log.
"""

from __future__ import annotations

import logging

_NOISE = ("because it is a closure", "because it does not have a class")


class GxNoiseFilter(logging.Filter):
    """Drops GX's own registration chatter; keeps everything else it logs (warnings, errors)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno < logging.WARNING and any(text in str(record.msg) for text in _NOISE))


def quiet_gx_logs() -> None:
    """Install the filter on GX's docs-decorator logger, and keep GX's other INFO chatter ("Multiple
    declarations of metric ...", "Created temporary directory ...") out of logs: GX's warnings and
    errors still show (idempotent; cheap: GX is not imported)."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    logger = logging.getLogger("great_expectations._docs_decorators")
    if not any(isinstance(f, GxNoiseFilter) for f in logger.filters):
        logger.addFilter(GxNoiseFilter())


quiet_gx_logs()
