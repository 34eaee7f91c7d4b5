#!/usr/bin/env bash
# Starts Airflow's components as separate processes: scheduler, dag-processor, api-server and, for
# CeleryExecutor, N Celery workers. Run through `./dev airflow --executor local|celery [--workers N]`
# (scripts/airflow-standalone.sh sets the environment and migrates the metadata database first).
# Ctrl-C, SIGTERM, or any component exiting stops them all.
#   airflow-components.sh local|celery WORKERS
set -euo pipefail
MODE="$1"
WORKERS="${2:-1}"
LOGS="$AIRFLOW_HOME/component-logs"
mkdir -p "$LOGS"

if [ "$MODE" = celery ]; then
  case "$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" in
    postgresql*) ;;
    *)
      echo "airflow-components: CeleryExecutor needs PostgreSQL as the metadata database (workers on other" >&2
      echo "  processes share it); set AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg://USER@HOST/DB" >&2
      exit 2
      ;;
  esac
  # Celery's result backend: the metadata database, through SQLAlchemy (db+ prefix).
  export AIRFLOW__CELERY__RESULT_BACKEND="${AIRFLOW__CELERY__RESULT_BACKEND:-db+$AIRFLOW__DATABASE__SQL_ALCHEMY_CONN}"
  if ! airflow celery --help >/dev/null 2>&1; then
    echo "airflow-components: the Celery provider is not installed; run ./dev setup" >&2
    exit 2
  fi
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

start() {  # start NAME COMMAND...: a component in the background, its output in $LOGS/NAME.log
  local name="$1"
  shift
  "$@" >"$LOGS/$name.log" 2>&1 &
  pids+=("$!")
  echo "==> $name (pid $!): $LOGS/$name.log" >&2
}

start api-server airflow api-server --port "$AIRFLOW__API__PORT"
start dag-processor airflow dag-processor
start scheduler airflow scheduler
if [ "$MODE" = celery ]; then
  for i in $(seq 1 "$WORKERS"); do
    start "worker-$i" airflow celery worker --celery-hostname "gwp-worker-$i@%h" \
      --concurrency "$AIRFLOW__CELERY__WORKER_CONCURRENCY"
  done
fi
cat >&2 <<MSG

==> Airflow with $AIRFLOW__CORE__EXECUTOR ($( [ "$MODE" = celery ] && echo "$WORKERS Celery worker(s), broker $AIRFLOW__CELERY__BROKER_URL, " )$AIRFLOW__CORE__PARALLELISM task slots); Ctrl-C stops it all
    UI:      $AIRFLOW__API__BASE_URL
    trigger: ./dev airflow dags trigger gwp_returns   (from another terminal, same environment)
MSG
wait -n
echo "airflow-components: a component exited; stopping the others" >&2
