"""The daily digest: once per local day, from the digest hour on, every enabled channel gets
what its admin's villages went through — routers down now and since when, the outages and
restarts of the last local day, and the villages with the lowest availability that day.

Queued by the `notify` service's loop (controllers.notify.service), which then sends it like
any alert. The dedupe key holds the local date, so each channel gets one digest a day however
often the loop asks and however many notify services run; a channel added later that day
gets that day's digest too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.numbers import format_decimal
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from wifidesa.admin.scope import Scope, scope_of, site_filter
from wifidesa.alerts.outbox import queue
from wifidesa.alerts.texts import SUBJECT_PREFIX, AlertText
from wifidesa.db.models import (
    AdminUser,
    AlertChannel,
    Notification,
    OutageCause,
    Router,
    RouterHealth,
    RouterInterval,
    RouterState,
    Site,
)
from wifidesa.fleet.availability import Availability, router_availability
from wifidesa.i18n import DEFAULT_LANGUAGE, MONTHS, Gettext, format_time, gettext_for, zone_name
from wifidesa.localtime import local_day, local_midnight
from wifidesa.messages import Message, Moment

MAX_LINES = 20  # of each list; the rest is counted
LOWEST = 5  # villages of lowest availability shown

SUBJECT = Message("Daily summary for {date}")
HEADER = Message("WiFi Desa, the routers of your villages on {date} (times in {zone}).")
DOWN_NOW = Message("Down now ({count}):")
NONE_DOWN = Message("No router is down now.")
DOWN_LINE = Message("- {site}, router {router}: since {moment}")
YESTERDAY = Message("Yesterday, {date}: {outages} outage(s), {restarts} restart(s).")
OUTAGE_LINE = Message("- {site}, router {router}: down {start}–{end} ({minutes} minutes)")
OUTAGE_OPEN = Message("- {site}, router {router}: down since {start}")
RESTART_LINE = Message("- {site}, router {router}: restarted at {time}, likely a power cut")
MORE = Message("… and {count} more")
LOWEST_TITLE = Message("Lowest availability yesterday:")
LOWEST_LINE = Message("- {site}: {percent} %")
NO_AVAILABILITY = Message("No availability is known for yesterday.")


def digest_key(day: date) -> str:
    return f"digest:{day.isoformat()}"


@dataclass(frozen=True)
class _Line:
    site: str
    router: str
    start: datetime
    end: datetime | None = None
    cause: OutageCause | None = None


@dataclass(frozen=True)
class Digest:
    """What one scope's digest says, before it is put in words."""

    day: date  # the local day it is sent on; "yesterday" is the day before
    down_now: list[_Line]
    outages: list[_Line]  # the link's, begun yesterday
    restarts: list[_Line]  # power cuts, begun yesterday
    lowest: list[tuple[str, float]]  # (village, percent), lowest first


def build_digest(*, session: Session, scope: Scope, now: datetime, zone: str) -> Digest:
    """What the villages in `scope` went through, for the digest sent at `now`."""
    today = local_day(now, zone)
    yesterday = today - timedelta(days=1)
    start, end = local_midnight(yesterday, zone), local_midnight(today, zone)
    in_scope = site_filter(scope, Router.site_id)
    names = select(Router.id, Router.name, Site.name.label("site")).join(
        Site, Site.id == Router.site_id
    )
    down = [
        _Line(row.site, row.name, row.state_since)
        for row in session.execute(
            names.add_columns(RouterHealth.state_since)
            .join(RouterHealth, RouterHealth.router_id == Router.id)
            .where(
                in_scope,
                RouterHealth.state == RouterState.DOWN,
                RouterHealth.cause != OutageCause.CENTRAL,
            )
            .order_by(RouterHealth.state_since, Site.name, Router.name)
        )
    ]
    outages: list[_Line] = []
    restarts: list[_Line] = []
    for row in session.execute(
        names.add_columns(RouterInterval.started_at, RouterInterval.ended_at, RouterInterval.cause)
        .join(RouterInterval, RouterInterval.router_id == Router.id)
        .where(
            in_scope,
            RouterInterval.state == RouterState.DOWN,
            RouterInterval.cause != OutageCause.CENTRAL,
            and_(RouterInterval.started_at >= start, RouterInterval.started_at < end),
        )
        .order_by(RouterInterval.started_at, Router.name)
    ):
        line = _Line(row.site, row.name, row.started_at, row.ended_at, row.cause)
        (restarts if row.cause is OutageCause.RESTART else outages).append(line)
    return Digest(today, down, outages, restarts, _lowest(session, scope, yesterday, now))


def _lowest(session: Session, scope: Scope, day: date, now: datetime) -> list[tuple[str, float]]:
    routers = session.execute(
        select(Router.id, Site.name.label("site"))
        .join(Site, Site.id == Router.site_id)
        .where(site_filter(scope, Router.site_id))
    ).all()
    figures = router_availability(
        session=session,
        router_ids=[row.id for row in routers],
        first_day=day,
        last_day=day,
        now=now,
    )
    sites: dict[str, Availability] = defaultdict(Availability)
    for row in routers:
        for value in figures.get(row.id, {}).values():
            sites[row.site] += value
    known = [(site, a.percent) for site, a in sites.items() if a.percent is not None]
    ranked = sorted(((p, site) for site, p in known if p is not None))
    return [(site, percent) for percent, site in ranked[:LOWEST]]


