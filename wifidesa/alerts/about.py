"""The routers alerts speak of (name, village, zone), and queueing an event about one to the
admins whose scope reaches its village."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.alerts.outbox import queue
from wifidesa.alerts.recipients import Recipients
from wifidesa.alerts.texts import EventKind, FleetEvent, render_event
from wifidesa.db.models import Router, Site


@dataclass(frozen=True)
class AboutRouter:
    router_id: int
    router_name: str
    site_id: int
    site_name: str
    zone: str

    def event(self, kind: EventKind, at: datetime, **details: Any) -> FleetEvent:
        return FleetEvent(
            kind,
            at,
            site_name=self.site_name,
            router_name=self.router_name,
            zone=self.zone,
            **details,
        )


def about_routers(session: Session, ids: Iterable[int]) -> dict[int, AboutRouter]:
    """Each router's name and village (routers deleted meanwhile are left out)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Router.id, Router.name, Router.site_id, Site.name.label("site"), Site.timezone)
        .join(Site, Site.id == Router.site_id)
        .where(Router.id.in_(wanted))
    )
    return {
        row.id: AboutRouter(row.id, row.name, row.site_id, row.site, row.timezone) for row in rows
    }


def tell(
    session: Session,
    about: AboutRouter,
    event: FleetEvent,
    *,
    key: str,
    now: datetime,
    heard: Recipients,
) -> int:
    """Queue `event` for the admins who hear of the router's village (`heard`: the round's
    recipients); how many rows are new. `key` names the event (the same key queued again adds
    nothing)."""
    return queue(
        session=session,
        text=render_event(event),
        dedupe_key=key,
        now=now,
        channels=heard.of_site(about.site_id),
    )


def stamp(at: datetime) -> str:
    """A moment as dedupe keys hold it: to the second, UTC."""
    return at.strftime("%Y%m%dT%H%M%S")
