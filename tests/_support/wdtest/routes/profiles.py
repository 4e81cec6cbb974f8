"""Profiles: everyone reads those they may give out; province and kabupaten admins create;
only the defining kabupaten (or the province) edits. Kutai Kartanegara's profile (kukar) is
usable in villages A and B; Kutai Barat's (kubar) only in village C."""

from __future__ import annotations

from wdtest.admin_world import DESA_A, DESA_B, KAB_OTHER, KAB_OWN, PROVINCE, SIGNED_IN
from wdtest.routes import Route

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

ROUTES = [
    Route("GET", "/admin/profiles", SIGNED_IN),
    Route("GET", "/admin/profiles/new", OVERSEERS),
    Route("POST", "/admin/profiles/new", OVERSEERS, form=NEW),
    Route("GET", "/admin/profiles/{profile_all}", SIGNED_IN),
    Route("GET", "/admin/profiles/{profile_kukar}", READ_KUKAR),
    Route("GET", "/admin/profiles/{profile_kubar}", READ_KUBAR),
    Route("POST", "/admin/profiles/{profile_kukar}", EDIT_KUKAR, form=EDIT),
    Route("GET", "/api/profiles", SIGNED_IN),
    Route("POST", "/api/profiles", OVERSEERS, json={"name": "matrix-api", "rate_limit": "1M/2M"}),
    Route("GET", "/api/profiles/{profile_kukar}", READ_KUKAR),
    Route("GET", "/api/profiles/{profile_kubar}", READ_KUBAR),
    Route("PUT", "/api/profiles/{profile_kukar}", EDIT_KUKAR, json=EDIT_JSON),
]
