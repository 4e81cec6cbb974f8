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
# Simulated routers (the RouterOS double) where the demo's routers have their management
# address (wifidesa/cli/demo_data.py), so the fleet page shows live states: six villages on
# 127.0.2.1-6, answers held 0.7 s like a VSAT link, the fourth silent (its village has sent
# no accounting for days). They stop with the services (Ctrl-C).
mkdir -p var
.venv/bin/python -m controllers.double --routers 6 --first 127.0.2.1:18728 \
  --password demo-routeros --delay 0.7 --silent-router 4 > var/routeros-double.log 2>&1 &
double=$!
trap 'kill "$double" 2>/dev/null || true' EXIT
# Demo pace: a poll round every minute (a real fleet: every five).
export WIFIDESA_POLL_INTERVAL_SECONDS="${WIFIDESA_POLL_INTERVAL_SECONDS:-60}"
.venv/bin/wifidesa serve
