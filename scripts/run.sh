#!/usr/bin/env bash
# Set up and run wifidesa on the embedded default (SQLite under ./var), with demo data in an
# empty database. Settings come from .env (created on first run) and WIFIDESA_* variables.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
if [ ! -f .env ]; then
  key=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')
  printf 'WIFIDESA_ENV=development\nWIFIDESA_SECRET_KEY=%s\n' "$key" > .env
  chmod 600 .env
  echo "run: wrote .env with a new secret key (development mode)"
fi
.venv/bin/wifidesa init
.venv/bin/wifidesa demo --if-empty
exec .venv/bin/wifidesa serve
