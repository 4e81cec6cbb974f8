"""Seed a fresh wifidesa database for the RADIUS anchor bench, then run a command against it.

Used by scripts/bench_radius.sh (`make bench-radius`); not a bench mode of the server. Every
step uses the real `wifidesa` CLI. Usage:

    bench_radius_seed.py --db sqlite|postgresql --dir DIR -- COMMAND ...

Writes DIR/bench.env (settings for `wifidesa --env-file`), DIR/users.csv and, on SQLite,
DIR/bench.db, all from $BENCH_WORK/users.json and $BENCH_WORK/secret. On PostgreSQL a throwaway
server is started like the tests do (tests/_support/wdtest/postgres.py); it lives while COMMAND
runs and is stopped afterwards, also on error, Ctrl-C or SIGTERM. COMMAND runs in DIR, in a
process group of its own; on Ctrl-C or SIGTERM that group gets SIGINT, so the bench stops the
server it started. Exits with COMMAND's exit status.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
WIFIDESA = ROOT / ".venv" / "bin" / "wifidesa"
SITE = "bench"
PROFILE = "bench"


class Stop(Exception):
    """SIGTERM or SIGINT arrived."""


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def bench_work() -> Path:
    return Path(os.environ.get("BENCH_WORK") or Path.home() / ".cache" / "radius-anchor")


def write_env(path: Path, database_url: str, var_dir: Path) -> None:
    lines = {
        "WIFIDESA_ENV": "development",
        "WIFIDESA_SECRET_KEY": secrets.token_urlsafe(48),
        "WIFIDESA_DATABASE_URL": database_url,
        "WIFIDESA_VAR_DIR": str(var_dir),
        "WIFIDESA_RADIUS_HOST": "127.0.0.1",  # loopback only
        "WIFIDESA_RADIUS_AUTH_PORT": "18120",
        "WIFIDESA_RADIUS_ACCT_PORT": "18130",
        "WIFIDESA_LOG_LEVEL": "WARNING",
    }
    path.write_text("".join(f"{k}={v}\n" for k, v in lines.items()), encoding="utf-8")
    path.chmod(0o600)


def write_users_csv(users_json: Path, out: Path) -> int:
    users: dict[str, str] = json.loads(users_json.read_text(encoding="utf-8"))
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "password"])
        writer.writerows(users.items())
    return len(users)


def wifidesa(env_file: Path, *args: str, cwd: Path) -> None:
    argv = [str(WIFIDESA), "--env-file", str(env_file), *args]
    shown = " ".join(
        "***" if prev == "--secret" else a for prev, a in zip(("", *args), args, strict=False)
    )
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"wifidesa {shown} failed ({result.returncode}): {result.stderr.strip()}"
        )
    print(f"  wifidesa {shown}: ok", flush=True)


def seed(env_file: Path, work: Path, wd_dir: Path) -> None:
    secret = (work / "secret").read_text(encoding="utf-8").strip()
    users_csv = wd_dir / "users.csv"
    count = write_users_csv(work / "users.json", users_csv)
    steps = [
        ["init"],
        ["sites", "add", "--desa-code", "64.03.99.2001", "--desa-name", "Desa Bench",
         "--kecamatan", "Kecamatan Bench", "--code", SITE],
        ["routers", "add", "--site", SITE, "--name", "bench-nas", "--ip", "127.0.0.1",
         "--hotspot-address", "10.5.50.1", "--secret", secret, "--no-require-message-auth",
         "--allow-short-secret"],
        ["profiles", "add", "--name", PROFILE, "--rate-limit", "2M/2M",
         "--session-timeout", "3600", "--devices", "1"],
        ["vouchers", "import", str(users_csv), "--site", SITE, "--profile", PROFILE],
    ]  # fmt: skip
    started = time.perf_counter()
    for step in steps:
        wifidesa(env_file, *step, cwd=wd_dir)
    print(f"  seeded {count} vouchers in {time.perf_counter() - started:.1f} s", flush=True)


def run_command(argv: list[str], cwd: Path) -> int:
    child = subprocess.Popen(argv, cwd=cwd, start_new_session=True)
    try:
        return child.wait()
    except Stop as exc:
        print(f"bench_radius_seed: {exc}, stopping the bench", file=sys.stderr, flush=True)
        # SIGINT, not SIGTERM: bench.py stops the server it started on KeyboardInterrupt
        os.killpg(child.pid, signal.SIGINT)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        return 130


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--dir", type=Path, required=True, help="where bench.env etc. go")
    parser.add_argument("command", nargs="+", help="run with the seeded database (after --)")
    args = parser.parse_args()
    work = bench_work()
    for needed in ("users.json", "secret"):
        if not (work / needed).is_file():
            parser.error(f"{work / needed} is missing: run the bench's setup.sh first")
    wd_dir: Path = args.dir.resolve()
    wd_dir.mkdir(parents=True, exist_ok=True)
    env_file = wd_dir / "bench.env"
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stop)

    cluster = None
    try:
        if args.db == "postgresql":
            sys.path.insert(0, str(ROOT / "tests" / "_support"))
            from wdtest.postgres import PostgresCluster  # type: ignore[import-not-found]

            cluster = PostgresCluster()
            cluster.start()
            url = cluster.create_database("wifidesa_bench")
            print(f"PostgreSQL (throwaway) on 127.0.0.1:{cluster.port}", flush=True)
        else:
            db = wd_dir / "bench.db"
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{db}"  # absolute path: sqlite:////...
        write_env(env_file, url, wd_dir / "var")
        print(f"seeding wifidesa ({args.db}) with {env_file}", flush=True)
        seed(env_file, work, wd_dir)
        return run_command(args.command, wd_dir)
    except Stop as exc:
        print(f"bench_radius_seed: {exc}", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"bench_radius_seed: {exc}", file=sys.stderr)
        return 1
    finally:
        if cluster is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the cleanup finish
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            cluster.stop()
            print("PostgreSQL stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
