"""Downloads: a header no name can break, and CSV cells no spreadsheet runs as formulas."""

from __future__ import annotations

import csv
import io

from portal.admin.vouchers.pages import csv_text
from portal.downloads import attachment, spreadsheet_cell
from wifidesa.vouchers.cards import VoucherRow
from wifidesa.vouchers.status import VoucherStatus


def test_a_name_with_quotes_or_line_breaks_stays_in_its_header() -> None:
    header = attachment('hotspot-a"b\r\nSet-Cookie: x=1;é.zip')["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="hotspot-a_b_Set-Cookie_x_1_.zip"')
    assert "filename*=UTF-8''hotspot-a%22b%0D%0ASet-Cookie%3A%20x%3D1%3B%C3%A9.zip" in header


def test_cells_that_would_be_formulas_are_shown_as_text() -> None:
    for value in ('=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tx"):
        assert spreadsheet_cell(value) == "'" + value
    assert spreadsheet_cell("Desa Sungai Payang") == "Desa Sungai Payang"
    assert spreadsheet_cell(42) == 42


def test_a_batch_export_with_a_formula_for_a_profile_name_reads_as_text() -> None:
    row = VoucherRow(
        account_id=1,
        code="ABCDE12345",
        site_id=1,
        site_code="desa-a",
        site_name="=cmd|' /C calc'!A0",
        profile='=HYPERLINK("http://evil.example","harian")',
        batch_id=3,
        status=VoucherStatus.UNUSED,
        first_used_at=None,
        expires_at=None,
        distributed_at=None,
    )
    (_header, cells) = list(csv.reader(io.StringIO(csv_text([row]))))
    assert cells[1].startswith("'=") and cells[3].startswith("'=")
