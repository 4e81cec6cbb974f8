"""The "Notifikasi" page: one's own alert channels (the province: everyone's), adding one, and
each action on desa_a's channel, which only desa_a and the province reach."""

from __future__ import annotations

from wdtest.admin_world import DESA_A, PROVINCE, SIGNED_IN
from wdtest.routes import Route
from wdtest.routes.checks import Call, audited

CHANNEL = "/admin/notifications/channels/{channel_desa_a}"
OWNER_AND_PROVINCE = frozenset({DESA_A, PROVINCE})
ADDRESS = "desa-a-alerts@example.org"


def _lists_channels_in_reach(call: Call) -> None:
    assert call.answer.status_code == 200, call.where
    shown = ADDRESS in call.answer.text
    assert shown is (call.actor in OWNER_AND_PROVINCE), f"{call.where}: channel shown {shown}"


ROUTES = [
    Route("GET", "/admin/notifications", SIGNED_IN, check=_lists_channels_in_reach),
    Route(
        "POST",
        "/admin/notifications/channels",
        SIGNED_IN,
        form={"kind": "email", "address": "matrix@example.org"},
        check=audited("alerts.channel_add", status=(303,)),
    ),
    Route(
        "POST",
        f"{CHANNEL}/test",
        OWNER_AND_PROVINCE,
        check=audited("alerts.channel_test", status=(303,)),
    ),
    Route(
        "POST",
        f"{CHANNEL}/disable",
        OWNER_AND_PROVINCE,
        check=audited("alerts.channel_disable", status=(303,)),
    ),
    Route(
        "POST",
        f"{CHANNEL}/enable",
        OWNER_AND_PROVINCE,
        check=audited("alerts.channel_enable", status=(303,)),
    ),
    Route(
        "POST",
        f"{CHANNEL}/remove",
        OWNER_AND_PROVINCE,
        destructive=True,
        check=audited("alerts.channel_remove", status=(303,)),
    ),
]
