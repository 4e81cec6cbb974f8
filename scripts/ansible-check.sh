#!/usr/bin/env bash
# ansible-lint (production profile, .ansible-lint) over all of ansible/ and
# `ansible-playbook --syntax-check` of every playbook in it. Ansible keeps its temporary files
# in a directory of its own here, not in ~/.ansible.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-$PWD/.venv}"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export ANSIBLE_HOME="$home" ANSIBLE_LOCAL_TMP="$home/tmp" ANSIBLE_RETRY_FILES_ENABLED=False
# The dynamic inventory asks wifidesa's database; a check needs only the groups, no hosts.
printf '[routers]\n' >"$home/hosts.ini"
export ANSIBLE_INVENTORY="$home/hosts.ini"
export PATH="$venv/bin:$PATH"
cd ansible
# Every playbook at the top of ansible/ (vars files, vaults and requirements are not plays).
for playbook in *.yml; do
  if grep -qE '^[- ] *(hosts|import_playbook):' "$playbook"; then
    "$venv/bin/ansible-playbook" --syntax-check "$playbook"
  fi
done
"$venv/bin/ansible-lint" --offline --nocolor -q -c ../.ansible-lint .
