"""The words of an alert: a neutral fleet event rendered into a subject and a body, in the
recipient's language (Bahasa Indonesia unless told otherwise), times in the site's zone (WITA
for Kaltim). The rules that decide which events become alerts call `render_event`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wifidesa.i18n import DEFAULT_LANGUAGE, gettext_for
from wifidesa.messages import Message, Moment
from wifidesa.settings import DEFAULT_TIMEZONE

SUBJECT_PREFIX = "[WiFi Desa]"


class EventKind(StrEnum):
    DOWN = "down"  # a router stopped answering (for longer than the rules' threshold)
    UP = "up"  # it answers again
    RESTARTED = "restarted"  # its uptime went back: likely a power cut
    CENTRAL_DOWN = "central_down"  # much of the fleet failed at once: our side, likely
    CENTRAL_UP = "central_up"
    FLAPPING = "flapping"  # down and up too often: one alert, then quiet until it is stable
    STABLE_UP = "stable_up"  # it stopped flapping, up
    STABLE_DOWN = "stable_down"  # it stopped flapping, down


@dataclass(frozen=True)
class FleetEvent:
    """What happened, to which router of which village, when (UTC)."""

    kind: EventKind
    at: datetime
    site_name: str = ""  # empty for the central events
    router_name: str = ""
    minutes_down: int | None = None  # down: so far; up, restarted: how long it was away
    zone: str = DEFAULT_TIMEZONE  # the site's, for the time shown
    restarted: bool = False  # up: it came back by starting again (a power cut, likely)
    changes: int | None = None  # flapping: how many state changes
    window_minutes: int | None = None  # flapping: within how long
    quiet_minutes: int | None = None  # flapping: how long it must keep a state to be stable


@dataclass(frozen=True)
class AlertText:
    """A rendered alert: what every channel sends, and the event's fields for webhooks."""

    subject: str
    body: str
    fields: dict[str, str | int | None]


SUBJECTS = {
    EventKind.DOWN: Message("{site}: router {router} is down"),
    EventKind.UP: Message("{site}: router {router} is back up"),
    EventKind.RESTARTED: Message("{site}: router {router} restarted"),
    EventKind.CENTRAL_DOWN: Message("Many routers unreachable at once"),
    EventKind.CENTRAL_UP: Message("Routers reachable again"),
    EventKind.FLAPPING: Message("{site}: router {router} keeps going down and up"),
    EventKind.STABLE_UP: Message("{site}: router {router} is stable again"),
    EventKind.STABLE_DOWN: Message("{site}: router {router} stays down"),
}
BODIES = {
    EventKind.DOWN: Message(
        "Router {router} in {site} has not answered since {moment} ({minutes} minutes)."
    ),
    EventKind.UP: Message(
        "Router {router} in {site} answers again since {moment}, after {minutes} minutes down."
    ),
    EventKind.RESTARTED: Message(
        "Router {router} in {site} restarted at {moment}; likely a power cut."
    ),
    EventKind.CENTRAL_DOWN: Message(
        "Since {moment} many routers fail to answer at once: likely a problem at the central "
        "side (server, network, VPN), not in the villages. One alert for them all."
    ),
    EventKind.CENTRAL_UP: Message(
        "Since {moment} the routers answer again, after {minutes} minutes."
    ),
    EventKind.FLAPPING: Message(
        "Router {router} in {site} changed state {changes} times within {window} minutes, "
        "the last at {moment}. No alert about it until it has kept one state for {quiet} "
        "minutes."
    ),
    EventKind.STABLE_UP: Message(
        "Router {router} in {site} has answered without a break since {moment}."
    ),
    EventKind.STABLE_DOWN: Message(
        "Router {router} in {site} stopped flapping and has not answered since {moment} "
        "({minutes} minutes)."
    ),
}
# Where the event says more: how long a restarted router was away, and a router back up
# because it started again.
RESTARTED_AFTER = Message(
    "Router {router} in {site} restarted at {moment}, after about {minutes} minutes away; "
    "likely a power cut."
)
UP_RESTARTED = Message(
    "Router {router} in {site} answers again: it restarted at {moment}, after {minutes} "
    "minutes down; likely a power cut."
)


def _body(event: FleetEvent) -> Message:
    if event.kind is EventKind.RESTARTED and event.minutes_down is not None:
        return RESTARTED_AFTER
    if event.kind is EventKind.UP and event.restarted:
        return UP_RESTARTED
    return BODIES[event.kind]


def render_event(event: FleetEvent, *, language: str = DEFAULT_LANGUAGE) -> AlertText:
    """The alert's subject and body in `language` (an unknown one: Bahasa Indonesia)."""
    gettext = gettext_for(language)
    params = {
        "site": event.site_name,
        "router": event.router_name,
        "moment": Moment(event.at, event.zone),
        "minutes": event.minutes_down if event.minutes_down is not None else "?",
        "changes": event.changes,
        "window": event.window_minutes,
        "quiet": event.quiet_minutes,
    }
    subject = Message(SUBJECTS[event.kind].template, params).render(gettext)
    body = Message(_body(event).template, params).render(gettext)
    fields: dict[str, str | int | None] = {
        "event": event.kind.value,
        "site": event.site_name or None,
        "router": event.router_name or None,
        "at": event.at.isoformat(),
        "minutes_down": event.minutes_down,
    }
    if event.restarted:
        fields["restarted"] = True
    if event.changes is not None:
        fields["changes"] = event.changes
    return AlertText(subject=f"{SUBJECT_PREFIX} {subject}", body=body, fields=fields)


TEST_SUBJECT = Message("Test message")
TEST_BODY = Message(
    "This is a test from WiFi Desa, sent at {moment}. Alerts about your villages' routers "
    "will come this way."
)


def trial_text(
    *, at: datetime, zone: str = DEFAULT_TIMEZONE, language: str = DEFAULT_LANGUAGE
) -> AlertText:
    """The message an admin sends to try a channel."""
    gettext = gettext_for(language)
    body = Message(TEST_BODY.template, {"moment": Moment(at, zone)}).render(gettext)
    return AlertText(
        subject=f"{SUBJECT_PREFIX} {TEST_SUBJECT.render(gettext)}",
        body=body,
        fields={"event": "test", "at": at.isoformat()},
    )
