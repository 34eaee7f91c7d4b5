"""The deployment files agree with each other, with the repository and with Airflow 3.3.

docker-compose.yaml, Dockerfile, .dockerignore, .env.example, deploy/ and scripts/airflow-standalone.sh,
checked statically in a few seconds (tests/test_docker_image.py builds and runs the image, minutes), so
these catch early what would otherwise only fail on `docker compose up`: a service or profile gone missing, a path the build or a mount needs that does not
exist, a ${VAR} nobody documents, a literal secret, an Airflow command that Airflow 3.3 does not have.
No network, no Docker; the Airflow CLI check runs the installed Airflow in a subprocess (a few seconds).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"
DEPLOY_DOC = ROOT / "docs" / "deployment.md"
STANDALONE = ROOT / "scripts" / "airflow-standalone.sh"
AIRFLOW_INIT = ROOT / "deploy" / "airflow-init.sh"
POSTGRES_INIT_DIR = ROOT / "deploy" / "postgres" / "initdb.d"
CELERY_REQUIREMENTS = ROOT / "deploy" / "celery-requirements.txt"
LOCK = ROOT / "requirements.lock"

CORE_SERVICES = {
    "postgres",
    "airflow-init",
    "airflow-api-server",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
}
PROFILED_SERVICES = {"redis": "celery", "airflow-worker": "celery", "metabase": "bi"}
# Airflow components and the command each one runs.
AIRFLOW_COMMANDS = {
    "airflow-api-server": ["airflow", "api-server"],
    "airflow-scheduler": ["airflow", "scheduler"],
    "airflow-dag-processor": ["airflow", "dag-processor"],
    "airflow-triggerer": ["airflow", "triggerer"],
    "airflow-worker": ["airflow", "celery", "worker"],
}
# Must stop `docker compose` while empty: everything a default (no-profile) start needs.
REQUIRED_SECRETS = {
    "POSTGRES_PASSWORD",
    "AIRFLOW_DB_PASSWORD",
    "GWP_DB_PASSWORD",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_ADMIN_PASSWORD",
}
# Names of settings that hold a secret (a *_FILE setting holds the path of one).
SECRET_NAME = re.compile(r"^(?!.*_FILE$).*(PASSWORD|PASS$|SECRET|FERNET|TOKEN|_KEY$|WEBHOOK_URL)", re.IGNORECASE)
# Host folders holding the user's own data: created by the user, so documented rather than in the repo.
USER_DATA_DIRS = {
    "./landing": "GWP_LANDING_HOST_DIR",
    "./processed": "GWP_PROCESSED_HOST_DIR",
    "./register": "GWP_REGISTER_HOST_DIR",
    "./reports": "GWP_REPORTS_HOST_DIR",
}

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}; $$ is a literal $.
INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f".env.example: not NAME=value: {line!r}"
            values[name.strip()] = value.strip()
    return values


def interpolations(text: str):
    for match in INTERPOLATION.finditer(text):
        if match.group(0) != "$$":
            yield match


def resolve_default(value: str) -> str:
    """What compose would substitute with an empty .env: the defaults of ${NAME:-default}."""

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        return match.group("arg") if match.group("op") in (":-", "-") else ""

    return INTERPOLATION.sub(substitute, value)


def is_pure_interpolation(value: str) -> bool:
    return re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?\}", value) is not None


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "environment: use the mapping form"
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command_list(service: dict) -> list[str]:
    command = service.get("command")
    return shlex.split(command) if isinstance(command, str) else list(command or [])


def short_volumes(service: dict) -> list[tuple[str, str, str]]:
    """(source, target, mode) of the service's volumes, short syntax."""
    result = []
    for volume in service.get("volumes") or []:
        assert isinstance(volume, str), "volumes: use the short syntax SOURCE:TARGET[:MODE]"
        parts = volume.split(":")
        # ${VAR:-./x} holds a colon of its own
        source = parts.pop(0)
        while source.count("${") > source.count("}"):
            source += ":" + parts.pop(0)
        target = parts.pop(0)
        result.append((source, target, parts[0] if parts else "rw"))
    return result