def _date(day: date, gettext: Gettext) -> str:
    return f"{day.day} {gettext(MONTHS[day.month - 1])} {day.year}"


def render_digest(digest: Digest, *, zone: str, language: str = DEFAULT_LANGUAGE) -> AlertText:
    """The digest in words, times in `zone`."""
    gettext = gettext_for(language)

    def say(message: Message, **params: object) -> str:
        return Message(message.template, params).render(gettext)

    def time(at: datetime) -> str:
        return format_time(moment=at, zone=zone, gettext=gettext)

    def capped(lines: list[str]) -> list[str]:
        if len(lines) <= MAX_LINES:
            return lines
        return [*lines[:MAX_LINES], say(MORE, count=len(lines) - MAX_LINES)]

    yesterday = digest.day - timedelta(days=1)
    parts = [say(HEADER, date=_date(digest.day, gettext), zone=zone_name(zone)), ""]
    if digest.down_now:
        parts.append(say(DOWN_NOW, count=len(digest.down_now)))
        parts += capped(
            [
                say(DOWN_LINE, site=d.site, router=d.router, moment=Moment(d.start, zone))
                for d in digest.down_now
            ]
        )
    else:
        parts.append(say(NONE_DOWN))
    parts += [
        "",
        say(
            YESTERDAY,
            date=_date(yesterday, gettext),
            outages=len(digest.outages),
            restarts=len(digest.restarts),
        ),
    ]
    lines = []
    for o in digest.outages:
        if o.end is None:
            lines.append(say(OUTAGE_OPEN, site=o.site, router=o.router, start=time(o.start)))
            continue
        minutes = round((o.end - o.start).total_seconds() / 60)
        shown_end = time(o.end) if local_day(o.end, zone) == yesterday else Moment(o.end, zone)
        lines.append(
            say(
                OUTAGE_LINE,
                site=o.site,
                router=o.router,
                start=time(o.start),
                end=shown_end,
                minutes=minutes,
            )
        )
    lines += [
        say(RESTART_LINE, site=r.site, router=r.router, time=time(r.end or r.start))
        for r in digest.restarts
    ]
    parts += capped(lines)
    parts.append("")
    if digest.lowest:
        parts.append(say(LOWEST_TITLE))
        for site, percent in digest.lowest:
            shown = format_decimal(percent, format="#,##0.0", locale=language)
            parts.append(say(LOWEST_LINE, site=site, percent=shown))
    else:
        parts.append(say(NO_AVAILABILITY))
    subject = say(SUBJECT, date=_date(digest.day, gettext))
    return AlertText(
        subject=f"{SUBJECT_PREFIX} {subject}",
        body="\n".join(parts),
        fields={
            "event": "digest",
            "day": digest.day.isoformat(),
            "down_now": len(digest.down_now),
            "outages": len(digest.outages),
            "restarts": len(digest.restarts),
        },
    )


def _scope_key(scope: Scope) -> tuple[object, ...]:
    # Admins whose scopes reach the same villages share one digest.
    if scope.site_ids:
        return (scope.role, scope.region_code, scope.site_ids)
    return (scope.role, scope.region_code)


def queue_digests(*, session: Session, now: datetime, hour: int, zone: str) -> int:
    """Queue today's digest for every enabled channel that has none yet, once the local time
    in `zone` is past `hour`; how many were queued."""
    today = local_day(now, zone)
    if now < local_midnight(today, zone) + timedelta(hours=hour):
        return 0
    key = digest_key(today)
    has_one = select(Notification.channel_id).where(Notification.dedupe_key == key)
    channels = list(
        session.scalars(
            select(AlertChannel)
            .join(AdminUser, AdminUser.id == AlertChannel.admin_id)
            .where(
                AlertChannel.enabled.is_(True),
                AdminUser.is_active.is_(True),
                AlertChannel.id.not_in(has_one),
            )
            .order_by(AlertChannel.id)
        )
    )
    if not channels:
        return 0
    admins = {
        admin.id: admin
        for admin in session.scalars(
            select(AdminUser)
            .where(AdminUser.id.in_({c.admin_id for c in channels}))
            .options(selectinload(AdminUser.sites), selectinload(AdminUser.region))
        )
    }
    by_scope: dict[tuple[object, ...], list[AlertChannel]] = defaultdict(list)
    scopes: dict[tuple[object, ...], Scope] = {}
    for channel in channels:
        scope = scope_of(admins[channel.admin_id])
        by_scope[_scope_key(scope)].append(channel)
        scopes.setdefault(_scope_key(scope), scope)
    queued = 0
    for key_of_scope, group in by_scope.items():
        digest = build_digest(session=session, scope=scopes[key_of_scope], now=now, zone=zone)
        queued += queue(
            session=session,
            text=render_digest(digest, zone=zone),
            dedupe_key=key,
            now=now,
            channels=group,
        )
    return queued
