"""The RouterOS double in tests: the API password its routers use."""

from __future__ import annotations

PASSWORD = "rahasia-desa-42"