def is_bind_mount(source: str) -> bool:
    resolved = resolve_default(source)
    return resolved.startswith((".", "/", "~"))


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        current += " " + stripped
        if current.endswith("\\"):
            current = current[:-1]
            continue
        keyword, _, args = current.strip().partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        current = ""
    return instructions


def copy_instructions() -> list[tuple[list[str], str]]:
    """(sources, destination in the image) of every COPY/ADD, relative destinations made absolute."""
    workdir, result = "/", []
    for keyword, args in dockerfile_instructions():
        if keyword == "WORKDIR":
            workdir = args if args.startswith("/") else os.path.join(workdir, args)
        elif keyword in ("COPY", "ADD"):
            words = [w for w in shlex.split(args) if not w.startswith("--")]
            *sources, dest = words
            if not dest.startswith("/"):
                dest = os.path.join(workdir, dest)
            result.append((sources, dest))
    return result


def dockerignore_patterns() -> list[tuple[bool, str]]:
    patterns = []
    for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        patterns.append((negate, pattern))
    return patterns


def _pattern_matches(pattern: str, path: str) -> bool:
    regex = ""
    for part in re.split(r"(\*\*/?|\*|\?)", pattern):
        if part in ("**", "**/"):
            regex += ".*"
        elif part == "*":
            regex += "[^/]*"
        elif part == "?":
            regex += "[^/]"
        else:
            regex += re.escape(part)
    return re.fullmatch(regex, path) is not None


