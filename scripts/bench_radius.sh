#!/usr/bin/env bash
# `make bench-radius`: our real RADIUS server (`wifidesa radius`) beside FreeRADIUS 3.2 with
# rlm_sql on sqlite, on the shared RADIUS anchor bench (127.0.0.1 only).
#   scripts/bench_radius.sh                         SQLite, full run (several minutes)
#   QUICK=1 scripts/bench_radius.sh                 smoke run (tiny request counts)
#   BENCH_DB=postgresql scripts/bench_radius.sh     wifidesa on a throwaway PostgreSQL server
#   RADIUS_WORKERS=N                                `wifidesa radius --workers N` (default: cores)
#   BENCH_SERVERS="fr-sql external"                 which bench servers (default below)
# Everything generated goes to $BENCH_WORK (default ~/.cache/radius-anchor), never into the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ANCHOR=${RADIUS_ANCHOR:-/work/shared/bench/radius-anchor}
export BENCH_WORK=${BENCH_WORK:-$HOME/.cache/radius-anchor}
BENCH_DB=${BENCH_DB:-sqlite}
SERVERS=${BENCH_SERVERS:-fr-sql fr-sqlwal external}
WD_DIR=$BENCH_WORK/wifidesa

case "$BENCH_DB" in
  sqlite|postgresql) ;;
  *) echo "bench-radius: BENCH_DB must be sqlite or postgresql, not '$BENCH_DB'" >&2; exit 2 ;;
esac
if [ ! -x "$ANCHOR/run.sh" ]; then
  echo "bench-radius: the RADIUS anchor bench is not at $ANCHOR (set RADIUS_ANCHOR)" >&2
  exit 2
fi
# Settings come from the bench's env file only: a WIFIDESA_* variable would win over it.
unset "${!WIFIDESA_@}"

"$ANCHOR/setup.sh"  # FreeRADIUS, blaster, users.json and secret under $BENCH_WORK

EXTERNAL_CMD="$(printf '%q' "$ROOT/.venv/bin/wifidesa") --env-file $(printf '%q' "$WD_DIR/bench.env") radius"
if [ -n "${RADIUS_WORKERS:-}" ]; then
  EXTERNAL_CMD+=" --workers $RADIUS_WORKERS"
fi
export EXTERNAL_CMD EXTERNAL_LABEL="wifidesa ($BENCH_DB)"
rm -f "$BENCH_WORK/results.json"
# Seeds a fresh database (and on PostgreSQL keeps its server up while the bench runs),
# then runs the bench from $WD_DIR.
# shellcheck disable=SC2086  # SERVERS is a list of words
.venv/bin/python scripts/bench_radius_seed.py --db "$BENCH_DB" --dir "$WD_DIR" -- \
  "$ANCHOR/run.sh" $SERVERS

python3 - "$BENCH_WORK" <<'EOF'
"""The comparison the issue cares about, from results.json."""
import json
import os
import re
import sys

work = sys.argv[1]
rows = json.load(open(os.path.join(work, "results.json")))["results"]


def row(server, workload):
    for r in rows:
        if r["server"] == server and r["gen"] == "blaster" and r["workload"] == workload:
            return r
    return None


def rps(r):
    return "{:>9,.0f}".format(r["rps_median"]) if r else "        -"


def p99(r):
    return "{:>6.1f} ms".format(r["lat_us_p99"] / 1000) if r and r["lat_us_p99"] is not None else "     -"


def lost(r):
    return r["lost_total"] + r["bad_total"] if r else None


def verdict(ok):
    return "meets target" if ok else "BELOW TARGET"


label = next((r["label"] for r in rows if r["server"] == "external"), "external")
print("\n== wifidesa vs FreeRADIUS (blaster, 64 in flight, medians): %s" % label)
checks = []
for workload in ("auth PAP", "auth CHAP"):
    e, f = row("external", workload), row("fr-sql", workload)
    if e and f:
        ratio = e["rps_median"] / f["rps_median"]
        checks.append(ratio >= 1.0)
        print("%-10s req/s  external %s  fr-sql    %s  ratio %.2fx (target >= 1.0x)  %s%s" % (
            workload, rps(e), rps(f), ratio, verdict(ratio >= 1.0),
            "  [external rejects/lost: %d]" % lost(e) if lost(e) else ""))
    e_p, f_p = e and e["lat_us_p99"], f and f["lat_us_p99"]
    if e_p is not None and f_p is not None:
        ok = e_p <= f_p
        if workload == "auth PAP":
            checks.append(ok)
        print("%-10s p99    external %s  fr-sql    %s  ratio %.2fx (target <= 1.0x)  %s%s" % (
            workload, p99(e), p99(f), e_p / f_p, verdict(ok),
            "" if workload == "auth PAP" else " (info)"))
e, f = row("external", "acct Start/Interim/Stop"), row("fr-sqlwal", "acct Start/Interim/Stop")
if e and f:
    ratio = e["rps_median"] / f["rps_median"]
    ok = ratio >= 2.0 and lost(e) == 0
    checks.append(ok)
    print("accounting req/s  external %s  fr-sqlwal %s  ratio %.2fx (target >= 2.0x, 0 lost)"
          "  lost: external %d, fr-sqlwal %d  %s" % (rps(e), rps(f), ratio, lost(e), lost(f), verdict(ok)))
for server in ("external", "fr-sql"):
    s = row(server, "auth PAP serial (c=1)")
    if s:
        print("serial auth PAP (c=1) %-8s p50 %.2f ms, p99 %.2f ms (info)" % (
            server, s["lat_us_p50"] / 1000, s["lat_us_p99"] / 1000))
if checks:
    print("targets: %s" % ("all met" if all(checks) else "%d of %d met" % (sum(checks), len(checks))))
print("note: the bench's 'CPU server' column counts only the process EXTERNAL_CMD starts (the\n"
      "dispatcher), not the RADIUS worker processes it forks; see 'machine' for the real load.")
log = os.path.join(work, "server-external.log")
if os.path.exists(log):
    bad = [line.rstrip() for line in open(log, errors="replace")
           if re.search(r"Traceback|ERROR|CRITICAL|Exception", line)]
    print("%s: %d error line(s)%s" % (log, len(bad), "".join("\n  " + b for b in bad[:10])))
EOF
