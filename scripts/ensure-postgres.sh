#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with a database `test` that the
# user postgres (password postgres) can use: starts the local cluster if it is down, and
# installs PostgreSQL from Debian's packages if there is none.
set -euo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1; then
  echo "postgres: installing postgresql"
  sudo_prefix=""
  [ "$(id -u)" -eq 0 ] || sudo_prefix="sudo"
  { $sudo_prefix apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo_prefix apt-get install -y -qq --no-install-recommends \
      postgresql; } >/dev/null
fi

if ! ready; then
  echo "postgres: starting the local cluster"
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 50); do ready && break; sleep 0.2; done
fi
ready || { echo "postgres: no server answers on 127.0.0.1:5432" >&2; exit 1; }

as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
# A fresh cluster asks for a password on TCP; give the test user one (trust setups ignore it).
if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  as_postgres "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\""
fi
if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
  PGPASSWORD=postgres createdb -h 127.0.0.1 -U postgres test
fi
