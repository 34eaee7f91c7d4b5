"""Where the files the package ships are found: the GX suites, the SQL migrations and views, the
wage-floor tables and the page templates.

The one place that knows the on-disk layout, so the rest of the code asks for "the suites folder"
and a deployment can override it through settings without anyone walking up from ``__file__``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPOSITORY = _PACKAGE.parent


def suites_dir() -> Path:
    """The Great Expectations suites (``expectations/`` at the top of the repository)."""
    return _REPOSITORY / "expectations"


def sql_dir() -> Path:
    """Migrations and published views (``sql/`` at the top of the repository)."""
    return _REPOSITORY / "sql"


def rates_dir() -> Path:
    """The wage-floor tables, one CSV per table."""
    return _PACKAGE / "domain" / "data"
