"""The shipped files are found as package resources, and the build configuration ships all of them.

The wheel itself is built and installed by tests/test_wheel_install.py (slow); these tests check the
same promises in a second: every file the code reads at run time is covered by pyproject.toml's
package data, and every Python package is in its package list (setuptools does not find them: the
list is explicit because of the expectations/ and sql/ mapping).
"""

from __future__ import annotations

import fnmatch
import glob
import tomllib
from pathlib import Path

import pytest

from gwp_monitor import resources

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "gwp_monitor"
SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _package_source(name: str) -> Path:
    """Where the build takes package `name` from, as setuptools resolves pyproject's package-dir."""
    mapped = SETUPTOOLS.get("package-dir", {})
    if name in mapped:
        return REPO / mapped[name]
    return REPO.joinpath(*name.split("."))


def _shipped_files(package: str) -> set[Path]:
    """The files of `package`'s folder that its package-data patterns put in the wheel."""
    root = _package_source(package)
    excluded = SETUPTOOLS.get("exclude-package-data", {}).get("*", [])
    found: set[Path] = set()
    for pattern in SETUPTOOLS["package-data"].get(package, []):
        for match in glob.glob(str(root / pattern), recursive=True):
            path = Path(match)
            relative = str(path.relative_to(root))
            if path.is_file() and not any(fnmatch.fnmatch(relative, x) for x in excluded):
                found.add(path)
    return found


def _data_files(folder: Path) -> set[Path]:
    """Every file in `folder`, except Python's caches."""
    return {p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def test_a_source_checkout_reads_the_top_level_folders() -> None:
    """In a checkout (editable install or PYTHONPATH) the code reads the published folders themselves."""
    assert resources.suites_dir() == REPO / "expectations"
    assert resources.sql_dir() == REPO / "sql"
    assert resources.rates_dir() == PACKAGE / "domain" / "data"
    assert {p.name for p in resources.suites_dir().glob("*.json")} >= {"payroll.json", "workforce.json"}
    assert list((resources.sql_dir() / "views").glob("*.sql"))
    assert list(resources.rates_dir().glob("*.csv"))


def test_an_installed_package_reads_its_own_copy_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The layout a wheel installs: the folders inside the package win over anything next to it."""
    installed = tmp_path / "site-packages" / "gwp_monitor"
    (installed / "_expectations").mkdir(parents=True)
    (installed / "_sql").mkdir()
    (tmp_path / "site-packages" / "sql").mkdir()  # a stray folder next to the package is not used
    monkeypatch.setattr(resources, "_package_dir", lambda: installed)
    assert resources.suites_dir() == installed / "_expectations"
    assert resources.sql_dir() == installed / "_sql"


def test_a_broken_install_says_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    installed = tmp_path / "site-packages" / "gwp_monitor"
    installed.mkdir(parents=True)
    monkeypatch.setattr(resources, "_package_dir", lambda: installed)
    with pytest.raises(resources.ResourceMissing, match="_expectations"):
        resources.suites_dir()


def test_the_mapping_ships_the_top_level_folders_under_the_names_the_code_reads() -> None:
    assert SETUPTOOLS["package-dir"] == {
        "gwp_monitor._expectations": "expectations",
        "gwp_monitor._sql": "sql",
        "gwp_monitor._docs": "docs",  # the supplier guide the portal shows (resources.docs_dir)
    }
    assert SETUPTOOLS["package-data"]["gwp_monitor._docs"] == ["supplier-guide.md"]
    assert (resources.docs_dir() / "supplier-guide.md").is_file()


def test_every_python_package_is_listed() -> None:
    """A new folder with an __init__.py must be added to [tool.setuptools] packages, or the wheel lacks it."""
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in PACKAGE.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    listed = set(SETUPTOOLS["packages"])
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert {p for p in listed if not p.startswith("gwp_monitor._")} <= on_disk


@pytest.mark.parametrize("package", ["gwp_monitor._expectations", "gwp_monitor._sql"])
def test_every_file_of_the_published_folders_ships(package: str) -> None:
    folder = _package_source(package)
    missing = _data_files(folder) - _shipped_files(package)
    assert not missing, f"not matched by package-data of {package}: {sorted(map(str, missing))}"


def test_every_data_file_inside_the_package_ships() -> None:
    """Templates, static files, rate tables, the Alembic environment: whatever is not a module."""
    modules = {p for p in _data_files(PACKAGE) if p.suffix == ".py" and (p.parent / "__init__.py").is_file()}
    missing = _data_files(PACKAGE) - modules - _shipped_files("gwp_monitor")
    assert not missing, f"not matched by package-data of gwp_monitor: {sorted(map(str, missing))}"
