"""Vouchers: lists (everyone signed in sees their own villages' cards), batches, printing,
CSV, handing out, revoking, background jobs; pages and API, aimed at village A's batch."""

from __future__ import annotations

from wdtest.admin_world import REACH_A, SIGNED_IN
from wdtest.routes import Route

# Jobs live in the web process's memory: a job id nobody started is "gone" (410) for everyone
# signed in, whether it never existed or belongs to someone else.
NO_JOB = "no-such-job"

ROUTES = [
    Route("GET", "/admin/vouchers", SIGNED_IN),
    Route("GET", "/admin/vouchers?site={site_code_a}&status=unused", REACH_A),
    Route("GET", "/admin/vouchers/new", SIGNED_IN),
    Route(
        "POST",
        "/admin/vouchers/new",
        REACH_A,
        form={"site": "{site_code_a}", "profile": "{profile_all}", "count": "2", "prefix": "A"},
    ),
    Route("GET", "/admin/vouchers/{voucher_a}/revoke", REACH_A),
    Route("POST", "/admin/vouchers/{voucher_a}/revoke", REACH_A, destructive=True),
    Route("GET", "/admin/vouchers/batches", SIGNED_IN),
    Route("GET", "/admin/vouchers/batches?site={site_code_a}", REACH_A),
    Route("GET", "/admin/vouchers/batches/{batch_a}", REACH_A),
    Route(
        "POST",
        "/admin/vouchers/batches/{batch_a}/distributed",
        REACH_A,
        form={"first_code": "{code_a}", "last_code": "{code_a}"},
    ),
    Route("GET", "/admin/vouchers/batches/{batch_a}/csv", REACH_A),
    Route("GET", "/admin/vouchers/batches/{batch_a}/print?layout=a4", REACH_A),
    Route("GET", "/admin/vouchers/batches/{batch_a}/print?layout=strip58", REACH_A),
    Route("GET", "/admin/vouchers/batches/{batch_a}/pdf?layout=strip58", REACH_A),
    Route("GET", f"/admin/vouchers/jobs/{NO_JOB}", SIGNED_IN),
    Route("GET", f"/admin/vouchers/jobs/{NO_JOB}/file", SIGNED_IN),
    Route("GET", "/api/vouchers", SIGNED_IN),
    Route("GET", "/api/vouchers?site={site_code_a}", REACH_A),
    Route(
        "POST",
        "/api/vouchers/batches",
        REACH_A,
        json={"site": "desa-a", "profile": "umum", "count": 2},
    ),
    Route("GET", "/api/vouchers/batches", SIGNED_IN),
    Route("GET", "/api/vouchers/batches/{batch_a}", REACH_A),
    Route("GET", "/api/vouchers/batches/{batch_a}/csv", REACH_A),
    # JSON bodies are not templated, and codes are random: a code outside the batch is refused
    # (422) for those who reach the batch, after the scope check that refuses everyone else.
    Route(
        "POST",
        "/api/vouchers/batches/{batch_a}/distributed",
        REACH_A,
        json={"first_code": "NOTINBATCH", "last_code": "NOTINBATCH"},
    ),
    Route("POST", "/api/vouchers/{voucher_a}/revoke", REACH_A, json={}, destructive=True),
]
