"""Central-side incidents: when a large share of the fleet fails in the same poll round, our
side failed (the network, the VPN concentrator, the poller's host), not a thousand villages at
once. One incident row and one pair of transitions, however many routers and rounds."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.db.models import FleetIncident, OutageCause, RouterHealth, RouterState
from wifidesa.fleet.samples import Failure, Sample
from wifidesa.fleet.transitions import Transition, TransitionKind

logger = logging.getLogger(__name__)

# Polls that fail for our configuration, not the link: the router's state stays unknown and
# the failure counts neither as an outage nor towards a central-side incident.
CONFIG_FAILURES = frozenset({Failure.NO_ADDRESS, Failure.LOGIN})


def judge_round(samples: Sequence[Sample], health: dict[int, RouterHealth]) -> tuple[int, int]:
    """How many routers failed this round, of how many that tell whether our side failed:
    routers that never answered (not installed yet, a wrong address), polls that fail for
    configuration, and routers already down for a cause of their own say nothing about it
    (counted, a province with a third of its villages down for days would sit in one endless
    incident and hide every new village outage as central)."""
    latest = {sample.router_id: sample for sample in samples}
    judged = [
        sample
        for sample in latest.values()
        if health[sample.router_id].last_answer_at is not None
        and sample.failure not in CONFIG_FAILURES
        and not _down_on_its_own(health[sample.router_id])
    ]
    return sum(1 for sample in judged if not sample.reachable), len(judged)


def _down_on_its_own(health: RouterHealth) -> bool:
    return health.state is RouterState.DOWN and health.cause is not OutageCause.CENTRAL


def keep_incident(
    *, session: Session, central: bool, at: datetime, failing: int, polled: int
) -> list[Transition]:
    """Opens, keeps or ends the one open incident after a round (central or not) at `at`."""
    incident = session.scalar(
        select(FleetIncident).where(FleetIncident.ended_at.is_(None)).limit(1)
    )
    if not central:
        if incident is None:
            return []
        incident.ended_at = max(at, incident.started_at)
        logger.warning("central-side incident %s ended", incident.id)
        return [Transition(kind=TransitionKind.INCIDENT_ENDED, at=at, routers=incident.routers)]
    if incident is None:
        session.add(FleetIncident(started_at=at, routers=failing, polled=polled))
        logger.warning("central-side incident: %d of %d routers failed at once", failing, polled)
        return [Transition(kind=TransitionKind.INCIDENT_STARTED, at=at, routers=failing)]
    if failing > incident.routers:
        incident.routers, incident.polled = failing, polled
    return []
