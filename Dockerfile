# syntax=docker/dockerfile:1
# gwp-monitor on Apache Airflow 3.3: one image for every Airflow component of docker-compose.yaml
# (api-server, scheduler, dag-processor, triggerer, and the Celery worker of the `celery` profile).
#
# Base: plain python:3.11-slim, not apache/airflow. requirements.lock pins the whole dependency set,
# Airflow included, and CI tests exactly that set; installing the lock on a bare Python gives the same
# set in the image. The official image ships its own Airflow install, provider set and constraints,
# which the lock would have to fight. Reasons in docs/deployment.md.
#
#   docker compose build                      (what docker-compose.yaml does)
#   docker build -t gwp-monitor:local .       (LocalExecutor image)
#   docker build --build-arg AIRFLOW_EXECUTOR=CeleryExecutor -t gwp-monitor:local-celery .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

# uid of the non-root user everything runs as. Bind-mounted host folders (./reports) must be writable
# by it; set AIRFLOW_UID in .env to your own uid (id -u) on Linux.
ARG AIRFLOW_UID=50000
# LocalExecutor | CeleryExecutor. CeleryExecutor adds apache-airflow-providers-celery, Celery and the
# Redis client, pinned in deploy/celery-requirements.txt and constrained by requirements.lock.
ARG AIRFLOW_EXECUTOR=LocalExecutor

LABEL org.opencontainers.image.title="gwp-monitor" \
      org.opencontainers.image.description="Good Work Procurement monitor: Airflow 3.3 DAGs, Great Expectations validation, compliance reporting" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/gwp-monitor/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/gwp-monitor/plugins \
    AIRFLOW__CORE__LAZY_LOAD_PLUGINS=False \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    GWP_LANDING_DIR=/opt/gwp/landing \
    GWP_REPORT_DIR=/opt/gwp/reports \
    GWP_REGISTER=/opt/gwp/register/register.yaml

# The airflow user: fixed uid, group 0 (so the image also runs under an arbitrary uid with gid 0), home
# = AIRFLOW_HOME (Great Expectations and Airflow write their caches under it).
RUN set -eux; \
    if [ "${AIRFLOW_UID}" = 0 ]; then echo "AIRFLOW_UID must not be 0: the image runs as a non-root user" >&2; exit 1; fi; \
    useradd --uid "${AIRFLOW_UID}" --gid 0 --home-dir /opt/airflow --create-home --shell /bin/bash airflow; \
    python3 -m venv /opt/venv

# The layout under /opt/gwp-monitor mirrors the repository checkout: dags/, expectations/, sql/ and
# deploy/ sit next to the gwp_monitor package, exactly as in development and CI.
WORKDIR /opt/gwp-monitor

# 1. the pinned dependency set (the slow layer; it changes only with the lock)
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY deploy/celery-requirements.txt deploy/
RUN if [ "$AIRFLOW_EXECUTOR" = "CeleryExecutor" ]; then \
        pip install -c requirements.lock -r deploy/celery-requirements.txt; \
    elif [ "$AIRFLOW_EXECUTOR" != "LocalExecutor" ]; then \
        echo "AIRFLOW_EXECUTOR must be LocalExecutor or CeleryExecutor, not $AIRFLOW_EXECUTOR" >&2; exit 1; \
    fi

# 2. the package itself, without dependencies (they all come from the lock). Editable, as ./dev installs
#    it, so the package finds expectations/ and sql/ next to it the same way in the image as in a checkout.
#    They are copied first: pyproject.toml maps them into the package (gwp_monitor._expectations,
#    gwp_monitor._sql, gwp_monitor._docs: the supplier guide the portal shows), and the install needs every mapped folder to exist.
#    (README.m[d]: pyproject.toml names it as the long description; the pattern lets the build go on
#    without it.)
COPY pyproject.toml README.m[d] ./
COPY expectations/ expectations/
COPY sql/ sql/
COPY docs/supplier-guide.md docs/
COPY gwp_monitor/ gwp_monitor/
RUN pip install --no-deps -e . && python -m compileall -q gwp_monitor

# 3. DAGs, the plugin that warms GX and gwp-monitor in the scheduler and Celery workers, and airflow-init
COPY dags/ dags/
COPY plugins/ plugins/
COPY deploy/airflow-init.sh deploy/

# Writable state: AIRFLOW_HOME (airflow.cfg, logs, auth/ for SimpleAuthManager's password file) and the
# product's folders (bind-mounted by docker-compose.yaml). Named volumes mounted on these paths take
# their ownership from here. The code under /opt/gwp-monitor stays root-owned and read-only.
RUN set -eux; \
    mkdir -p /opt/airflow/logs /opt/airflow/auth /opt/gwp/landing /opt/gwp/register /opt/gwp/reports; \
    chown -R "${AIRFLOW_UID}:0" /opt/airflow /opt/gwp; \
    chmod -R g+rwX /opt/airflow /opt/gwp; \
    chmod 0770 /opt/airflow/auth

USER ${AIRFLOW_UID}:0

# api-server
EXPOSE 8080

CMD ["airflow", "version"]
