"""The voucher JSON API: the same core calls and scope as the voucher pages.

Villages are named by site code and profiles by name (both unique), so a script need not look
ids up first; batches and vouchers by id. Errors come as {"detail": ...}: 404 for anything
outside the caller's villages, 422 for invalid input.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from portal.admin.api_auth import api_caller
from portal.admin.vouchers.pages import csv_response, site_id_for
from portal.admin.web import Admin
from portal.database import transaction
from wifidesa.admin.scope import require_site_code
from wifidesa.db.engine import utcnow
from wifidesa.db.models import AccountStatus
from wifidesa.errors import InvalidInput
from wifidesa.profiles.operations import require_profile_named
from wifidesa.vouchers import cards, stock
from wifidesa.vouchers.cards import MAX_PAGE, BatchRow, VoucherFilter, VoucherRow
from wifidesa.vouchers.codes import MAX_BATCH, MAX_PREFIX
from wifidesa.vouchers.status import VoucherStatus

api = APIRouter(prefix="/api/vouchers", tags=["vouchers"])
Caller = Annotated[Admin, Depends(api_caller)]


class VoucherOut(BaseModel):
    account_id: int
    code: str
    site: str
    village: str
    profile: str
    batch_id: int
    status: VoucherStatus
    first_used_at: datetime | None
    expires_at: datetime | None
    distributed_at: datetime | None

    @classmethod
    def of(cls, row: VoucherRow) -> VoucherOut:
        return cls(
            account_id=row.account_id,
            code=row.code,
            site=row.site_code,
            village=row.site_name,
            profile=row.profile,
            batch_id=row.batch_id,
            status=row.status,
            first_used_at=row.first_used_at,
            expires_at=row.expires_at,
            distributed_at=row.distributed_at,
        )


class VoucherList(BaseModel):
    items: list[VoucherOut]
    total: int
    limit: int
    offset: int


class BatchOut(BaseModel):
    id: int
    site: str
    village: str
    profile: str
    count: int
    prefix: str
    note: str
    created_at: datetime
    created_by: str | None
    distributed: int
    used: int
    revoked: int
    use_by: date | None = Field(
        default=None, description="the last day the cards can be used (the village's time)"
    )

    @classmethod
    def of(cls, row: BatchRow) -> BatchOut:
        return cls(
            id=row.id,
            site=row.site_code,
            village=row.site_name,
            profile=row.profile,
            count=row.count,
            prefix=row.prefix,
            note=row.note,
            created_at=row.created_at,
            created_by=row.created_by,
            distributed=row.distributed,
            used=row.used,
            revoked=row.revoked,
            use_by=row.use_by,
        )


class BatchList(BaseModel):
    items: list[BatchOut]
    total: int
    limit: int
    offset: int


class NewBatch(BaseModel):
    site: str = Field(description="site code of the village")
    profile: str = Field(description="profile (paket) name")
    count: int = Field(ge=1, le=MAX_BATCH)
    prefix: str = Field(default="", max_length=MAX_PREFIX)
    note: str = Field(default="", max_length=255)
    use_by: date | None = Field(
        default=None,
        description="optional YYYY-MM-DD: the cards cannot be used after this day (the "
        "village's local time); the profile's validity still runs from first use, never past it",
    )


class BatchCreated(BaseModel):
    batch: BatchOut
    codes: list[str]


class RevokeOut(BaseModel):
    account_id: int
    status: AccountStatus
    disconnects_queued: int


class DistributedIn(BaseModel):
    first_code: str
    last_code: str


class DistributedOut(BaseModel):
    batch_id: int
    marked: int = Field(description="cards newly marked as handed out")


def _invalid(exc: InvalidInput) -> HTTPException:
    return HTTPException(status_code=422, detail=str(exc))


@api.get("", response_model=VoucherList)
def list_vouchers(
    request: Request,
    caller: Caller,
    site: str = "",
    status: VoucherStatus | None = None,
    batch: int | None = None,
    q: str = Query(default="", max_length=40),
    limit: int = Query(default=50, ge=1, le=MAX_PAGE),
    offset: int = Query(default=0, ge=0),
) -> VoucherList:
    """Vouchers of the caller's villages, filtered; `q` matches the start of a code."""
    with transaction(request) as session:
        site_id = site_id_for(session, caller.scope, site)
        found = cards.list_vouchers(
            session=session,
            scope=caller.scope,
            filters=VoucherFilter(site_id=site_id, status=status, batch_id=batch, search=q),
            now=utcnow(),
            limit=limit,
            offset=offset,
        )
    items = [VoucherOut.of(row) for row in found.rows]
    return VoucherList(items=items, total=found.total, limit=limit, offset=offset)


