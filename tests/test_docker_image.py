"""The image, for real: built from the Dockerfile and run the way docker-compose.yaml runs it.

No registry is reachable here, so the Dockerfile's base comes from scripts/docker-base-image.sh (a
Debian 12 root filesystem made with debootstrap, imported into Docker; the same script a deployer
behind a closed network uses). The test then plays `docker compose up` without Compose v2: for
airflow-init, airflow-api-server, airflow-scheduler and airflow-dag-processor it takes the service's
environment, volumes and command from docker-compose.yaml (secrets from a throwaway .env) and starts
the container with `docker run --network host`, changing only what a shared host needs: throwaway
PostgreSQL databases on the local server instead of the `postgres` service, free ports instead of
8080/8974, host folders for the bind mounts. It checks that airflow-init migrates, that every DAG
file parses in the image with no import error, that one gwp_returns run over demo files succeeds and
writes the same views as a direct run on the host, and removes every container and volume it made.

Needs a Docker daemon: one that answers is used; otherwise, as root with Debian's docker.io
installed, the test starts `dockerd --bridge=none --iptables=false` for the session and stops it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from test_deploy import COMPOSE_FILE, INTERPOLATION, command_list, env_example, environment

pytestmark = [pytest.mark.slow, pytest.mark.docker]

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2025, 11, 20)
BASE_IMAGE = "gwp-monitor-base:bookworm"
IMAGE = "gwp-monitor:image-test"
#: The services started, in the order compose would start them (airflow-init must finish first).
COMPONENTS = ("airflow-api-server", "airflow-dag-processor", "airflow-scheduler")
DAG_IDS = {"gwp_returns", "gwp_return_deadlines", "gwp_public_registers"}


def _bench():
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_airflow

    return bench_airflow


def _skip_or_fail(reason: str) -> None:
    from conftest import _services_required

    if _services_required():
        pytest.fail(f"GWP_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args[:3])} ... exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done


def _daemon_answers() -> bool:
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="module")
def docker_daemon(tmp_path_factory) -> Iterator[None]:
    """A Docker daemon that answers: the machine's, or one started here for these tests."""
    if shutil.which("docker") is None:
        _skip_or_fail("no docker client (Debian's docker.io)")
    if _daemon_answers():
        yield
        return
    dockerd = shutil.which("dockerd") or ("/usr/sbin/dockerd" if Path("/usr/sbin/dockerd").exists() else None)
    if dockerd is None or os.geteuid() != 0:
        _skip_or_fail("no Docker daemon answers, and this test can only start one as root with dockerd installed")
    log = (tmp_path_factory.mktemp("dockerd") / "dockerd.log").open("wb")
    daemon = subprocess.Popen(
        [dockerd, "--bridge=none", "--iptables=false"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while not _daemon_answers():
            if daemon.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dockerd did not start; see {log.name}", pytrace=False)
            time.sleep(0.5)
        yield
    finally:
        daemon.terminate()
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            daemon.kill()
        log.close()


@pytest.fixture(scope="module")
def image(docker_daemon) -> str:
    """The Dockerfile built on the debootstrap base, as `docker build` in the README's deployment guide."""
    if os.geteuid() != 0 and docker("image", "inspect", BASE_IMAGE, check=False).returncode != 0:
        _skip_or_fail(f"{BASE_IMAGE} is missing and debootstrap needs root to make it")
    made = subprocess.run(
        ["bash", str(ROOT / "scripts" / "docker-base-image.sh"), BASE_IMAGE],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    started = time.monotonic()
    docker(
        "build", "--network", "host", "--build-arg", f"PYTHON_IMAGE={BASE_IMAGE}", "-t", IMAGE, str(ROOT), timeout=1800
    )  # fmt: skip
    print(f"\nimage {IMAGE} built in {time.monotonic() - started:.0f} s")
    return IMAGE


def interpolate(value: str, values: dict[str, str]) -> str:
    """What Compose substitutes for ${NAME}, ${NAME:-default} and ${NAME:?message}, given `.env` values."""

    def substitute(match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        given = values.get(name, "")
        if match.group("op") in (":-", "-") and not given:
            return match.group("arg")
        if match.group("op") in (":?", "?") and not given:
            raise AssertionError(f"compose would stop: {name} is empty ({match.group('arg')})")
        return given

    return INTERPOLATION.sub(substitute, value)


def dot_env() -> dict[str, str]:
    """A filled-in .env, as a deployer writes it from .env.example (fresh secrets)."""
    from cryptography.fernet import Fernet

    values = env_example()
    for name in values:
        if name.endswith("PASSWORD") and not values[name]:
            values[name] = secrets.token_urlsafe(16)
    values.update(
        AIRFLOW_FERNET_KEY=Fernet.generate_key().decode(),
        AIRFLOW_JWT_SECRET=secrets.token_urlsafe(48),
        AIRFLOW_API_SECRET_KEY=secrets.token_urlsafe(32),
    )
    return values


class ComposeOnHost:
    """Runs docker-compose.yaml's services as `docker run --network host` containers."""

    def __init__(self, image: str, values: dict[str, str], overrides: dict[str, str], folders: dict[str, Path]):
        self.compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
        self.image, self.values, self.overrides, self.folders = image, values, overrides, folders
        self.prefix = f"gwp-image-test-{uuid.uuid4().hex[:8]}"
        self.containers: list[str] = []
        self.volumes: set[str] = set()

    def run_args(self, service: str) -> list[str]:
        spec = self.compose["services"][service]
        env = {k: interpolate(v, self.values) for k, v in environment(spec).items()}
        env.update(self.overrides)
        args = ["--network", "host", "--init"]
        for name, value in sorted(env.items()):
            args += ["-e", f"{name}={value}"]
        for volume in spec.get("volumes", []):
            source, target, *mode = interpolate(volume, self.values).split(":")
            if source.startswith(("./", "/")):
                host = self.folders.get(source, Path(source))
                assert host.exists(), f"{service}: bind mount {source} has no host folder"
                source = str(host)
            else:  # a named volume: one per test, created on first use like Compose's
                source = f"{self.prefix}-{source}"
                self.volumes.add(source)
            args += ["-v", ":".join([source, target, *mode])]
        return args

    def run(self, service: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """A one-shot service (airflow-init): runs to completion, output returned."""
        name = f"{self.prefix}-{service}"
        self.containers.append(name)
        command = command_list(self.compose["services"][service])
        return docker(
            "run", "--name", name, *self.run_args(service), self.image, *command, timeout=timeout, check=False
        )

    def start(self, service: str) -> str:
        name = f"{self.prefix}-{service}"
        self.containers.append(name)
        command = command_list(self.compose["services"][service])
        docker("run", "-d", "--name", name, *self.run_args(service), self.image, *command)
        return name

    def running(self, name: str) -> bool:
        return docker("inspect", "-f", "{{.State.Running}}", name, check=False).stdout.strip() == "true"

    def logs(self, name: str) -> str:
        done = docker("logs", "--tail", "60", name, check=False)
        return done.stdout + done.stderr

    def down(self) -> None:
        for name in self.containers:
            docker("rm", "-f", "-v", name, check=False)
        for volume in self.volumes:
            docker("volume", "rm", "-f", volume, check=False)


def _scalar(url: str, sql: str, **params: object) -> object:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def test_image_runs_gwp_returns_as_compose_would_and_matches_a_direct_run(image: str, tmp_path: Path) -> None:
    bench = _bench()
    common = bench.common
    if not common.postgres_available():
        _skip_or_fail(f"PostgreSQL at {common.PG_SERVER_URL} is unreachable")
    from gwp_monitor.demo.landing import write_demo_landing
    from gwp_monitor.pipeline import run_pipeline
    from gwp_monitor.store.database import open_database

    # The command line in the image answers, without a database.
    version = docker("run", "--rm", "--network", "host", image, "gwp-monitor", "--help")
    assert "gwp-monitor" in version.stdout

    demo = write_demo_landing(tmp_path / "demo", seed=3, as_of=AS_OF, n_contracts=2, overwrite=True)
    folders = {name: tmp_path / "host" / name for name in ("landing", "processed", "register", "reports")}
    shutil.copytree(demo.landing, folders["landing"])  # modification times kept: they are the received times
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o777)  # the image runs as uid 50000, gid 0: as a deployer's `mkdir` + AIRFLOW_UID would
    shutil.copy2(demo.register_path, folders["register"] / "register.yaml")

    with (
        common.throwaway_postgres("image_direct") as direct_url,
        common.throwaway_postgres("image_gwp") as gwp_url,
        common.throwaway_postgres("image_meta") as meta_url,
    ):
        direct = open_database(direct_url)
        try:
            run_pipeline(demo.register_path, demo.landing, direct, as_of=AS_OF)
        finally:
            direct.engine.dispose()

        meta = meta_url.replace("postgresql://", "postgresql+psycopg://", 1)
        api_port, health_port = bench.free_port(), bench.free_port()
        overrides = {
            # the local PostgreSQL server instead of the compose `postgres` service
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": meta,
            "GWP_DATABASE_URL": gwp_url.replace("postgresql://", "postgresql+psycopg://", 1),
            # one network namespace for every container: free ports, and 127.0.0.1 for the api-server
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(health_port),
            # the demo's dates, no scheduled run to catch up on, only the measured DAG unpaused
            "GWP_AS_OF": AS_OF.isoformat(),
            "GWP_RETURNS_SCHEDULE": "0 3 29 2 *",
            "GWP_TASK_RETRIES": "1",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        }
        host_folders = {f"./{name}": folder for name, folder in folders.items()}
        stack = ComposeOnHost(image, dot_env(), overrides, host_folders)
        try:
            init = stack.run("airflow-init")
            assert init.returncode == 0, (init.stdout + init.stderr)[-4000:]
            assert "migrating the Airflow metadata database" in init.stdout
            names = {service: stack.start(service) for service in COMPONENTS}

            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                for service, name in names.items():
                    assert stack.running(name), f"{service} exited:\n{stack.logs(name)}"
                parsed = _scalar(meta, "SELECT COUNT(DISTINCT dag_id) FROM serialized_dag")
                if parsed == len(DAG_IDS) and bench.api_answers(api_port):
                    break
                time.sleep(2)
            else:
                pytest.fail(f"the DAGs were not parsed within 300 s:\n{stack.logs(names['airflow-dag-processor'])}")
            assert _scalar(meta, "SELECT COUNT(*) FROM import_error") == 0, stack.logs(names["airflow-dag-processor"])
            assert _scalar(meta, "SELECT string_agg(dag_id, ',' ORDER BY dag_id) FROM dag") == ",".join(sorted(DAG_IDS))

            scheduler = names["airflow-scheduler"]
            docker("exec", scheduler, "airflow", "dags", "unpause", "gwp_returns", timeout=180)
            docker(
                "exec", scheduler, "airflow", "dags", "trigger", "gwp_returns", "--run-id", "image-test", timeout=180
            )
            deadline, state = time.monotonic() + 600, None
            while time.monotonic() < deadline and state not in ("success", "failed"):
                time.sleep(2)
                state = _scalar(meta, "SELECT state FROM dag_run WHERE run_id = 'image-test'")
            tasks = _scalar(
                meta,
                "SELECT string_agg(task_id || '=' || state, ', ' ORDER BY task_id) FROM task_instance"
                " WHERE run_id = 'image-test'",
            )
            assert state == "success", f"gwp_returns in the image: {state} ({tasks})\n{stack.logs(scheduler)}"
            health = docker("exec", scheduler, "python", "-c", HEALTH.format(port=health_port), check=False)
            assert health.returncode == 0, (
                f"the scheduler's health check (compose's healthcheck) failed: {health.stderr}"
            )
        finally:
            stack.down()
        left = docker("ps", "-a", "--filter", f"name={stack.prefix}", "-q").stdout.split()
        assert not left, f"containers left behind: {left}"

        assert bench.view_rows(gwp_url) == bench.view_rows(direct_url)
        assert _scalar(gwp_url.replace("postgresql://", "postgresql+psycopg://", 1), "SELECT COUNT(*) FROM runs") == 1
        assert sorted(p.name for p in folders["processed"].glob("*/*")) == sorted(f.path.name for f in demo.files)
        assert list(folders["reports"].glob("index.html")), "the dashboard was written to the reports mount"


HEALTH = "import urllib.request; urllib.request.urlopen('http://localhost:{port}/health', timeout=5)"
