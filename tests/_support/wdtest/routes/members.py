"""Residents: everyone signed in lists their own; village A's resident only by who reaches A."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from wdtest.admin_world import REACH_A, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import Call, Check, all_of, audited, form, holds, shows, shows_own
from wifidesa.db.models import Account, AccountDevice, AccountStatus, Member

# The second allowed actor finds the username taken (400): an answer too.
NEW = {"username": "matrix-new", "password": "rahasia-matrix"}
CSV = "username,password\nmatrix-imp,rahasia-matrix\n"
MEMBER_A = "/admin/members/{member_a}"
API_A = "/api/members/{member_a}"


def _member_in_a(username: str) -> Callable[[Session, Call], bool]:
    def added(session: Session, call: Call) -> bool:
        query = select(Account.site_id).join(Member).where(Member.username == username)
        return session.scalar(query) == call.id("site_a")

    return added


def _resident_a(session: Session, call: Call) -> Account:
    account = session.get(Account, call.id("member_a"))
    assert account is not None
    return account


def _active(session: Session, call: Call) -> bool:
    return _resident_a(session, call).status is AccountStatus.ACTIVE


def _on_kukar(session: Session, call: Call) -> bool:
    return _resident_a(session, call).profile_id == call.id("profile_kukar")


def _device_forgotten(session: Session, call: Call) -> bool:
    device = session.get(AccountDevice, call.id("device_a"))
    return device is not None and device.remembered_until is None


def _added(username: str, *, status: tuple[int, ...]) -> Check:
    return holds(f"village A has resident {username}", _member_in_a(username), status=status)


# Enabling an active resident is refused on its merits, and she stays active.
STAYS_ACTIVE = "resident A stays active"
ON_KUKAR = all_of(
    audited("members.profile", status=(200, 303)),
    holds("resident A is on kukar", _on_kukar, status=(200, 303)),
)
DISABLED = audited("members.disable", status=(200, 303))
FORGOTTEN = all_of(
    audited("members.forget_device", status=(200, 204, 303)),
    holds("resident A's device is forgotten", _device_forgotten, status=(200, 204, 303)),
)

ROUTES = [
    Route("GET", "/admin/members", SIGNED_IN, check=shows_own("username")),
    Route("GET", "/admin/members?site={site_code_a}", REACH_A, check=shows("{username_a}")),
    Route("GET", "/admin/members/new", SIGNED_IN, check=form("username", "password")),
    Route(
        "POST",
        "/admin/members/new",
        REACH_A,
        form={"site": "{site_a}", "profile": "{profile_all}"} | NEW,
        check=_added(NEW["username"], status=(200, 400)),
    ),
    Route("GET", "/admin/members/import", SIGNED_IN, check=form("csv")),
    Route(
        "POST",
        "/admin/members/import",
        REACH_A,
        form={"site": "{site_a}", "profile": "{profile_all}", "csv": CSV},
        check=_added("matrix-imp", status=(200, 400)),
    ),
    Route("GET", MEMBER_A, REACH_A, check=shows("{username_a}")),
    Route(
        "POST",
        MEMBER_A + "/password",
        REACH_A,
        form={"password": "rahasia-baru-1"},
        check=audited("members.password"),
    ),
    Route("POST", MEMBER_A + "/disable", REACH_A, destructive=True, check=DISABLED),
    # Village A's resident is active: enabling is refused with 400, which is an answer.
    Route("POST", MEMBER_A + "/enable", REACH_A, check=holds(STAYS_ACTIVE, _active, status=(400,))),
    Route(
        "POST", MEMBER_A + "/profile", REACH_A, form={"profile": "{profile_kukar}"}, check=ON_KUKAR
    ),
    Route(
        "POST", MEMBER_A + "/devices/{device_a}/remove", REACH_A, destructive=True, check=FORGOTTEN
    ),
    Route("GET", "/api/members", SIGNED_IN, check=shows_own("username")),
    Route("GET", "/api/members?site_id={site_a}", REACH_A, check=shows("{username_a}")),
    Route("GET", "/api/members?site={site_code_a}", REACH_A, check=shows("{username_a}")),
    Route(
        "POST",
        "/api/members",
        REACH_A,
        json={"site_id": "{site_a}", "profile_id": "{profile_all}", "username": "matrix-api"},
        check=_added("matrix-api", status=(201, 409)),
    ),
    Route(
        "POST",
        "/api/members/import",
        REACH_A,
        json={"site_id": "{site_a}", "profile_id": "{profile_all}", "csv": CSV},
        check=_added("matrix-imp", status=(200, 201, 422)),
    ),
    Route("GET", API_A, REACH_A, check=shows("{username_a}")),
    Route("POST", API_A + "/password", REACH_A, json={}, check=audited("members.password")),
    Route("POST", API_A + "/disable", REACH_A, json={}, destructive=True, check=DISABLED),
    Route(
        "POST",
        API_A + "/enable",
        REACH_A,
        json={},
        check=holds(STAYS_ACTIVE, _active, status=(422,)),
    ),
    Route(
        "POST",
        API_A + "/profile",
        REACH_A,
        json={"profile_id": "{profile_kukar}"},
        check=ON_KUKAR,
    ),
    Route("DELETE", API_A + "/devices/{device_a}", REACH_A, destructive=True, check=FORGOTTEN),
    Route(
        "POST",
        API_A + "/devices/{device_a}/remove",
        REACH_A,
        json={},
        destructive=True,
        check=FORGOTTEN,
    ),
]
