"""Statistics: every admin sees the top of their scope; a village's figures only within reach,
a kabupaten only for its own admin and the province."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wdtest.admin_world import DESA_A, KAB_OWN, PROVINCE, REACH_A, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import Call, holds, shows, shows_own
from wifidesa.db.models import ExportState, StatsExport


def _queued(session: Session, call: Call) -> bool:
    """The actor has an export waiting."""
    waiting = select(StatsExport.id).where(
        StatsExport.admin_id == call.id(f"admin_{call.actor}"),
        StatsExport.state == ExportState.QUEUED,
    )
    return session.scalars(waiting).first() is not None


ROUTES = [
    Route("GET", "/admin/stats", SIGNED_IN, check=shows_own("site_name")),
    Route(
        "GET",
        "/admin/stats?area=s:{site_code_a}&period=week",
        REACH_A,
        check=shows("{site_name_a}"),
    ),
    Route(
        "GET",
        "/admin/stats?area=r:64.03",
        frozenset({KAB_OWN, PROVINCE}),
        check=shows("{site_name_a}", "{site_name_b}"),
    ),
    Route("GET", "/api/stats", SIGNED_IN, check=shows_own("site_name")),
    Route("GET", "/api/stats?area=s:{site_code_a}", REACH_A, check=shows("{site_name_a}")),
    Route(
        "POST",
        "/admin/stats/exports",
        SIGNED_IN,
        form={"format": "xlsx", "period": "month"},
        check=holds("an export is queued", _queued, status=(303,)),
    ),
    Route("GET", "/admin/stats/exports/{export_desa_a}", frozenset({DESA_A}), check=shows("Unduh")),
    Route(
        "GET",
        "/admin/stats/exports/{export_desa_a}/file",
        frozenset({DESA_A}),
        check=shows("Hari,Sesi"),
    ),
    Route(
        "POST",
        "/api/stats/exports",
        SIGNED_IN,
        json={"format": "csv", "table": "days"},
        check=holds("an export is queued", _queued, status=(202,)),
    ),
    Route("GET", "/api/stats/exports/{export_desa_a}", frozenset({DESA_A}), check=shows("done")),
    Route(
        "GET", "/api/stats/exports/{export_desa_a}/file", frozenset({DESA_A}), check=shows("Hari")
    ),
]
