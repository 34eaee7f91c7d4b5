#!/usr/bin/env bash
# One-shot set-up run by the `airflow-init` service of docker-compose.yaml before any other Airflow
# component starts (they wait for it to complete successfully). Safe to run again: `docker compose up`
# runs it every time.
#
#   1. checks the executor choice is consistent with the image and the running services;
#   2. migrates Airflow's metadata database (`airflow db migrate`);
#   3. writes the admin password from .env into SimpleAuthManager's password file;
#   4. checks the gwp-monitor folders (contract register, landing folder, report folder).
set -euo pipefail

say() { echo "airflow-init: $*"; }
die() { echo "airflow-init: ERROR: $*" >&2; exit 1; }

: "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:?}"
: "${AIRFLOW_ADMIN_USERNAME:?}"
: "${AIRFLOW_ADMIN_PASSWORD:?set AIRFLOW_ADMIN_PASSWORD in .env}"

executor="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
say "executor: $executor"
case "$executor" in
  LocalExecutor) ;;
  CeleryExecutor)
    python -c 'import airflow.providers.celery' 2>/dev/null \
      || die "AIRFLOW_EXECUTOR=CeleryExecutor but this image has no Celery provider; rebuild it: docker compose build"
    python - <<'PY' || die "the Celery broker is not reachable; start the Redis and worker services with the celery profile (COMPOSE_PROFILES=celery in .env, or docker compose --profile celery up)"
import os, socket, sys, urllib.parse
url = urllib.parse.urlsplit(os.environ["AIRFLOW__CELERY__BROKER_URL"])
try:
    socket.create_connection((url.hostname, url.port or 6379), timeout=10).close()
except OSError as exc:
    sys.exit(f"airflow-init: cannot reach the broker {url.hostname}:{url.port or 6379}: {exc}")
PY
    ;;
  *) die "AIRFLOW_EXECUTOR must be LocalExecutor or CeleryExecutor, not '$executor'" ;;
esac

say "migrating the Airflow metadata database"
airflow db migrate

# SimpleAuthManager (Airflow 3's built-in auth manager) reads its users from
# [core] simple_auth_manager_users and their passwords from this JSON file, and only generates a random
# password for a user that is missing from it. Writing the file here gives the admin the password chosen
# in .env instead of one printed in the api-server log.
say "setting the password of Airflow user '$AIRFLOW_ADMIN_USERNAME' (SimpleAuthManager)"
python - <<'PY'
import json, os
path = os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
os.makedirs(os.path.dirname(path), exist_ok=True)
passwords = {}
if os.path.exists(path):
    with open(path) as stream:
        passwords = json.loads(stream.read().strip() or "{}")
passwords[os.environ["AIRFLOW_ADMIN_USERNAME"]] = os.environ["AIRFLOW_ADMIN_PASSWORD"]
tmp = f"{path}.tmp"
fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as stream:
    stream.write(json.dumps(passwords) + "\n")
os.replace(tmp, path)
PY

# The product's folders. A missing register or an empty landing folder is not fatal (the pipeline
# reports it); a report folder the pipeline cannot write to is.
if [ -n "${GWP_REGISTER:-}" ] && [ ! -f "$GWP_REGISTER" ]; then
  say "WARNING: no contract register at $GWP_REGISTER (host folder GWP_REGISTER_HOST_DIR, file GWP_REGISTER_FILE); the pipeline will fail until it exists"
fi
if [ -n "${GWP_LANDING_DIR:-}" ] && [ ! -d "$GWP_LANDING_DIR" ]; then
  say "WARNING: landing folder $GWP_LANDING_DIR is missing (host folder GWP_LANDING_HOST_DIR)"
fi
if [ -n "${GWP_REPORT_DIR:-}" ]; then
  probe="$GWP_REPORT_DIR/.airflow-init-write-test"
  if ! ( : > "$probe" ) 2>/dev/null; then
    die "report folder $GWP_REPORT_DIR is not writable by uid $(id -u); create the host folder (GWP_REPORTS_HOST_DIR, default ./reports) before the first start and make it writable by that uid, or set AIRFLOW_UID in .env to your own uid (id -u) and rebuild"
  fi
  rm -f "$probe"
fi
# Sources fetch into the landing folder and processed files move to the processed folder (retention):
# a folder the pipeline cannot write to leaves returns unfetched or raw files kept beyond their time.
for pair in "${GWP_LANDING_DIR:-}:GWP_LANDING_HOST_DIR, default ./landing" "${GWP_PROCESSED_DIR:-}:GWP_PROCESSED_HOST_DIR, default ./processed"; do
  folder=${pair%%:*}
  [ -n "$folder" ] && [ -d "$folder" ] || continue
  probe="$folder/.airflow-init-write-test"
  if ! ( : > "$probe" ) 2>/dev/null; then
    say "WARNING: $folder is not writable by uid $(id -u) (host folder ${pair#*:}): fetching and retention will fail until it is"
  fi
  rm -f "$probe"
done

say "done"
