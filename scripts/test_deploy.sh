#!/usr/bin/env bash
# The deploy test (make test-deploy): ansible/central.yml against a fresh Debian 12 that the
# test boots on this machine with systemd-nspawn (tests/ansible/test_central_deploy.py).
# Needs root. The Debian tree and the wheels are cached under /var/cache/wifidesa-deploy-test
# (WIFIDESA_DEPLOY_CACHE); the first run makes them (debootstrap, apt and PyPI downloads).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "test-deploy: needs root (debootstrap, network namespaces, systemd-nspawn)" >&2
  exit 1
fi
missing=()
for tool in debootstrap:debootstrap systemd-nspawn:systemd-container ssh:openssh-client \
    curl:curl openssl:openssl ip:iproute2; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
scripts/bootstrap.sh
# The central playbook's files are committed: it deploys HEAD.
started=$(date +%s)
WIFIDESA_TEST_DEPLOY=1 .venv/bin/pytest -p no:cacheprovider -q tests/ansible/test_central_deploy.py "$@"
echo "test-deploy: $(( $(date +%s) - started )) s"
