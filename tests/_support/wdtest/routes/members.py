"""Residents: everyone signed in lists their own; village A's resident only by who reaches A."""

from __future__ import annotations

from wdtest.admin_world import REACH_A, SIGNED_IN
from wdtest.routes import Route

# The second allowed actor finds the username taken (400): an answer too.
NEW = {"username": "matrix-new", "password": "rahasia-matrix"}
CSV = "username,password\nmatrix-imp,rahasia-matrix\n"
MEMBER_A = "/admin/members/{member_a}"
API_A = "/api/members/{member_a}"

ROUTES = [
    Route("GET", "/admin/members", SIGNED_IN),
    Route("GET", "/admin/members?site={site_code_a}", REACH_A),
    Route("GET", "/admin/members/new", SIGNED_IN),
    Route(
        "POST",
        "/admin/members/new",
        REACH_A,
        form={"site": "{site_a}", "profile": "{profile_all}"} | NEW,
    ),
    Route("GET", "/admin/members/import", SIGNED_IN),
    Route(
        "POST",
        "/admin/members/import",
        REACH_A,
        form={"site": "{site_a}", "profile": "{profile_all}", "csv": CSV},
    ),
    Route("GET", MEMBER_A, REACH_A),
    Route("POST", MEMBER_A + "/password", REACH_A, form={"password": "rahasia-baru-1"}),
    Route("POST", MEMBER_A + "/disable", REACH_A, destructive=True),
    # Village A's resident is active: enabling is refused with 400, which is an answer.
    Route("POST", MEMBER_A + "/enable", REACH_A),
    Route("POST", MEMBER_A + "/profile", REACH_A, form={"profile": "{profile_kukar}"}),
    Route("POST", MEMBER_A + "/devices/{device_a}/remove", REACH_A, destructive=True),
    Route("GET", "/api/members", SIGNED_IN),
    Route("GET", "/api/members?site_id={site_a}", REACH_A),
    Route("GET", "/api/members?site={site_code_a}", REACH_A),
    Route(
        "POST",
        "/api/members",
        REACH_A,
        json={"site_id": "{site_a}", "profile_id": "{profile_all}", "username": "matrix-api"},
    ),
    Route(
        "POST",
        "/api/members/import",
        REACH_A,
        json={"site_id": "{site_a}", "profile_id": "{profile_all}", "csv": CSV},
    ),
    Route("GET", API_A, REACH_A),
    Route("POST", API_A + "/password", REACH_A, json={}),
    Route("POST", API_A + "/disable", REACH_A, json={}, destructive=True),
    Route("POST", API_A + "/enable", REACH_A, json={}),
    Route("POST", API_A + "/profile", REACH_A, json={"profile_id": "{profile_kukar}"}),
    Route("DELETE", API_A + "/devices/{device_a}", REACH_A, destructive=True),
    Route("POST", API_A + "/devices/{device_a}/remove", REACH_A, json={}, destructive=True),
]
