#!/usr/bin/env bash
# Creates the databases and roles gwp-monitor needs on the one PostgreSQL server of docker-compose.yaml:
#
#   database  owner     used by
#   airflow   airflow   Airflow's metadata database (AIRFLOW_DB_PASSWORD)
#   gwp       gwp       the reporting database, GWP_DATABASE_URL (GWP_DB_PASSWORD)
#   gwp       gwp_reader  read-only login for dashboards over the reporting views (GWP_READER_PASSWORD, optional)
#   metabase  metabase  Metabase's own application database, profile `bi` (METABASE_DB_PASSWORD, optional)
#
# The postgres image runs this once, when the data volume is first initialised
# (/docker-entrypoint-initdb.d). It is idempotent: run it again at any time to add the optional roles
# later or to apply changed passwords from .env (recreate the postgres container first so it sees them):
#   docker compose up -d postgres && docker compose exec postgres bash /docker-entrypoint-initdb.d/10-gwp-databases.sh
#
# Passwords reach SQL only as psql variables (:'name'), so any character is safe here; they also go into
# connection URLs, so keep them URL-safe (docs/deployment.md). The image may source this file rather than
# execute it, so it sets no shell options that would leak into the image's entrypoint and never exits.

gwp_psql() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" "$@"
}

gwp_create_databases() {
  local missing=""
  for var in AIRFLOW_DB_PASSWORD GWP_DB_PASSWORD; do
    if [ -z "${!var:-}" ]; then missing="$missing $var"; fi
  done
  if [ -n "$missing" ]; then
    echo "10-gwp-databases.sh: required variable(s) not set:$missing (see .env.example)" >&2
    return 1
  fi

  echo "10-gwp-databases.sh: roles and databases airflow, gwp"
  gwp_psql --dbname "${POSTGRES_DB:-postgres}" \
    -v airflow_pw="$AIRFLOW_DB_PASSWORD" \
    -v gwp_pw="$GWP_DB_PASSWORD" <<'EOSQL' || return 1
SELECT 'CREATE ROLE airflow LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'airflow') \gexec
ALTER ROLE airflow WITH LOGIN PASSWORD :'airflow_pw';
SELECT 'CREATE DATABASE airflow OWNER airflow ENCODING ''UTF8''' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'airflow') \gexec
REVOKE ALL ON DATABASE airflow FROM PUBLIC;
GRANT ALL ON DATABASE airflow TO airflow;

SELECT 'CREATE ROLE gwp LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gwp') \gexec
ALTER ROLE gwp WITH LOGIN PASSWORD :'gwp_pw';
SELECT 'CREATE DATABASE gwp OWNER gwp ENCODING ''UTF8''' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'gwp') \gexec
REVOKE ALL ON DATABASE gwp FROM PUBLIC;
GRANT ALL ON DATABASE gwp TO gwp;
EOSQL

  if [ -n "${GWP_READER_PASSWORD:-}" ]; then
    echo "10-gwp-databases.sh: read-only role gwp_reader on database gwp"
    gwp_psql --dbname "${POSTGRES_DB:-postgres}" -v reader_pw="$GWP_READER_PASSWORD" <<'EOSQL' || return 1
SELECT 'CREATE ROLE gwp_reader LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gwp_reader') \gexec
ALTER ROLE gwp_reader WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'reader_pw';
GRANT CONNECT ON DATABASE gwp TO gwp_reader;
EOSQL
    # Objects in gwp are created by the gwp role (the pipeline); let the reader see the current ones and
    # every one gwp creates later. It gets no write privilege anywhere.
    gwp_psql --dbname gwp <<'EOSQL' || return 1
GRANT USAGE ON SCHEMA public TO gwp_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO gwp_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE gwp IN SCHEMA public GRANT SELECT ON TABLES TO gwp_reader;
EOSQL
  else
    echo "10-gwp-databases.sh: GWP_READER_PASSWORD not set; skipping the read-only role gwp_reader"
  fi

  if [ -n "${METABASE_DB_PASSWORD:-}" ]; then
    echo "10-gwp-databases.sh: role and database metabase"
    gwp_psql --dbname "${POSTGRES_DB:-postgres}" -v metabase_pw="$METABASE_DB_PASSWORD" <<'EOSQL' || return 1
SELECT 'CREATE ROLE metabase LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'metabase') \gexec
ALTER ROLE metabase WITH LOGIN PASSWORD :'metabase_pw';
SELECT 'CREATE DATABASE metabase OWNER metabase ENCODING ''UTF8''' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'metabase') \gexec
REVOKE ALL ON DATABASE metabase FROM PUBLIC;
GRANT ALL ON DATABASE metabase TO metabase;
EOSQL
  else
    echo "10-gwp-databases.sh: METABASE_DB_PASSWORD not set; skipping the metabase database (profile bi)"
  fi
}

gwp_create_databases
