"""What a poll round changed, as alerts need it: a router went down, came back or restarted,
or a central-side incident began or ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wifidesa.db.models import OutageCause


class TransitionKind(StrEnum):
    WENT_DOWN = "went_down"
    CAME_BACK = "came_back"
    RESTARTED = "restarted"
    INCIDENT_STARTED = "incident_started"
    INCIDENT_ENDED = "incident_ended"


@dataclass(frozen=True)
class Transition:
    """One change. `at` is when it happened (a router's "down since", the moment it came back
    or started again), not when the round noticed. Routers that go down or come back in a
    central-side incident are no transitions of their own: the incident is one."""

    kind: TransitionKind
    at: datetime
    router_id: int | None = None  # None for an incident
    site_id: int | None = None
    cause: OutageCause | None = None
    since: datetime | None = None  # came back / restarted: when the outage began
    routers: int = 0  # an incident: how many routers failed

    @property
    def outage_seconds(self) -> float | None:
        return None if self.since is None else (self.at - self.since).total_seconds()
