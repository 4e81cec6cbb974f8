#!/usr/bin/env python3
"""Ansible's dynamic inventory from wifidesa: runs `wifidesa routers inventory` (routers,
sites and kabupaten/kota as groups; no secret in it).

WIFIDESA_CLI is the command that runs wifidesa on this (the central) server, with its
settings; default `wifidesa`, which on a server deployed by central.yml runs the CLI as the
services do (/usr/local/bin/wifidesa, with /etc/wifidesa/wifidesa.env).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys


def main(argv: list[str]) -> int:
    command = shlex.split(os.environ.get("WIFIDESA_CLI", "wifidesa"))
    if len(argv) == 2 and argv[0] == "--host":
        wanted = ["--host", argv[1]]
    elif argv in ([], ["--list"]):
        wanted = ["--list"]
    else:
        print("usage: wifidesa.py --list | --host NAME", file=sys.stderr)
        return 2
    done = subprocess.run([*command, "routers", "inventory", *wanted], check=False)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
