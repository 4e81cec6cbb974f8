"""The export formats the web edge draws itself (beside the core's CSV and XLSX)."""

from __future__ import annotations

from wifidesa.db.models import ExportFormat
from wifidesa.stats.exports import Renderer

EXPORT_RENDERERS: dict[ExportFormat, Renderer] = {}
