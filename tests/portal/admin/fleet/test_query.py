"""The fleet listing's address: filters read from plain parameters, links that keep them,
pages of fifty."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.admin.fleet.query import BadQuery, FleetQuery, page_of
from wifidesa.db.models import RouterState
from wifidesa.fleet.health import FleetFilter


def test_filters_come_from_the_address() -> None:
    asked = FleetQuery(state="down", down_hours="24", restarted=True, older=" 7.15 ")
    assert asked.filters() == FleetFilter(
        down_longer_than=timedelta(hours=24),
        restarted_today=True,
        older_than="7.15",
        state=RouterState.DOWN,
        configured=True,
    )
    assert FleetQuery(state="not_configured").filters() == FleetFilter(configured=False)
    for bad in (
        FleetQuery(state="sideways"),
        FleetQuery(sort="colour"),
        FleetQuery(down_hours="x"),
    ):
        with pytest.raises(BadQuery):
            bad.filters()


def test_links_keep_the_filters_and_a_new_sort_starts_at_page_one() -> None:
    asked = FleetQuery(area="r:64.03", state="down", sort="cpu", page=3)
    assert asked.sort_link("cpu") == "/admin/fleet?area=r%3A64.03&state=down&sort=cpu&desc=1"
    assert asked.sort_link("name") == "/admin/fleet?area=r%3A64.03&state=down"
    assert asked.link(page=4).endswith("&sort=cpu&page=4")


def test_a_thousand_routers_come_in_pages_of_fifty() -> None:
    rows = list(range(1000))
    first, page, pages = page_of(rows, 1)
    assert (first, page, pages) == (list(range(50)), 1, 20)
    last, page, _ = page_of(rows, 99)  # past the end: the last page
    assert (last[-1], page) == (999, 20)
    assert page_of([], 1) == ([], 1, 1)
