"""Profiles: everyone reads those they may give out; province and kabupaten admins create;
only the defining kabupaten (or the province) edits. Kutai Kartanegara's profile (kukar) is
usable in villages A and B; Kutai Barat's (kubar) only in village C."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from wdtest.admin_world import DESA_A, DESA_B, KAB_OTHER, KAB_OWN, PROVINCE, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import Call, all_of, audited, form, holds, shows
from wifidesa.db.models import Profile

OVERSEERS = frozenset({KAB_OWN, KAB_OTHER, PROVINCE})
READ_KUKAR = frozenset({DESA_A, DESA_B, KAB_OWN, PROVINCE})
READ_KUBAR = frozenset({KAB_OTHER, PROVINCE})
EDIT_KUKAR = frozenset({KAB_OWN, PROVINCE})

# The second allowed actor finds the name taken (400): an answer too.
NEW = {"name": "matrix-profile", "rate_limit": "1M/2M", "day_data": "1G"}
EDIT = {
    "name": "kukar",
    "description": "Paket Kutai Kartanegara",
    "rate_limit": "1M/4M",
    "session_timeout": "2h",
    "day_data": "1G",
    "month_time": "100h",
    "after_quota": "throttle",
    "throttle_rate_limit": "128k/256k",
    "devices_at_once": "2",
    "remember_device_days": "7",
}
EDIT_JSON = {
    "name": "kukar",
    "rate_limit": "1M/4M",
    "session_timeout": "2h",
    "quotas": [{"period": "day", "data_bytes": "1G"}],
}

# The regional profiles each actor may give out (everyone may give out "umum").
REGIONAL = {DESA_A: ("kukar",), DESA_B: ("kukar",), KAB_OWN: ("kukar",), KAB_OTHER: ("kubar",)}
REGIONAL[PROVINCE] = ("kukar", "kubar")


def _lists_own_profiles(call: Call) -> None:
    shows(*REGIONAL[call.actor])(call)


def _named(name: str) -> Callable[[Session, Call], bool]:
    def exists(session: Session, call: Call) -> bool:
        return session.scalar(select(Profile.id).where(Profile.name == name)) is not None

    return exists


def _kukar_edited(session: Session, call: Call) -> bool:
    kukar = session.get(Profile, call.id("profile_kukar"))
    return kukar is not None and kukar.rate_limit == EDIT["rate_limit"]


EDITED = all_of(
    audited("profiles.edit"), holds("kukar has the new rate", _kukar_edited, status=(200, 303))
)

ROUTES = [
    Route("GET", "/admin/profiles", SIGNED_IN, check=_lists_own_profiles),
    Route("GET", "/admin/profiles/new", OVERSEERS, check=form("name", "rate_limit")),
    Route(
        "POST",
        "/admin/profiles/new",
        OVERSEERS,
        form=NEW,
        check=holds("profile matrix-profile exists", _named(NEW["name"]), status=(303, 400)),
    ),
    Route("GET", "/admin/profiles/{profile_all}", SIGNED_IN, check=shows('value="umum"')),
    Route("GET", "/admin/profiles/{profile_kukar}", READ_KUKAR, check=shows('value="kukar"')),
    Route("GET", "/admin/profiles/{profile_kubar}", READ_KUBAR, check=shows('value="kubar"')),
    Route("POST", "/admin/profiles/{profile_kukar}", EDIT_KUKAR, form=EDIT, check=EDITED),
    Route("GET", "/api/profiles", SIGNED_IN, check=_lists_own_profiles),
    Route(
        "POST",
        "/api/profiles",
        OVERSEERS,
        json={"name": "matrix-api", "rate_limit": "1M/2M"},
        check=holds("profile matrix-api exists", _named("matrix-api"), status=(201, 409)),
    ),
    Route("GET", "/api/profiles/{profile_kukar}", READ_KUKAR, check=shows('"name":"kukar"')),
    Route("GET", "/api/profiles/{profile_kubar}", READ_KUBAR, check=shows('"name":"kubar"')),
    Route("PUT", "/api/profiles/{profile_kukar}", EDIT_KUKAR, json=EDIT_JSON, check=EDITED),
]
