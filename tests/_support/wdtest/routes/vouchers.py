"""Vouchers: lists (everyone signed in sees their own villages' cards), batches, printing,
CSV, handing out, revoking, background jobs; pages and API, aimed at village A's batch."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wdtest.admin_world import REACH_A, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import (
    Call,
    all_of,
    audited,
    download,
    form,
    holds,
    refused,
    shows,
    shows_own,
)
from wifidesa.db.models import AccountStatus, Voucher

# Jobs live in the web process's memory: a job id nobody started is "gone" (410) for everyone
# signed in, whether it never existed or belongs to someone else.
NO_JOB = "no-such-job"


def _voucher_a(session: Session, call: Call) -> Voucher:
    voucher = session.scalar(select(Voucher).where(Voucher.code == call.id("code_a")))
    assert voucher is not None
    return voucher


def _handed_out(session: Session, call: Call) -> bool:
    return _voucher_a(session, call).distributed_at is not None


def _revoked(session: Session, call: Call) -> bool:
    return _voucher_a(session, call).account.status is AccountStatus.REVOKED


REVOKED = all_of(
    audited("vouchers.revoke", status=(200, 303)),
    holds("village A's card is revoked", _revoked, status=(200, 303)),
)
HANDED_OUT = holds("village A's card is handed out", _handed_out, status=(200, 303))
GONE = refused(410, "")
EXPORTED = all_of(shows("{code_a}"), audited("vouchers.export"))
PRINTED = all_of(shows("{card_a}"), audited("vouchers.print"))

ROUTES = [
    Route("GET", "/admin/vouchers", SIGNED_IN, check=shows_own("card")),
    Route(
        "GET",
        "/admin/vouchers?site={site_code_a}&status=unused",
        REACH_A,
        check=shows("{card_a}"),
    ),
    Route("GET", "/admin/vouchers/new", SIGNED_IN, check=form("count", "prefix")),
    Route(
        "POST",
        "/admin/vouchers/new",
        REACH_A,
        form={"site": "{site_code_a}", "profile": "{profile_all}", "count": "2", "prefix": "A"},
        check=audited("vouchers.generate"),
    ),
    Route("GET", "/admin/vouchers/{voucher_a}/revoke", REACH_A, check=shows("{card_a}")),
    Route("POST", "/admin/vouchers/{voucher_a}/revoke", REACH_A, destructive=True, check=REVOKED),
    Route("GET", "/admin/vouchers/batches", SIGNED_IN, check=shows_own("site_name")),
    Route(
        "GET", "/admin/vouchers/batches?site={site_code_a}", REACH_A, check=shows("{site_name_a}")
    ),
    Route("GET", "/admin/vouchers/batches/{batch_a}", REACH_A, check=shows("{site_name_a}")),
    Route(
        "POST",
        "/admin/vouchers/batches/{batch_a}/distributed",
        REACH_A,
        form={"first_code": "{code_a}", "last_code": "{code_a}"},
        check=HANDED_OUT,
    ),
    Route("GET", "/admin/vouchers/batches/{batch_a}/csv", REACH_A, check=EXPORTED),
    Route("GET", "/admin/vouchers/batches/{batch_a}/print?layout=a4", REACH_A, check=PRINTED),
    Route("GET", "/admin/vouchers/batches/{batch_a}/print?layout=strip58", REACH_A, check=PRINTED),
    Route(
        "GET",
        "/admin/vouchers/batches/{batch_a}/pdf?layout=strip58",
        REACH_A,
        check=all_of(download("application/pdf", starts=b"%PDF"), audited("vouchers.print")),
    ),
    Route("GET", f"/admin/vouchers/jobs/{NO_JOB}", SIGNED_IN, check=GONE),
    Route("GET", f"/admin/vouchers/jobs/{NO_JOB}/file", SIGNED_IN, check=GONE),
    Route("GET", "/api/vouchers", SIGNED_IN, check=shows_own("code")),
    Route("GET", "/api/vouchers?site={site_code_a}", REACH_A, check=shows("{code_a}")),
    Route(
        "POST",
        "/api/vouchers/batches",
        REACH_A,
        json={"site": "desa-a", "profile": "umum", "count": 2},
        check=audited("vouchers.generate", status=(201,)),
    ),
    Route("GET", "/api/vouchers/batches", SIGNED_IN, check=shows_own("site_name")),
    Route("GET", "/api/vouchers/batches/{batch_a}", REACH_A, check=shows("{site_name_a}")),
    Route("GET", "/api/vouchers/batches/{batch_a}/csv", REACH_A, check=EXPORTED),
    Route(
        "POST",
        "/api/vouchers/batches/{batch_a}/distributed",
        REACH_A,
        json={"first_code": "{code_a}", "last_code": "{code_a}"},
        check=HANDED_OUT,
    ),
    Route(
        "POST",
        "/api/vouchers/{voucher_a}/revoke",
        REACH_A,
        json={},
        destructive=True,
        check=REVOKED,
    ),
]
