"""Posted forms, parsed on the event loop and handed to handlers that run in a thread.

Handlers that touch the database or hash a password are plain `def`s: FastAPI runs them in
its thread pool, so one resident's login (argon2, ~0.2 s) or a 200-row import never stalls
every village's portal. Reading the body is the only part that must be `async`; these
dependencies do it, within the limits of `portal.body_limits`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from portal.body_limits import FORM_FIELDS
from portal.nul_bytes import refuse_nul

MAX_UPLOAD = 512 * 1024  # a residents' CSV: 200 rows are far below this


async def plain_form(request: Request) -> dict[str, str]:
    """The text fields of a posted form (no file parts accepted)."""
    form = await request.form(max_files=0, max_fields=FORM_FIELDS)
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    refuse_nul(fields)
    return fields


async def hotspot_fields(request: Request) -> dict[str, str]:
    """What the router's login page sent: a posted form, or the query of a GET."""
    if request.method == "POST":
        return await plain_form(request)
    return dict(request.query_params)  # checked for NUL bytes by portal.nul_bytes


@dataclass(frozen=True)
class Upload:
    """A form with one file part: its text fields and the file's first bytes."""

    fields: dict[str, str]
    data: bytes  # at most MAX_UPLOAD + 1 bytes: one more tells the file is too large
    filename: str


async def upload_form(request: Request) -> Upload:
    """A form with at most one file part, read within MAX_UPLOAD (+1 to tell it is over)."""
    form = await request.form(max_files=1, max_fields=FORM_FIELDS)
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    refuse_nul(fields)
    upload = form.get("file")
    data, name = b"", ""
    if isinstance(upload, UploadFile):
        try:
            if upload.filename:
                data, name = await upload.read(MAX_UPLOAD + 1), upload.filename
        finally:
            await upload.close()
    return Upload(fields, data, name)


PlainForm = Annotated[dict[str, str], Depends(plain_form)]
HotspotFields = Annotated[dict[str, str], Depends(hotspot_fields)]
UploadForm = Annotated[Upload, Depends(upload_form)]
