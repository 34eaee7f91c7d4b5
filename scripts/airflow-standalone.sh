#!/usr/bin/env bash
# Runs Airflow 3.3 locally, without Docker, on this checkout's DAGs and the demo data. Run it as
#   ./dev airflow                 set up .venv, migrate the metadata DB, start `airflow standalone`
#   ./dev airflow ARGS...         run `airflow ARGS...` against the same Airflow, e.g. from a second terminal
#                                 ./dev airflow dags trigger gwp_returns
#   ./dev airflow --executor local              scheduler, dag-processor and api-server as separate processes
#   ./dev airflow --executor celery [--workers N]   the same with CeleryExecutor and N Celery workers (default 1):
#                                 Redis at 127.0.0.1:6379 as broker (AIRFLOW__CELERY__BROKER_URL), PostgreSQL
#                                 as metadata database and result backend (set AIRFLOW__DATABASE__SQL_ALCHEMY_CONN
#                                 to a postgresql+psycopg:// URL; SQLite cannot be shared by workers)
#
# Everything is local and throwaway: AIRFLOW_HOME defaults to ./var/airflow (SQLite metadata DB, logs,
# airflow.cfg), and the gwp-monitor settings default to what `./dev demo` writes under ./gwp-demo/.
# Any of the variables below that is already set in the environment wins, e.g.
#   AIRFLOW_HOME=/tmp/af AIRFLOW_PORT=8081 ./dev airflow
#   GWP_DATABASE_URL=postgresql+psycopg://gwp:...@localhost/gwp ./dev airflow
# Docker deployment: docs/deployment.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

EXECUTOR_MODE=""  # empty: `airflow standalone`
WORKERS=1
while [ "$#" -gt 0 ]; do
  case "$1" in
    --executor) EXECUTOR_MODE="${2:-}"; shift 2 ;;
    --executor=*) EXECUTOR_MODE="${1#--executor=}"; shift ;;
    --workers) WORKERS="${2:-}"; shift 2 ;;
    --workers=*) WORKERS="${1#--workers=}"; shift ;;
    *) break ;;
  esac
done
case "$EXECUTOR_MODE" in
  "" | local | celery) ;;
  *) echo "airflow-standalone: --executor must be local or celery, not '$EXECUTOR_MODE'" >&2; exit 2 ;;
esac
if ! [[ "$WORKERS" =~ ^[1-9][0-9]*$ ]]; then
  echo "airflow-standalone: --workers must be a whole number of at least 1, not '$WORKERS'" >&2
  exit 2
fi

# `airflow standalone` starts its components as `airflow ...` subprocesses found on PATH.
if [ -x "$ROOT/.venv/bin/airflow" ]; then
  export PATH="$ROOT/.venv/bin:$PATH"
fi
if ! command -v airflow >/dev/null 2>&1; then
  echo "airflow-standalone: no airflow command; run ./dev setup first (or use ./dev airflow)" >&2
  exit 1
fi

# --- Airflow -----------------------------------------------------------------------------------------
export AIRFLOW_HOME="${AIRFLOW_HOME:-$ROOT/var/airflow}"
mkdir -p "$AIRFLOW_HOME"
AIRFLOW_HOME="$(cd "$AIRFLOW_HOME" && pwd)"
AIRFLOW_PORT="${AIRFLOW_PORT:-8080}"

export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-sqlite:///$AIRFLOW_HOME/airflow.db}"
# Airflow's async engine defaults to asyncpg for PostgreSQL (not installed); psycopg 3 is async too.
case "$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" in
  postgresql+psycopg://*)
    export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC:-$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN}"
    ;;
esac
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$ROOT/dags}"
# plugins/gwp_monitor_preload.py imports GX and gwp-monitor once in the scheduler and Celery workers,
# so every task process they fork starts with them loaded (gwp_monitor/airflow_preload.py).
export AIRFLOW__CORE__PLUGINS_FOLDER="${AIRFLOW__CORE__PLUGINS_FOLDER:-$ROOT/plugins}"
export AIRFLOW__CORE__LAZY_LOAD_PLUGINS="${AIRFLOW__CORE__LAZY_LOAD_PLUGINS:-False}"
export AIRFLOW__CORE__LOAD_EXAMPLES="${AIRFLOW__CORE__LOAD_EXAMPLES:-False}"
if [ "$EXECUTOR_MODE" = celery ]; then
  export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
