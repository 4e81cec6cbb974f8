"""Admins managed by the province: the list and each action on another admin."""

from __future__ import annotations

from wdtest.admin_world import ONLY_PROVINCE
from wdtest.routes import Route
from wdtest.routes.checks import audited, shows

TARGET = "kab-other"  # acted on by the province; the others are refused before it matters
AUDITED = {
    "disable": "admins.disable",
    "enable": "admins.enable",
    "password": "admins.password_reset",
    "revoke": "admins.revoke",
}

ROUTES = [
    Route("GET", "/admin/admins", ONLY_PROVINCE, check=shows(TARGET, "desa-a")),
    Route("GET", "/api/admins", ONLY_PROVINCE, check=shows(TARGET, "desa-a")),
    *(
        Route(
            "POST",
            f"/admin/admins/{TARGET}/{action}",
            ONLY_PROVINCE,
            check=audited(entry, status=(200, 303)),
        )
        for action, entry in AUDITED.items()
    ),
    *(
        Route(
            "POST", f"/api/admins/{TARGET}/{action}", ONLY_PROVINCE, json={}, check=audited(entry)
        )
        for action, entry in AUDITED.items()
    ),
]
