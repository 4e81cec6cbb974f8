"""The soak's portal prober (scripts/soak.py starts it): asks for the portal's landing page
`--rate` times a second for `--seconds`, from a process of its own at the services' priority,
so that a page is timed by a client that is not itself behind on its work (the RADIUS load
generator runs niced and busy). Prints one line per request: when it was sent (the system's
monotonic clock, which every process shares) and its latency in ms, or -1 if it failed.

    python scripts/soak_web.py --port N --router NAME --start-at T --seconds S [--rate 10]
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from radius.simulator.load import client_ip, client_mac

IN_FLIGHT = 16  # pages at once at most: past that the portal is far behind, counted as failed


def probe(port: int, router_name: str, n: int) -> bool:
    """The landing page a router's login.html posts to (reads only)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        fields = (
            f"router={router_name}&mac={client_mac(n)}&ip={client_ip(n)}"
            "&link-login-only=http%3A%2F%2F10.5.50.1%2Flogin&link-orig=http%3A%2F%2Fexample.org%2F"
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", "/portal/login", body=fields, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--router", required=True)
    parser.add_argument("--start-at", type=float, required=True, help="time.monotonic()")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--rate", type=float, default=10.0)
    args = parser.parse_args()
    results: list[tuple[float, float]] = []
    busy = threading.Semaphore(IN_FLIGHT)

    def one(n: int, sent: float) -> None:
        try:
            ok = probe(args.port, args.router, n)
            results.append((sent, (time.monotonic() - sent) * 1000 if ok else -1.0))
        finally:
            busy.release()

    time.sleep(max(0.0, args.start_at - time.monotonic()))
    end = args.start_at + args.seconds
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        n = 0
        while (due := args.start_at + n / args.rate) < end:
            time.sleep(max(0.0, due - time.monotonic()))
            n += 1
            sent = time.monotonic()
            if busy.acquire(blocking=False):
                pool.submit(one, n, sent)
            else:
                results.append((sent, -1.0))
    for sent, ms in sorted(results):
        print(f"{sent:.6f} {ms:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