else
  export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
fi
# Task slots sized from gwp-monitor's own setting, not Airflow's default of 32 (LocalExecutor starts a
# worker process per slot, ~30 MB each idle): the ingest batches that may run at once, plus two for the
# run's other tasks. See docs/deployment.md, "Sizing parallel work".
INGEST_PARALLELISM="${GWP_INGEST_PARALLELISM:-2}"
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-$((INGEST_PARALLELISM + 2))}"
# How long an idle scheduler waits before looking again (Airflow's default 1 s): each task of a DAG run
# waits for the scheduler to notice its upstream task ended, so this is paid once per step of the chain.
# 0.5 s: a 200-file run 12.0 s -> 9.4 s; idle, the scheduler uses 4.9% of a core instead of 3.4%.
export AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME="${AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME:-0.5}"
# Celery (read only with CeleryExecutor): Redis on this machine as broker, the metadata database as
# result backend; each worker runs as many tasks at once as one DAG run may ingest batches.
export AIRFLOW__CELERY__BROKER_URL="${AIRFLOW__CELERY__BROKER_URL:-redis://127.0.0.1:6379/0}"
export AIRFLOW__CELERY__WORKER_CONCURRENCY="${AIRFLOW__CELERY__WORKER_CONCURRENCY:-$INGEST_PARALLELISM}"
# A task not acknowledged within this many seconds is handed to another worker: longer than the
# longest task (a batch of GWP_INGEST_BATCH_MAX_FILES files), or Redis redelivers it while it runs.
export AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT="${AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT:-21600}"
# Unpaused, so a triggered run starts at once (a run of a paused DAG waits in "queued").
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="${AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION:-False}"
# Pick up new and changed DAG files quickly while developing (default 300 s).
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-30}"
# Local only: the UI listens on localhost, and the task processes find the Execution API on the same port.
export AIRFLOW__API__HOST="${AIRFLOW__API__HOST:-127.0.0.1}"
export AIRFLOW__API__PORT="${AIRFLOW__API__PORT:-$AIRFLOW_PORT}"
export AIRFLOW__API__BASE_URL="${AIRFLOW__API__BASE_URL:-http://localhost:$AIRFLOW__API__PORT}"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="${AIRFLOW__CORE__EXECUTION_API_SERVER_URL:-http://localhost:$AIRFLOW__API__PORT/execution/}"

# --- gwp-monitor (the demo data that `./dev demo` writes) ----------------------------------------------
DEMO="$ROOT/gwp-demo"
export GWP_DATABASE_URL="${GWP_DATABASE_URL:-sqlite:///$DEMO/gwp.db}"
export GWP_REGISTER="${GWP_REGISTER:-$DEMO/register.yaml}"
export GWP_LANDING_DIR="${GWP_LANDING_DIR:-$DEMO/landing}"
export GWP_REPORT_DIR="${GWP_REPORT_DIR:-$DEMO/report}"

# ./dev airflow ARGS...: any Airflow command against this Airflow.
if [ "$#" -gt 0 ]; then
  exec airflow "$@"
fi

if [ ! -f "$GWP_REGISTER" ]; then
  echo "airflow-standalone: WARNING: no contract register at $GWP_REGISTER; run ./dev demo first to make the demo data" >&2
fi

echo "==> AIRFLOW_HOME=$AIRFLOW_HOME (metadata DB: $AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)" >&2
echo "==> airflow db migrate" >&2
airflow db migrate

if [ -n "$EXECUTOR_MODE" ]; then
  exec bash "$ROOT/scripts/airflow-components.sh" "$EXECUTOR_MODE" "$WORKERS"
fi

password_file="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated}"
cat >&2 <<EOF

==> starting airflow standalone (scheduler, dag-processor, triggerer, api-server); Ctrl-C stops it all
    UI:        $AIRFLOW__API__BASE_URL
    login:     admin; the password is printed below on the first start and kept in
               $password_file
    DAGs:      $AIRFLOW__CORE__DAGS_FOLDER (gwp_returns, gwp_return_deadlines)
    trigger:   ./dev airflow dags trigger gwp_returns        (from another terminal)
    results:   reporting DB $GWP_DATABASE_URL
               (.venv/bin/gwp-monitor status --db $GWP_DATABASE_URL), report folder $GWP_REPORT_DIR
    task logs: $AIRFLOW_HOME/logs

EOF
exec airflow standalone
