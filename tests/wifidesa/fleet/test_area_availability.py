"""An area's availability: the sum of its routers', each site's and each next-level area's,
as far as the admin's scope reaches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session
from wdtest.factories import make_admin, make_router, make_site

from tests.wifidesa.fleet.test_availability import DAY1, DOWN, LATER, MIDNIGHT1, UP, store
from wifidesa.admin.scope import OPERATOR, Scope, scope_of
from wifidesa.crypto import SecretBox
from wifidesa.db.models import AdminRole, OutageCause
from wifidesa.errors import NotFound
from wifidesa.fleet.area_availability import AreaAvailability, area_availability


def test_an_area_sums_its_routers_and_a_kabupaten_admin_sees_only_their_kabupaten(
    session: Session, box: SecretBox
) -> None:
    kukar = make_site(session, code="kukar-1", kabupaten="64.03", kecamatan="01")
    berau = make_site(session, code="berau-1", kabupaten="64.05", kecamatan="02")
    start = MIDNIGHT1 + timedelta(hours=10)
    for site, hours in ((kukar, 2), (berau, 4)):
        router = make_router(session, box, site=site)
        store(
            session,
            router,
            (UP, None, MIDNIGHT1, start),
            (DOWN, OutageCause.BACKHAUL, start, start + timedelta(hours=hours)),
            (UP, None, start + timedelta(hours=hours), None),
        )

    def area(scope: Scope, key: str = "") -> AreaAvailability:
        return area_availability(
            session=session, scope=scope, key=key, first_day=DAY1, last_day=DAY1, now=LATER
        )

    province = area(OPERATOR)
    assert province.total[DAY1].outage_seconds == 6 * 3600
    assert province.total[DAY1].percent == pytest.approx(100 * (48 - 6) / 48)
    assert {child.code: periods[DAY1].outage_seconds for child, periods in province.children} == {
        "64.03": 2 * 3600,
        "64.05": 4 * 3600,
    }
    admin = make_admin(
        session=session,
        username="kukar",
        password="kukar-password-1",
        role=AdminRole.KABUPATEN,
        region_code="64.03",
    )
    own = area(scope_of(admin))
    assert (own.area.code, list(own.sites)) == ("64.03", [kukar.id])
    assert own.total[DAY1].outage_seconds == 2 * 3600
    site = area(scope_of(admin), "s:kukar-1")
    assert site.total[DAY1].outage_seconds == 2 * 3600
    for key in ("r:64", "r:64.05", "s:berau-1"):
        with pytest.raises(NotFound):
            area(scope_of(admin), key)
