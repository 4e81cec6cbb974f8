#!/usr/bin/env bash
# Set up and run the whole test suite: system packages, venv, lint, types, migrations check,
# and pytest on SQLite and on a PostgreSQL server that the tests start themselves.
# Extra arguments go to pytest (e.g. scripts/test.sh -k vouchers --db sqlite).
#
# `scripts/test.sh --fast` (make test-fast) is the everyday tier: ruff, mypy and pytest on
# SQLite only, without the tests that drive Chromium (marker `browser`) or the slow end-to-end
# ones (marker `slow`). `make test` before pushing runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
fast=false
if [ "${1:-}" = "--fast" ]; then
  fast=true
  shift
fi
if ! $fast; then
  scripts/system-deps.sh
fi
scripts/bootstrap.sh

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
if $fast; then
  echo "== pytest (fast: SQLite, no browser, no slow tests)"
  exec .venv/bin/pytest -p no:cacheprovider -q -n 2 --db sqlite -m "not browser and not slow" "$@"
fi
echo "== ansible-lint (production profile) and --syntax-check of every playbook in ansible/"
scripts/ansible-check.sh
echo "== migrations match models (SQLite; PostgreSQL is checked in pytest)"
check_dir=$(mktemp -d)
trap 'rm -rf "$check_dir"' EXIT
WIFIDESA_DATABASE_URL="sqlite:///$check_dir/check.db" .venv/bin/wifidesa --env-file /dev/null init >/dev/null
WIFIDESA_DATABASE_URL="sqlite:///$check_dir/check.db" .venv/bin/wifidesa --env-file /dev/null db check
echo "== pytest (two worker processes: one per core)"
.venv/bin/pytest -p no:cacheprovider -n 2 "$@"