@api.post("/batches", response_model=BatchCreated, status_code=201)
def create_batch(request: Request, caller: Caller, body: NewBatch) -> BatchCreated:
    """Generate a batch (synchronously, up to MAX_BATCH cards); returns it with its codes."""
    try:
        with transaction(request) as session:
            site = require_site_code(session=session, scope=caller.scope, code=body.site)
            profile = require_profile_named(session=session, scope=caller.scope, name=body.profile)
            batch, codes = stock.generate(
                session=session,
                scope=caller.scope,
                site_id=site.id,
                profile_id=profile.id,
                count=body.count,
                prefix=body.prefix,
                note=body.note,
                use_by=body.use_by,
            )
            row = cards.get_batch(session=session, scope=caller.scope, batch_id=batch.id)
    except InvalidInput as exc:
        raise _invalid(exc) from None
    return BatchCreated(batch=BatchOut.of(row), codes=codes)


@api.get("/batches", response_model=BatchList)
def list_batches(
    request: Request,
    caller: Caller,
    site: str = "",
    limit: int = Query(default=50, ge=1, le=MAX_PAGE),
    offset: int = Query(default=0, ge=0),
) -> BatchList:
    with transaction(request) as session:
        site_id = site_id_for(session, caller.scope, site)
        found = cards.list_batches(
            session=session, scope=caller.scope, site_id=site_id, limit=limit, offset=offset
        )
    items = [BatchOut.of(row) for row in found.rows]
    return BatchList(items=items, total=found.total, limit=limit, offset=offset)


@api.get("/batches/{batch_id}", response_model=BatchOut)
def get_batch(request: Request, caller: Caller, batch_id: int) -> BatchOut:
    with transaction(request) as session:
        row = cards.get_batch(session=session, scope=caller.scope, batch_id=batch_id)
    return BatchOut.of(row)


@api.get("/batches/{batch_id}/csv", response_class=Response)
def batch_csv(request: Request, caller: Caller, batch_id: int) -> Response:
    """The batch's cards as CSV (recorded in the audit log: the codes leave the system)."""
    return csv_response(request, caller, batch_id)


@api.post("/batches/{batch_id}/distributed", response_model=DistributedOut)
def distributed(
    request: Request, caller: Caller, batch_id: int, body: DistributedIn
) -> DistributedOut:
    """Mark the cards from `first_code` to `last_code` (code order) as handed out."""
    try:
        with transaction(request) as session:
            marked = stock.mark_distributed(
                session=session,
                scope=caller.scope,
                batch_id=batch_id,
                first_code=body.first_code,
                last_code=body.last_code,
                now=utcnow(),
            )
    except InvalidInput as exc:
        raise _invalid(exc) from None
    return DistributedOut(batch_id=batch_id, marked=marked)


@api.post("/{account_id}/revoke", response_model=RevokeOut)
def revoke(request: Request, caller: Caller, account_id: int) -> RevokeOut:
    """Revoke a voucher; its live sessions are disconnected (queued for the RADIUS service)."""
    with transaction(request) as session:
        queued = stock.revoke(
            session=session, scope=caller.scope, account_id=account_id, now=utcnow()
        )
    return RevokeOut(account_id=account_id, status=AccountStatus.REVOKED, disconnects_queued=queued)
