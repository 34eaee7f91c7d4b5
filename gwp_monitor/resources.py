"""Where the files the package ships are found: the GX suites, the SQL migrations and views, the
wage-floor tables.

The one place that knows the layout, so the rest of the code asks for "the suites folder" (and a
deployment can still point elsewhere through settings). Everything is looked up as a resource of the
installed ``gwp_monitor`` package (``importlib.resources``), so the code works wherever pip put it.

The suites and the SQL live at the top of the repository (``expectations/``, ``sql/``): they are the
project's published interface for GX users and BI tools. The wheel ships them inside the package as
``gwp_monitor/_expectations`` and ``gwp_monitor/_sql`` (the package-dir mapping in pyproject.toml). A
source checkout (``pip install -e .`` or ``PYTHONPATH=<checkout>``) has no such folders inside the
package; there the same files are the checkout's top-level folders, next to ``pyproject.toml``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_PACKAGE = "gwp_monitor"


class ResourceMissing(RuntimeError):
    """A shipped folder is not where the install should have put it (a broken or partial install)."""


def _package_dir() -> Path:
    """The package's folder on disk: wheels install unpacked, and the folders are handed to GX,
    Alembic and the migration runner, which all need real paths."""
    root = files(_PACKAGE)
    if not isinstance(root, Path):
        raise ResourceMissing(f"{_PACKAGE} is not installed as plain files ({root!r}); install the wheel with pip")
    return root


def _shipped(packaged: str, checkout: str) -> Path:
    """Folder `packaged` inside the installed package, else the source checkout's folder `checkout`."""
    package = _package_dir()
    inside = package / packaged
    if inside.is_dir():
        return inside
    repository = package.parent
    if (repository / "pyproject.toml").is_file() and (repository / checkout).is_dir():
        return repository / checkout
    raise ResourceMissing(
        f"neither {inside} (installed wheel) nor {repository / checkout} (source checkout) exists: "
        "reinstall gwp-monitor"
    )


def suites_dir() -> Path:
    """The Great Expectations suites (``expectations/`` at the top of the repository)."""
    return _shipped("_expectations", "expectations")


def sql_dir() -> Path:
    """Migrations and published views (``sql/`` at the top of the repository)."""
    return _shipped("_sql", "sql")


def rates_dir() -> Path:
    """The wage-floor tables, one CSV per table."""
    return _package_dir() / "domain" / "data"


def docs_dir() -> Path:
    """The guides people read in the product (``docs/`` at the top of the repository): the portal
    shows docs/supplier-guide.md."""
    return _shipped("_docs", "docs")
