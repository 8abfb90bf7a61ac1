#!/usr/bin/env bash
# The whole test suite on a fresh Debian host: installs what is missing, makes sure
# PostgreSQL runs, then runs the unit tests and the end-to-end tests on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/ensure-postgres.sh
export DESKHAND_TEST_DATABASE_URL="${DESKHAND_TEST_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/test}"

npx prettier --check . >/dev/null || { echo "prettier: some files are not formatted (npm run format)"; exit 1; }
npm run --silent typecheck
npx vitest run "$@"
