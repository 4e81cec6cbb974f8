"""`make bench-fleet`: the poller against 1,000 simulated routers on a satellite link.

The RouterOS double runs in a process of its own (`python -m controllers.double`), its routers
on consecutive loopback addresses, each answer held back 0.7 s *inside the double* (a VSAT
round trip; no netem: TCP and TLS handshakes are not delayed). 5 % of the routers never answer,
2 % drop the connection in the middle of every answer. The poller is the service's own
(`controllers.service.fleet_poller`), on a SQLite database of its own in a temporary
directory, polling round after round with no pause. Reported: each round's time, the
poller's resident memory after each round, what the rounds found, and the API bytes per
router per poll (words only, no TCP/TLS overhead). Nothing leaves 127.0.0.0/8.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from controllers.service import fleet_poller  # noqa: E402
from wifidesa.admin.scope import OPERATOR  # noqa: E402
from wifidesa.cli.main import main as wifidesa  # noqa: E402
from wifidesa.crypto import SecretBox  # noqa: E402
from wifidesa.db.engine import make_engine, make_session_factory  # noqa: E402
from wifidesa.places.routers import RouterSpec, create_router  # noqa: E402
from wifidesa.places.sites import SiteSpec, create_site  # noqa: E402
from wifidesa.settings import load_settings  # noqa: E402

SECRET_KEY = "bench-fleet-secret-key-0123456789-abcdefghij"  # noqa: S105 - a throwaway database
PASSWORD = "bench-api-password"  # noqa: S105 - the double's, on loopback only
FIRST = "127.1.0.1"  # the routers take 127.1.0.1, 127.1.0.2, ...
PORT = 18728


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _register(url: str, count: int) -> None:
    engine = make_engine(url)
    box = SecretBox(SECRET_KEY)
    sessions = make_session_factory(engine)
    first = [int(part) for part in FIRST.split(".")]
    base = (first[1] << 16) | (first[2] << 8) | first[3]
    with sessions.begin() as session:
        for n in range(count):
            address = base + n
            host = f"127.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"
            kecamatan = f"{n // 100 + 1:02d}"
            site = create_site(
                session=session,
                scope=OPERATOR,
                spec=SiteSpec(
                    desa_code=f"64.03.{kecamatan}.{2001 + n % 100:04d}",
                    desa_name=f"Desa {n + 1}",
                    kecamatan_name=f"Kecamatan {kecamatan}",
                    site_code=f"desa-{n + 1:04d}",
                ),
            )
            create_router(
                session=session,
                scope=OPERATOR,
                box=box,
                site_id=site.id,
                spec=RouterSpec(
                    name=f"router-{n + 1:04d}",
                    ip_address=f"10.{64 + n // 62500}.{n // 250 % 250}.{n % 250 + 1}",
                    hotspot_address=f"hotspot-{n + 1}.desa.id",
                    api_host=host,
                    api_port=PORT,
                    api_use_ssl=False,
                    api_username="admin",
                    api_password=PASSWORD,
                ),
            )
    engine.dispose()


def _start_double(args: argparse.Namespace) -> subprocess.Popen[str]:
    double = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "controllers.double",
            "--routers",
            str(args.routers),
            "--first",
            f"{FIRST}:{PORT}",
            "--password",
            PASSWORD,
            "--delay",
            str(args.delay),
            "--silent",
            str(args.silent),
            "--dropping",
            str(args.dropping),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    assert double.stdout is not None
    for _ in range(args.routers):  # one line per router once it listens
        if not double.stdout.readline():
            raise SystemExit("bench-fleet: the double did not start")
    return double


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.7, help="seconds per answer (VSAT)")
    parser.add_argument("--silent", type=float, default=0.05)
    parser.add_argument("--dropping", type=float, default=0.02)
    parser.add_argument("--threads", type=int, default=100, help="WIFIDESA_POLL_THREADS")
    parser.add_argument("--timeout", type=float, default=10.0, help="WIFIDESA_API_TIMEOUT_SECONDS")
    args = parser.parse_args()
    # Two sockets per router (the double's listener and connection, our connection).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.routers)), hard))

    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        url = f"sqlite:///{tmp}/fleet.db"
        os.environ.update(
            WIFIDESA_DATABASE_URL=url,
            WIFIDESA_SECRET_KEY=SECRET_KEY,
            WIFIDESA_VAR_DIR=tmp,
            WIFIDESA_LOG_LEVEL="WARNING",
        )
        if wifidesa(["--env-file", "/dev/null", "init"]) != 0:
            return 1
        started = time.monotonic()
        _register(url, args.routers)
        print(f"{args.routers} routers registered in {time.monotonic() - started:.1f} s")
        settings = load_settings(
            env_file=None, poll_threads=args.threads, api_timeout_seconds=args.timeout
        )
        double = _start_double(args)
        print(
            f"double: {args.routers} routers, {args.delay:.1f} s per answer, "
            f"{args.silent:.0%} silent, {args.dropping:.0%} dropping; "
            f"poller: {args.threads} threads, {args.timeout:.0f} s timeout"
        )
        try:
            print("round | seconds | answered | failed (by kind)          | poller RSS MiB")
            with fleet_poller(settings) as poller:
                for number in range(1, args.rounds + 1):
                    done = poller.round()
                    kinds = ", ".join(f"{k} {n}" for k, n in sorted(done.failures.items()))
                    print(
                        f"{number:5d} | {done.seconds:7.1f} | {done.answered:8d} | "
                        f"{kinds:25s} | {_rss_mib():.0f}"
                    )
        finally:
            double.terminate()
            out, _ = double.communicate(timeout=60)
        traffic = json.loads(out.splitlines()[-1])
        polls = args.routers * args.rounds
        print(
            f"API traffic per router per poll: {traffic['bytes_in'] / polls:.0f} B sent, "
            f"{traffic['bytes_out'] / polls:.0f} B received "
            f"({traffic['commands'] / polls:.1f} commands, logins included)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