def dockerignored(path: str) -> bool:
    """Whether .dockerignore leaves `path` (relative to the repo) out of the build context.

    Docker's rule: the last pattern matching the path or one of its parent directories decides.
    """
    parts = Path(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for negate, pattern in dockerignore_patterns():
        if any(_pattern_matches(pattern, candidate) for candidate in candidates):
            excluded = not negate
    return excluded


def lock_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;#]+)", line.strip())
        if match:
            pins[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return pins


# --------------------------------------------------------------------------------------------------
# docker-compose.yaml: services, profiles, executor
# --------------------------------------------------------------------------------------------------


def test_core_services_run_without_a_profile(services):
    missing = CORE_SERVICES - services.keys()
    assert not missing, f"docker-compose.yaml lacks {sorted(missing)}"
    for name in CORE_SERVICES:
        assert not services[name].get("profiles"), f"{name} must start with a plain `docker compose up`"


def test_celery_and_bi_services_are_behind_their_profiles(services):
    for name, profile in PROFILED_SERVICES.items():
        assert name in services, f"docker-compose.yaml lacks {name}"
        assert services[name].get("profiles") == [profile], f"{name} belongs to profile {profile}"
    assert services["metabase"]["image"].startswith("metabase/metabase:")
    assert any(port.endswith(":3000") for port in services["metabase"]["ports"])
    assert services["redis"]["image"].startswith("redis:")


def test_services_only_depend_on_profiled_services_optionally(services):
    for name, service in services.items():
        depends_on = service.get("depends_on") or {}
        assert isinstance(depends_on, dict), f"{name}: depends_on must use the long form"
        for target, condition in depends_on.items():
            assert target in services, f"{name} depends on unknown service {target}"
            assert target != name, f"{name} depends on itself"
            target_profiles = set(services[target].get("profiles") or [])
            own_profiles = set(service.get("profiles") or [])
            if target_profiles and not target_profiles <= own_profiles:
                assert condition.get("required") is False, (
                    f"{name} depends on {target} (profile {sorted(target_profiles)}): mark it required: false, "
                    "or a start without that profile fails"
                )


def test_airflow_components_wait_for_the_database_and_airflow_init(services):
    for name in AIRFLOW_COMMANDS:
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["airflow-init"]["condition"] == "service_completed_successfully", name
    assert services["airflow-init"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in services["postgres"]


def test_each_airflow_component_runs_its_command(services):
    for name, expected in AIRFLOW_COMMANDS.items():
        assert command_list(services[name]) == expected, name
    init = command_list(services["airflow-init"])
    assert init[-1] == "/opt/gwp-monitor/deploy/airflow-init.sh", init


def test_executor_defaults_to_local_executor(services):
    assert env_example().get("AIRFLOW_EXECUTOR") in ("", "LocalExecutor")
    for name in AIRFLOW_COMMANDS.keys() | {"airflow-init"}:
        executor = environment(services[name]).get("AIRFLOW__CORE__EXECUTOR")
        assert executor is not None, f"{name} does not set AIRFLOW__CORE__EXECUTOR"
        assert resolve_default(executor) == "LocalExecutor", f"{name}: executor {executor!r}"
        assert "AIRFLOW_EXECUTOR" in executor, f"{name}: the executor must follow AIRFLOW_EXECUTOR from .env"
    args = dict(re.match(r"(\w+)=?(.*)", a).groups() for k, a in dockerfile_instructions() if k == "ARG")
    assert args.get("AIRFLOW_EXECUTOR") == "LocalExecutor", "the image's default variant is LocalExecutor"


def test_every_airflow_component_shares_the_settings_that_must_agree(services):
    """Metadata DB, JWT secret, Execution API URL, executor, fernet key: one value for every component."""
    shared = (
        "AIRFLOW__CORE__EXECUTOR",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__API__SECRET_KEY",
        "AIRFLOW__CORE__AUTH_MANAGER",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
    )
    envs = {name: environment(services[name]) for name in AIRFLOW_COMMANDS.keys() | {"airflow-init"}}
    for key in shared:
        values = {name: resolve_default(env.get(key, "<unset>")) for name, env in envs.items()}
        assert len(set(values.values())) == 1, f"{key} differs between components: {values}"
    execution_api = envs["airflow-scheduler"]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
    assert execution_api == "http://airflow-api-server:8080/execution/"
    # psycopg 3 is the PostgreSQL driver in requirements.lock; asyncpg (Airflow's derived default) is not.
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"):
        assert envs["airflow-scheduler"][key].startswith("postgresql+psycopg://"), key
    assert "psycopg" in lock_pins(LOCK)
    assert "asyncpg" not in lock_pins(LOCK)


def test_product_settings_reach_the_components_that_run_dag_code(services):
    settings = {
        "GWP_DATABASE_URL", "GWP_REGISTER", "GWP_LANDING_DIR", "GWP_REPORT_DIR",
        "GWP_RETURNS_SCHEDULE", "GWP_SMTP_HOST", "GWP_SMTP_PORT", "GWP_SMTP_USER", "GWP_SMTP_PASSWORD",
        "GWP_ALERT_FROM", "GWP_WEBHOOK_URL",
    }  # fmt: skip
    for name in ("airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"):
        missing = settings - environment(services[name]).keys()
        assert not missing, f"{name} lacks {sorted(missing)}"
    # The api-server runs no DAG code: it gets no product secrets.
    api_env = environment(services["airflow-api-server"])
    assert not {k for k in api_env if k.startswith("GWP_")}, "the api-server needs no GWP_* setting"
    reporting = environment(services["airflow-scheduler"])["GWP_DATABASE_URL"]
    assert reporting.startswith("postgresql+psycopg://gwp:") and reporting.endswith("@postgres:5432/gwp")


# --------------------------------------------------------------------------------------------------
# docker-compose.yaml: variables and secrets
# --------------------------------------------------------------------------------------------------


def compose_values_text(compose: dict) -> str:
    """Every string value of the compose file (what compose interpolates; comments are not)."""
    return "\n".join(value for _, value in _walk(compose))


def test_every_variable_is_documented_in_env_example(compose):
    documented = env_example()
    text = compose_values_text(compose)
    used, bare = set(), set()
    for match in interpolations(text):
        if match.group("bare"):
            bare.add(match.group("bare"))
        else:
            used.add(match.group("name"))
    assert not bare, f"write ${{NAME}}, or $$NAME for a literal $, not ${sorted(bare)}"
    undocumented = used - documented.keys()
    assert not undocumented, f"used in docker-compose.yaml but not listed in .env.example: {sorted(undocumented)}"
    unused = documented.keys() - used - {"COMPOSE_PROFILES"}
    assert not unused, f"listed in .env.example but used nowhere in docker-compose.yaml: {sorted(unused)}"


def test_env_example_explains_every_variable_and_holds_no_secret():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, value = line.partition("=")
        # a comment above the variable, or above the group of variables it belongs to
        previous = number - 1
        while previous >= 0 and lines[previous].strip() and not lines[previous].lstrip().startswith("#"):
            previous -= 1
        assert previous >= 0 and lines[previous].lstrip().startswith("#"), f".env.example: {name} has no comment"
        if SECRET_NAME.search(name):
            assert value.strip() == "", f".env.example: {name} is a secret; leave it empty"
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split(), ".env must be git-ignored"


def test_required_secrets_stop_compose_while_empty(compose):
    text = compose_values_text(compose)
    required = {m.group("name") for m in interpolations(text) if m.group("op") == ":?"}
    missing = REQUIRED_SECRETS - required
    assert not missing, f"use ${{NAME:?message}} at least once for {sorted(missing)}"
    examples = env_example()
    for name in required:
        assert examples.get(name, None) == "", f".env.example: {name} is required; leave it empty there"


def _walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")
    else:
        yield path, "" if node is None else str(node)


def test_no_literal_secret_in_compose(compose):
    for path, value in _walk(compose):
        key = path.rsplit(".", 1)[-1]
        if SECRET_NAME.search(key) and value:
            assert is_pure_interpolation(value), f"{path} holds a literal; take it from .env with ${{NAME}}"
        for userinfo in re.findall(r"://[^/@\s:]*:([^@\s]*)@", value):
            assert is_pure_interpolation(userinfo), f"{path}: the password in this URL must come from .env"


# --------------------------------------------------------------------------------------------------
# docker-compose.yaml: build, mounts
# --------------------------------------------------------------------------------------------------


def test_build_contexts_and_dockerfiles_exist(services):
    built = [name for name, service in services.items() if "build" in service]
    assert set(AIRFLOW_COMMANDS) | {"airflow-init"} <= set(built)
    for name in built:
        build = services[name]["build"]
        context = ROOT / resolve_default(build["context"] if isinstance(build, dict) else build)
        assert context.is_dir(), f"{name}: build context {context} missing"
        dockerfile = context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} missing"
        for key in (build.get("args") or {}) if isinstance(build, dict) else {}:
            assert re.search(rf"^ARG {key}\b", DOCKERFILE.read_text(encoding="utf-8"), re.M), (
                f"{name}: build arg {key} is not declared in the Dockerfile"
            )
        for env_file in services[name].get("env_file") or []:
            path = env_file["path"] if isinstance(env_file, dict) else env_file
            assert path == ".env" or (ROOT / path).is_file(), f"{name}: env_file {path} missing"


def test_bind_mounts_exist_or_are_documented(compose, services):
    doc = DEPLOY_DOC.read_text(encoding="utf-8")
    examples = ENV_EXAMPLE.read_text(encoding="utf-8")
    named = set((compose.get("volumes") or {}).keys())
    for name, service in services.items():
        for source, _target, _mode in short_volumes(service):
            if not is_bind_mount(source):
                assert source in named, f"{name}: named volume {source} is not declared under volumes:"
                continue
            host = resolve_default(source)
            if host in USER_DATA_DIRS:
                variable = USER_DATA_DIRS[host]
                assert variable in source, f"{name}: {host} should be overridable with {variable}"
                assert variable in examples, f".env.example must document {variable}"
                assert (
                    "mkdir -p landing processed register reports" in doc
                    and "mkdir -p landing processed register reports" in examples
                ), "docs/deployment.md and .env.example must tell the user to create the data folders"
            else:
                assert (ROOT / host).exists(), f"{name}: bind mount source {host} does not exist in the repo"


def test_register_is_read_only_landing_processed_and_reports_writable(services):
    """Sources fetch into the landing folder and retention moves processed files out of it (issue 14)."""
    for name in ("airflow-init", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"):
        mounts = {target: mode for _, target, mode in short_volumes(services[name])}
        assert mounts.get("/opt/gwp/landing") == "rw", name
        assert mounts.get("/opt/gwp/processed") == "rw", name
        assert mounts.get("/opt/gwp/register") == "ro", name
        assert mounts.get("/opt/gwp/reports") == "rw", name
        env = environment(services[name])
        assert env["GWP_LANDING_DIR"] == "/opt/gwp/landing" and env["GWP_REPORT_DIR"] == "/opt/gwp/reports", name
        assert env["GWP_PROCESSED_DIR"] == "/opt/gwp/processed", name
        assert env["GWP_REGISTER"].startswith("/opt/gwp/register/"), name


def test_postgres_init_creates_the_airflow_and_gwp_databases(services):
    postgres = services["postgres"]
    mounts = {target: (source, mode) for source, target, mode in short_volumes(postgres)}
    source, mode = mounts["/docker-entrypoint-initdb.d"]
    assert mode == "ro" and (ROOT / source).resolve() == POSTGRES_INIT_DIR.resolve()
    scripts = sorted(POSTGRES_INIT_DIR.glob("*.sh")) + sorted(POSTGRES_INIT_DIR.glob("*.sql"))
    assert scripts, "no init script"
    sql = "\n".join(p.read_text(encoding="utf-8") for p in scripts)
    for database in ("airflow", "gwp"):
        assert f"CREATE DATABASE {database} OWNER {database}" in sql
    env = environment(postgres)
    for variable in re.findall(r"\$\{?([A-Z][A-Z0-9_]*_PASSWORD)\b", sql):
        assert variable in env, f"postgres service must pass {variable} to the init script"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])


# --------------------------------------------------------------------------------------------------
# Airflow commands are real Airflow 3.3 commands
# --------------------------------------------------------------------------------------------------

_PARSE_ARGVS = r"""
import json, sys
from airflow.cli.cli_parser import get_parser
parser = get_parser()
bad = {}
for argv in json.loads(sys.argv[1]):
    try:
        parser.parse_args(argv)
    except SystemExit as exc:
        bad[" ".join(argv)] = exc.code
print(json.dumps(bad))
"""


def _airflow_argvs_in_script(path: Path) -> list[list[str]]:
    argvs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        code = line.split("#", 1)[0].strip()
        match = re.match(r"^(?:exec\s+)?airflow\s+(.*)$", code)
        if match and "$" not in match.group(1):
            argvs.append(shlex.split(match.group(1)))
    return argvs


def airflow_package_dir() -> Path:
    """Where Airflow is installed, found without importing it (importing would fix its configuration,
    AIRFLOW_HOME included, for every later test in this process)."""
    spec = importlib.util.find_spec("airflow")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("Airflow is not installed")
    return Path(list(spec.submodule_search_locations)[0])


@pytest.mark.slow
def test_airflow_commands_exist_in_the_installed_airflow(services, tmp_path):
    airflow_package_dir()
    argvs: list[list[str]] = []
    for _name, service in services.items():
        command = command_list(service)
        if command[:1] == ["airflow"] and command[1:2] != ["celery"]:
            argvs.append(command[1:])
        test = (service.get("healthcheck") or {}).get("test") or []
        if test[:2] == ["CMD", "airflow"]:
            argvs.append(test[2:])
    init_argvs = _airflow_argvs_in_script(AIRFLOW_INIT)
    standalone_argvs = _airflow_argvs_in_script(STANDALONE)
    assert ["db", "migrate"] in init_argvs
    assert ["db", "migrate"] in standalone_argvs and ["standalone"] in standalone_argvs
    argvs += init_argvs + standalone_argvs
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        AIRFLOW_HOME=str(tmp_path),
        AIRFLOW__CORE__EXECUTOR="LocalExecutor",
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{tmp_path}/airflow.db",
    )
    result = subprocess.run(
        [sys.executable, "-c", _PARSE_ARGVS, json.dumps(argvs)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    bad = json.loads(result.stdout.strip().splitlines()[-1])
    assert not bad, f"not Airflow 3.3 CLI commands: {bad}\n{result.stderr[-2000:]}"


def test_celery_worker_comes_from_the_pinned_celery_provider(services):
    """`airflow celery worker` is the Celery provider's command (not installed locally): check the pin."""
    assert command_list(services["airflow-worker"]) == ["airflow", "celery", "worker"]
    pins = lock_pins(CELERY_REQUIREMENTS)
    assert "apache-airflow-providers-celery" in pins and "redis" in pins and "celery" in pins
    locked = lock_pins(LOCK)
    clashes = {
        name: (version, locked[name]) for name, version in pins.items() if name in locked and locked[name] != version
    }
    assert not clashes, f"deploy/celery-requirements.txt disagrees with requirements.lock: {clashes}"
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert "-c requirements.lock -r deploy/celery-requirements.txt" in dockerfile
    assert '"$AIRFLOW_EXECUTOR" = "CeleryExecutor"' in dockerfile
    env = environment(services["airflow-worker"])
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:6379/")


# --------------------------------------------------------------------------------------------------
# Dockerfile and .dockerignore
# --------------------------------------------------------------------------------------------------


def test_dockerfile_base_user_and_install_order():
    instructions = dockerfile_instructions()
    text = DOCKERFILE.read_text(encoding="utf-8")
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)", text, re.M)
    froms = [args for keyword, args in instructions if keyword == "FROM"]
    assert len(froms) == 1
    image = base.group(1) if base and froms[0] == "${PYTHON_IMAGE}" else froms[0]
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", image), image
    assert re.search(r"AIRFLOW_HOME=/opt/airflow\b", text)
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must run as a non-root user"
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    lock_step = next(i for i, r in enumerate(runs) if "pip install -r requirements.lock" in r)
    package_step = next(i for i, r in enumerate(runs) if re.search(r"pip install --no-deps( -e)? \.", r))
    assert lock_step < package_step, "install the lock first, then the package with --no-deps"


def test_dockerfile_copies_existing_paths_that_the_build_context_keeps():
    copies = copy_instructions()
    copied = [source for sources, _ in copies for source in sources]
    for required in ("requirements.lock", "pyproject.toml", "gwp_monitor/", "dags/", "expectations/", "sql/"):
        assert required in copied, f"the Dockerfile must copy {required}"
    for source in copied:
        if any(c in source for c in "*?["):  # a pattern may match nothing (an optional file)
            for match in ROOT.glob(source):
                relative = match.relative_to(ROOT).as_posix()
                assert not dockerignored(relative), f".dockerignore leaves {relative} out of the build context"
            continue
        path = ROOT / source
        assert path.exists(), f"the Dockerfile copies {source}, which does not exist"
        assert not dockerignored(source.rstrip("/")), f".dockerignore leaves {source} out of the build context"
        if path.is_dir():
            files = [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
            for file in files:
                relative = file.relative_to(ROOT).as_posix()
                assert not dockerignored(relative) or file.suffix in (".pyc",), f".dockerignore drops {relative}"
    for secret in (".env", ".venv/bin/python", "var/airflow/airflow.db", "gwp-demo/gwp.db", ".git/config"):
        assert dockerignored(secret), f".dockerignore must keep {secret} out of the build context"


def image_paths() -> dict[str, str]:
    """Path in the image -> repository path, for everything the Dockerfile copies."""
    paths = {}
    for sources, dest in copy_instructions():
        for source in sources:
            if (ROOT / source).is_dir():
                paths[os.path.normpath(dest)] = source  # a directory's contents go into dest
            elif dest.endswith("/") or len(sources) > 1:
                paths[os.path.normpath(os.path.join(dest, Path(source).name))] = source
            else:
                paths[os.path.normpath(dest)] = source
    return paths


def test_compose_runs_what_the_image_holds(services):
    """Paths compose uses inside the image are copied there by the Dockerfile."""
    paths = image_paths()
    script = command_list(services["airflow-init"])[-1]
    assert script in paths, f"{script} is not copied into the image"
    assert paths[script] == "deploy/airflow-init.sh"
    dags_folder = environment(services["airflow-scheduler"])["AIRFLOW__CORE__DAGS_FOLDER"]
    assert paths.get(dags_folder, "").rstrip("/") == "dags", f"{dags_folder} does not hold the repo's dags/"
    # expectations/ sits next to the package, where gwp_monitor.validate.expectations looks for it
    assert paths.get("/opt/gwp-monitor/expectations", "").rstrip("/") == "expectations"
    assert paths.get("/opt/gwp-monitor/gwp_monitor", "").rstrip("/") == "gwp_monitor"


def test_portal_service_serves_the_portal_beside_airflow(services):
    """The portal runs the real command on the product image, writes the landing folder Airflow reads,
    signs sessions with a required secret, and starts gwp_returns through the api-server."""
    from gwp_monitor.cli import build_parser

    portal = services["portal"]
    command = command_list(portal)
    assert command[:3] == ["gwp-monitor", "portal", "serve"]
    args = build_parser().parse_args(command[1:])
    assert (args.host, args.port) == ("0.0.0.0", 8600)
    assert any(port.endswith(":8600") for port in portal["ports"])
    mounts = {target: mode for _, target, mode in short_volumes(portal)}
    assert mounts == {"/opt/gwp/landing": "rw", "/opt/gwp/register": "ro"}
    env = environment(portal)
    assert env["GWP_PORTAL_SECRET_KEY"].startswith("${GWP_PORTAL_SECRET_KEY:?")
    assert env["GWP_AIRFLOW_API_URL"] == "http://airflow-api-server:8080"
    assert env["GWP_DATABASE_URL"] == environment(services["airflow-scheduler"])["GWP_DATABASE_URL"]
    assert env["GWP_LANDING_DIR"] == "/opt/gwp/landing"
    assert portal["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert not portal.get("profiles"), "the portal starts with a plain `docker compose up`"


# --------------------------------------------------------------------------------------------------
# shell scripts
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [STANDALONE, AIRFLOW_INIT, *sorted(POSTGRES_INIT_DIR.glob("*.sh"))],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_shell_scripts_parse(script):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_standalone_script_defaults():
    text = STANDALONE.read_text(encoding="utf-8")
    assert 'AIRFLOW_HOME="${AIRFLOW_HOME:-$ROOT/var/airflow}"' in text
    assert "sqlite:///$AIRFLOW_HOME/airflow.db" in text
    assert "$ROOT/dags" in text and "AIRFLOW__CORE__LOAD_EXAMPLES" in text
    for setting, default in (
        ("GWP_REGISTER", "$DEMO/register.yaml"),
        ("GWP_LANDING_DIR", "$DEMO/landing"),
        ("GWP_DATABASE_URL", "sqlite:///$DEMO/gwp.db"),
    ):
        assert f'{setting}="${{{setting}:-{default}}}"' in text, setting
    assert "simple_auth_manager_passwords.json.generated" in text
    assert "dags trigger gwp_returns" in text
    assert text.rstrip().endswith("exec airflow standalone")
    # the path ./dev runs
    assert "bash scripts/airflow-standalone.sh" in (ROOT / "dev").read_text(encoding="utf-8")


def test_simple_auth_manager_password_file_name_matches_airflow():
    source = airflow_package_dir() / "api_fastapi/auth/managers/simple/simple_auth_manager.py"
    assert '"simple_auth_manager_passwords.json.generated"' in source.read_text(encoding="utf-8")
