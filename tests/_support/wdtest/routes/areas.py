"""The areas' route lists, joined (each area module owns its list)."""

from __future__ import annotations

from wdtest.routes import (
    Route,
    admins,
    alerts,
    audit,
    fleet,
    members,
    profiles,
    sessions,
    sites,
    stats,
    vouchers,
)

AREA_ROUTES: list[Route] = [
    *sessions.ROUTES,
    *sites.ROUTES,
    *audit.ROUTES,
    *members.ROUTES,
    *profiles.ROUTES,
    *vouchers.ROUTES,
    *admins.ROUTES,
    *stats.ROUTES,
    *fleet.ROUTES,
    *alerts.ROUTES,
]
