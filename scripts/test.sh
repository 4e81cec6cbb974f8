#!/usr/bin/env bash
# Set up and run the whole test suite: system packages, venv, lint, types, migrations check,
# and pytest on SQLite and on a PostgreSQL server that the tests start themselves.
# Extra arguments go to pytest (e.g. scripts/test.sh -k vouchers --db sqlite).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh
scripts/bootstrap.sh

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== migrations match models (SQLite; PostgreSQL is checked in pytest)"
check_dir=$(mktemp -d)
trap 'rm -rf "$check_dir"' EXIT
WIFIDESA_DATABASE_URL="sqlite:///$check_dir/check.db" .venv/bin/wifidesa --env-file /dev/null init >/dev/null
WIFIDESA_DATABASE_URL="sqlite:///$check_dir/check.db" .venv/bin/wifidesa --env-file /dev/null db check
echo "== pytest"
.venv/bin/pytest -p no:cacheprovider "$@"
