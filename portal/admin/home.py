"""The admin's start page: their villages at a glance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from portal.admin.web import Admin, page, signed_in
from portal.database import transaction
from wifidesa.admin.overview import site_overview

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]


@router.get("/")
def home(request: Request, admin: SignedIn) -> Response:
    with transaction(request) as session:
        rows = site_overview(session=session, scope=admin.scope)
    return page(request, "admin/home.html", admin, sites=rows)
