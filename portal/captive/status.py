"""The villager's status page: package, data and time left, for the device online with it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from portal.captive.routes import gettext_of, portal_page
from portal.database import reads
from wifidesa.access.status import villager_status
from wifidesa.db.engine import utcnow
from wifidesa.db.models import Router
from wifidesa.i18n import format_moment
from wifidesa.places.routers import hotspot_url
from wifidesa.units import format_duration, format_size

router = APIRouter()


@router.get("/portal/status", response_class=HTMLResponse)
def status(request: Request, username: str = "", router: str = "", mac: str = "") -> Response:
    """After login the router sends the villager here: package, data and time left."""
    now = utcnow()
    with reads(request)() as session:
        state = villager_status(
            session=session, username=username[:64], mac=mac[:32], router_name=router[:64], now=now
        )
        router_row = session.scalar(select(Router).where(Router.name == router[:64]))
    if state is None:
        return portal_page(
            request,
            "portal/message.html",
            404,
            message=gettext_of(request)("No package found for this login."),
        )
    quota = state.quota
    _ = gettext_of(request)

    def moment(at: datetime | None) -> str:
        if at is None:  # a total quota: used up for good
            return str(_("never"))
        return format_moment(moment=at, zone=state.zone, gettext=_)

    return portal_page(
        request,
        "portal/status.html",
        state=state,
        username=username,
        data_left=format_size(quota.bytes_left) if quota and quota.bytes_left is not None else None,
        time_left=format_duration(quota.seconds_left)
        if quota and quota.seconds_left is not None
        else None,
        resets=moment(quota.resets_at) if quota and quota.over else None,
        expires=moment(state.expires_at) if state.expires_at else None,
        logout=hotspot_url(router_row, "logout") if router_row else None,
    )
