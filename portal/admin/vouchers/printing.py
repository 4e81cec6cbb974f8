"""Printing a voucher batch: HTML print views (A4 sheet, 58 mm strip) and PDFs, each recorded
in the audit log as a print of the batch; large PDFs are drawn by a background job whose
progress page reloads itself until the file is ready.

Cards are for villagers, so what is printed on them is in Bahasa Indonesia whatever language
the admin reads the admin pages in.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from portal.admin.jobs import Job, JobGone, registry_of
from portal.admin.web import Admin, gettext_for, page, signed_in
from portal.database import transaction
from portal.downloads import attachment
from portal.i18n import request_language, translations
from portal.printing.cards import Card, build_cards
from portal.printing.pdf import render_pdf
from wifidesa.errors import ErrorCode, InvalidInput, translate_error
from wifidesa.vouchers import cards as voucher_cards
from wifidesa.vouchers import stock

router = APIRouter(prefix="/admin")
SignedIn = Annotated[Admin, Depends(signed_in)]
Layout = Literal["a4", "strip58"]
CARD_LANGUAGE = "id"
PRINT_PART = 480  # cards in one HTML print view (20 A4 sheets): a browser stays responsive
BACKGROUND_PDF = 500  # PDFs of more cards than this are drawn by a background job


def print_parts(count: int) -> list[tuple[int, int, int]]:
    """(start, first card number, last card number) of each HTML print view of a batch."""
    return [(s, s + 1, min(count, s + PRINT_PART)) for s in range(0, count, PRINT_PART)]


def _cards(
    request: Request, admin: Admin, batch_id: int, layout: Layout, medium: str
) -> tuple[list[Card], str]:
    """The batch's cards (all, or a reprint of the range ?first=&last=) and a title; records
    the print (the admin now holds the codes)."""
    settings = request.app.state.settings
    first = request.query_params.get("first", "")[:40]
    last = request.query_params.get("last", "")[:40]
    with transaction(request) as session:
        scope = admin.scope
        batch = voucher_cards.get_batch(session=session, scope=scope, batch_id=batch_id)
        codes = voucher_cards.batch_codes(
            session=session, scope=scope, batch_id=batch_id, first=first, last=last
        )
        if not codes:
            raise InvalidInput(ErrorCode.NO_CARD_IN_RANGE)
        profile = voucher_cards.batch_profile(session=session, scope=scope, batch_id=batch_id)
        cards = build_cards(
            village=batch.site_name,
            site_code=batch.site_code,
            codes=codes,
            profile=profile,
            public_url=settings.public_url,
            gettext=translations(CARD_LANGUAGE).gettext,
            use_by=batch.use_by,
        )
        stock.record_print(
            session=session,
            scope=scope,
            batch_id=batch_id,
            layout=layout,
            medium=medium,
            codes=codes if first or last else None,
        )
    _ = gettext_for(request)
    title = _("{village}, batch {batch}").format(village=batch.site_name, batch=batch_id)
    return cards, title


@router.get("/vouchers/batches/{batch_id}/print")
def print_view(
    request: Request, admin: SignedIn, batch_id: int, layout: Layout = "a4", start: int = 0
) -> Response:
    try:
        cards, title = _cards(request, admin, batch_id, layout, "html")
    except InvalidInput as exc:
        return _refused(request, admin, exc)
    start = max(0, min(start, len(cards)))
    part = cards[start : start + PRINT_PART]
    if len(part) < len(cards):
        title += f" ({start + 1}-{start + len(part)} / {len(cards)})"
    context = {"cards": part, "title": title, "_": gettext_for(request)}
    response: Response = request.app.state.templates.TemplateResponse(
        request, f"vouchers/{layout}.html", context | {"lang": request_language(request)}
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _pdf_response(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={
            **attachment(filename),
            "Cache-Control": "no-store",
        },
    )


@router.get("/vouchers/batches/{batch_id}/pdf")
def pdf(request: Request, admin: SignedIn, batch_id: int, layout: Layout = "a4") -> Response:
    registry = registry_of(request.app.state)
    try:
        if not registry.has_room():  # asked first: a refused job must not be audited as printed
            raise InvalidInput(ErrorCode.JOBS_BUSY)
        cards, title = _cards(request, admin, batch_id, layout, "pdf")
    except InvalidInput as exc:
        return _refused(request, admin, exc)
    filename = f"vouchers-batch-{batch_id}-{layout}.pdf"
    if len(cards) <= BACKGROUND_PDF:
        return _pdf_response(render_pdf(cards, layout, title), filename)

    def work(job: Job) -> None:
        job.data = render_pdf(cards, layout, title, progress=job.progress)
        job.filename, job.media_type = filename, "application/pdf"

    job = registry.start(kind="pdf", owner_id=admin.id, title=title, total=len(cards), work=work)
    return RedirectResponse(f"/admin/vouchers/jobs/{job.id}", status_code=303)


def _refused(request: Request, admin: Admin, exc: InvalidInput) -> Response:
    _ = gettext_for(request)
    title = _("Nothing to print")
    return page(
        request, "admin/error.html", admin, 400, title=title, detail=translate_error(exc, _)
    )


def _gone(request: Request, admin: Admin) -> Response:
    # 410, not 404: the id may well have existed; jobs are forgotten after an hour or a restart.
    _ = gettext_for(request)
    detail = _("Jobs are kept for an hour and are lost when the service restarts. Start it again.")
    return page(request, "admin/error.html", admin, 410, title=_("This job is gone"), detail=detail)


@router.get("/vouchers/jobs/{job_id}")
def job_page(request: Request, admin: SignedIn, job_id: str) -> Response:
    try:
        job = registry_of(request.app.state).get(job_id, admin.id)
    except JobGone:
        return _gone(request, admin)
    _ = gettext_for(request)
    error = translate_error(job.failure, _) if job.failure else ""
    response = page(request, "admin/vouchers_job.html", admin, job=job, error=error)
    if not job.finished:
        response.headers["Refresh"] = "2"  # as the page's own meta refresh: no JavaScript
    return response


@router.get("/vouchers/jobs/{job_id}/file")
def job_file(request: Request, admin: SignedIn, job_id: str) -> Response:
    try:
        job = registry_of(request.app.state).get(job_id, admin.id)
    except JobGone:
        return _gone(request, admin)
    if job.data is None:
        return RedirectResponse(f"/admin/vouchers/jobs/{job_id}", status_code=303)
    return _pdf_response(job.data, job.filename)
