"""The export formats the web edge draws itself (beside the core's CSV and XLSX)."""

from __future__ import annotations

from portal.printing.stats_report import monthly_report_pdf
from wifidesa.db.engine import utcnow
from wifidesa.db.models import ExportFormat
from wifidesa.i18n import Gettext
from wifidesa.stats.exports import Progress, Renderer
from wifidesa.stats.report import Report


def _pdf(report: Report, language: str, gettext: Gettext, progress: Progress) -> bytes:
    return monthly_report_pdf(
        report, language=language, gettext=gettext, generated_at=utcnow(), progress=progress
    )


EXPORT_RENDERERS: dict[ExportFormat, Renderer] = {ExportFormat.PDF: _pdf}
