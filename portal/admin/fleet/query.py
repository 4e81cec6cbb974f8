"""The fleet listing's address, read and written: filters, sort and page as plain GET
parameters (links and forms, no JavaScript), for the page and the JSON API alike."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TypeVar
from urllib.parse import urlencode

from wifidesa.db.models import RouterState
from wifidesa.fleet.health import FleetFilter, FleetSort

NOT_CONFIGURED = "not_configured"  # a state choice of the page: no API address or user
STATES = (RouterState.DOWN.value, RouterState.UP.value, RouterState.UNKNOWN.value, NOT_CONFIGURED)
PER_PAGE = 50
T = TypeVar("T")
LONGEST_DOWN_HOURS = 24 * 366


class BadQuery(ValueError):
    """A filter the listing cannot apply (an unknown state or sort, hours that are no
    number); the field's name is the message."""


@dataclass(frozen=True)
class FleetQuery:
    area: str = ""
    state: str = ""
    down_hours: str = ""  # down for more than this many hours
    restarted: bool = False  # restarted today
    older: str = ""  # RouterOS older than this
    sort: str = FleetSort.NAME.value
    desc: bool = False
    page: int = 1

    def filters(self) -> FleetFilter:
        if self.state and self.state not in STATES:
            raise BadQuery("state")
        if self.sort not in {s.value for s in FleetSort}:
            raise BadQuery("sort")
        down = None
        if self.down_hours.strip():
            try:
                hours = float(self.down_hours)
            except ValueError:
                raise BadQuery("down_hours") from None
            if not 0 <= hours <= LONGEST_DOWN_HOURS:
                raise BadQuery("down_hours")
            down = timedelta(hours=hours)
        state = RouterState(self.state) if self.state in set(RouterState) else None
        return FleetFilter(
            down_longer_than=down,
            restarted_today=self.restarted,
            older_than=self.older.strip()[:32] or None,
            state=state,
            configured=False if self.state == NOT_CONFIGURED else (True if state else None),
        )

    @property
    def sort_key(self) -> FleetSort:
        return FleetSort(self.sort)

    def fields(self) -> dict[str, str]:
        """The address's parameters, defaults left out."""
        values = {
            "area": self.area,
            "state": self.state,
            "down_hours": self.down_hours,
            "restarted": "1" if self.restarted else "",
            "older": self.older,
            "sort": "" if self.sort == FleetSort.NAME.value else self.sort,
            "desc": "1" if self.desc else "",
            "page": "" if self.page == 1 else str(self.page),
        }
        return {key: value for key, value in values.items() if value}

    def link(self, **changes: object) -> str:
        """The listing's address with some parameters changed (a new filter or sort starts
        at page 1)."""
        changed = replace(self, **changes)  # type: ignore[arg-type]
        if "page" not in changes:
            changed = replace(changed, page=1)
        return "/admin/fleet?" + urlencode(changed.fields())

    def sort_link(self, key: str) -> str:
        """Sorting by `key`; by it again turns the order round."""
        return self.link(sort=key, desc=self.sort == key and not self.desc)


def page_of(rows: list[T], page: int, per_page: int = PER_PAGE) -> tuple[list[T], int, int]:
    """The rows of one page, the page (held within range) and the number of pages."""
    pages = max((len(rows) + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    return rows[(page - 1) * per_page : page * per_page], page, pages
