"""Files the admin pages hand out: a safe Content-Disposition, cells a spreadsheet will not run.

A router's or village's name ends up in a file name, and profile and village names in CSV
cells. A spreadsheet treats a cell starting with = + - @ (or a tab or carriage return) as a
formula ("=HYPERLINK(...)"): such cells get a leading apostrophe, which spreadsheets show as
text (OWASP's CSV injection advice).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from wifidesa.stats.sheets import neutralise_formula

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def attachment(filename: str) -> dict[str, str]:
    """The Content-Disposition header of a download: a plain ASCII name for every browser, and
    the full name UTF-8-encoded for those that read it (RFC 6266)."""
    plain = _UNSAFE_NAME.sub("_", filename).strip("._") or "download"
    encoded = quote(filename, safe="")
    return {"Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}"}


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as the text it is, never as a formula."""
    return neutralise_formula(value) if isinstance(value, str) else value
