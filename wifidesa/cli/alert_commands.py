"""`alerts add|list|disable|enable|remove`: admins' notification channels, managed by the
operator through the same operations as the admin pages (wifidesa.alerts.channels). Sending
is the `notify` command's and service's (controllers.notify)."""

from __future__ import annotations

import argparse

from wifidesa.admin.scope import OPERATOR
from wifidesa.alerts.channels import add_channel, list_channels, remove_channel, set_enabled
from wifidesa.cli.context import AppContext
from wifidesa.cli.output import table
from wifidesa.cli.parser import add_subcommands
from wifidesa.db.engine import utcnow
from wifidesa.db.models import ChannelKind


def cmd_alerts(ctx: AppContext, args: argparse.Namespace) -> int:
    command = args.alerts_command
    with ctx.transaction() as session:
        if command == "add":
            view = add_channel(
                session=session,
                scope=OPERATOR,
                box=ctx.box,
                kind=ChannelKind(args.kind),
                address=args.address,
                owner=args.username,
                now=utcnow(),
            )
            print(f"channel {view.id} added: {view.kind.value} {view.address} for {view.owner}")
        elif command == "list":
            rows = [
                (c.id, c.owner, c.kind.value, c.address, "yes" if c.enabled else "no")
                for c in list_channels(session=session, scope=OPERATOR, owner=args.username)
            ]
            print(table(("ID", "ADMIN", "KIND", "ADDRESS", "ENABLED"), rows))
        elif command in ("disable", "enable"):
            set_enabled(
                session=session,
                scope=OPERATOR,
                channel_id=args.channel,
                enabled=command == "enable",
            )
            print(f"channel {args.channel} {command}d")
        else:
            remove_channel(session=session, scope=OPERATOR, channel_id=args.channel)
            print(f"channel {args.channel} removed")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "alerts", help="admins' notification channels: e-mail, Telegram, webhook"
    )
    sub = add_subcommands(p, "alerts_command")
    add = sub.add_parser(
        "add",
        help="give an admin a channel",
        description="ADDRESS: an e-mail address; a Telegram chat id (or @channel) the bot "
        "may write to; a webhook URL (https, or http to a loopback or private address; a "
        "token in it is stored encrypted and never shown again).",
    )
    add.add_argument("username", help="the admin told through it")
    add.add_argument("kind", choices=[k.value for k in ChannelKind])
    add.add_argument("address")
    listing = sub.add_parser("list", help="list channels (every admin's, or one's)")
    listing.add_argument("username", nargs="?", default=None)
    for name, text in (
        ("disable", "stop sending to a channel"),
        ("enable", "send to a disabled channel again"),
        ("remove", "forget a channel and what was queued or sent to it"),
    ):
        one = sub.add_parser(name, help=text)
        one.add_argument("channel", type=int, help="the channel's id (alerts list)")
    p.set_defaults(func=cmd_alerts)
