"""A real install: the wheel, built from this checkout and installed into a fresh virtualenv, runs.

Everything else in the suite imports the package from the checkout (editable install or PYTHONPATH),
where expectations/ and sql/ sit next to it. This test is the one that proves the wheel carries them
(and the rate tables, templates and static files), that the code finds them inside the installed
package, and that the dependencies pyproject.toml declares are enough to run the whole pipeline.

How it installs, and why not ``pip install -r requirements.lock`` then the wheel with ``--no-deps``:
the whole lock (Airflow and its providers, the test and lint tools) took over 7 minutes into a fresh
virtualenv on CI's 2 cores, and the wheels come from local indexes pip does not cache, so a second run
is no faster. Installing the wheel *with* its dependencies, constrained by the lock
(``pip install -c requirements.lock``), installs exactly the locked versions of what the package
needs at run time (the test checks every installed version against the lock) in about 2 minutes, and
it also proves the dependency list in pyproject.toml is complete, which ``--no-deps`` would not.
``--no-compile`` skips byte-compiling every installed file up front; Python compiles what it imports.

One test, not several sharing a module fixture: under ``pytest -n 2`` a module fixture would build
and install once per worker that runs one of its tests.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements.lock"
#: What the build reads; the same allowlist the Dockerfile copies for the package.
BUILD_INPUTS = ("pyproject.toml", "README.md", "gwp_monitor", "expectations", "sql", "docs")
#: Installed by venv itself or the wheel under test, not by the lock.
NOT_LOCKED = {"pip", "setuptools", "gwp-monitor"}

WHERE_RESOURCES_ARE = """
import json, gwp_monitor
from gwp_monitor import resources
print(json.dumps({"package": gwp_monitor.__file__, "suites": str(resources.suites_dir()),
                  "sql": str(resources.sql_dir()), "rates": str(resources.rates_dir())}))
"""


def _clean_env() -> dict[str, str]:
    """This process's environment without anything that would put the checkout or the project's
    virtualenv on the path, or point the product at another database or folder."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(("GWP_", "AIRFLOW"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _run(args: list[str | Path], cwd: Path, timeout: int, what: str) -> tuple[str, float]:
    """Run a step; on failure, say which step and show its output."""
    started = time.perf_counter()
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout
    )
    took = time.perf_counter() - started
    if result.returncode != 0:
        output = f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        pytest.fail(f"{what} exited {result.returncode} after {took:.0f} s\n{output}")
    return result.stdout, took


def _locked_versions() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and "==" in line:
            name, version = line.split("==", 1)
            pins[_normalise(name.split("[")[0])] = version.strip()
    return pins


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _build_wheel(work: Path) -> Path:
    """Build from a copy holding only the build inputs: the checkout stays clean (no build/ or
    egg-info) and nothing outside the allowlist can slip into the wheel."""
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in BUILD_INPUTS:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    dist = work / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, source], work, 600, "building the wheel")
    (wheel,) = dist.glob("gwp_monitor-*.whl")
    return wheel


def _assert_wheel_carries_the_published_folders(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for folder, inside in (("expectations", "gwp_monitor/_expectations"), ("sql", "gwp_monitor/_sql")):
        for file in (REPO / folder).rglob("*"):
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                shipped = f"{inside}/{file.relative_to(REPO / folder).as_posix()}"
                assert shipped in names, f"{file.relative_to(REPO)} is not in the wheel as {shipped}"
    assert any(n.startswith("gwp_monitor/domain/data/") and n.endswith(".csv") for n in names)
    # the supplier portal's pages, stylesheet and the guide it shows
    assert "gwp_monitor/_docs/supplier-guide.md" in names
    for file in (REPO / "gwp_monitor" / "portal").rglob("*"):
        if file.is_file() and file.suffix in (".html", ".css"):
            assert f"gwp_monitor/portal/{file.relative_to(REPO / 'gwp_monitor' / 'portal').as_posix()}" in names


def test_the_built_wheel_installs_into_a_fresh_virtualenv_and_runs_the_demo(tmp_path: Path) -> None:
    timings = {}
    wheel = _build_wheel(tmp_path)
    _assert_wheel_carries_the_published_folders(wheel)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path, 300, "creating the virtualenv")
    python, bin_dir = venv / "bin" / "python", venv / "bin"
    _, timings["install"] = _run(
        [python, "-m", "pip", "install", "--no-compile", "-c", LOCK, wheel], tmp_path, 1500, "pip install of the wheel"
    )
    _run([python, "-m", "pip", "check"], tmp_path, 120, "pip check")
    listed, _ = _run([python, "-m", "pip", "list", "--format", "json"], tmp_path, 120, "pip list")
    pins = _locked_versions()
    installed = {_normalise(d["name"]): d["version"] for d in json.loads(listed)}
    assert "gwp-monitor" in installed
    off_lock = {n: v for n, v in installed.items() if n not in NOT_LOCKED and pins.get(n) != v}
    assert not off_lock, f"installed outside the lock's pins: {off_lock}"

    work = tmp_path / "work"  # an empty folder: no checkout beside it, nothing on sys.path but the venv
    work.mkdir()
    where = json.loads(_run([python, "-c", WHERE_RESOURCES_ARE], work, 120, "locating resources")[0])
    site_packages = Path(where["package"]).parent.parent
    assert site_packages.name == "site-packages" and venv in site_packages.parents, where
    assert Path(where["suites"]) == site_packages / "gwp_monitor" / "_expectations", where
    assert Path(where["sql"]) == site_packages / "gwp_monitor" / "_sql", where
    assert Path(where["rates"]) == site_packages / "gwp_monitor" / "domain" / "data", where

    usage, _ = _run([bin_dir / "gwp-monitor", "--help"], work, 300, "gwp-monitor --help")
    assert "demo" in usage

    _, timings["demo"] = _run([bin_dir / "gwp-monitor", "demo"], work, 1200, "gwp-monitor demo")
    database = work / "gwp-demo" / "gwp.db"
    assert database.is_file(), "the demo wrote no reporting database"
    with sqlite3.connect(database) as connection:
        (contracts,) = connection.execute("SELECT count(*) FROM v_contract_status").fetchone()
    assert contracts > 0
    index = work / "gwp-demo" / "report" / "index.html"
    assert index.is_file() and "<html" in index.read_text(encoding="utf-8").lower()
    print(f"\nwheel install: pip install {timings['install']:.0f} s, gwp-monitor demo {timings['demo']:.0f} s")
