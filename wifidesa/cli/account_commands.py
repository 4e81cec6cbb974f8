"""`profiles add|list`, `vouchers generate|import`."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from wifidesa.admin.scope import OPERATOR, require_site_code
from wifidesa.cli.context import AppContext
from wifidesa.cli.files import read_csv_file
from wifidesa.cli.output import table
from wifidesa.cli.parser import add_subcommands, date_arg, duration_arg, size_arg
from wifidesa.db.models import AfterQuota, QuotaPeriod
from wifidesa.errors import ErrorCode, InvalidInput
from wifidesa.profiles.operations import create_profile, list_usable_profiles, require_profile_named
from wifidesa.profiles.rules import ProfileSpec, Quota
from wifidesa.units import format_duration, format_size
from wifidesa.vouchers.codes import format_code
from wifidesa.vouchers.importing import import_vouchers
from wifidesa.vouchers.stock import generate


def _quotas(args: argparse.Namespace) -> tuple[Quota, ...]:
    quotas = []
    for period in QuotaPeriod:
        data = getattr(args, f"data_{period.value}")
        time = getattr(args, f"time_{period.value}")
        if data is not None or time is not None:
            quotas.append(Quota(period=period, data_bytes=data, time_seconds=time))
    return tuple(quotas)


def cmd_profiles(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.profiles_command == "add":
        spec = ProfileSpec(
            name=args.name,
            description=args.description,
            rate_limit=args.rate_limit,
            session_timeout=args.session_timeout,
            idle_timeout=args.idle_timeout,
            interim_interval=args.interim_interval,
            devices_at_once=args.devices,
            validity_seconds=args.validity,
            after_quota=AfterQuota(args.after_quota),
            throttle_rate_limit=args.throttle_rate,
            remember_device_days=args.remember_days,
            quotas=_quotas(args),
        )
        with ctx.transaction() as session:
            profile = create_profile(session=session, scope=OPERATOR, spec=spec)
            print(f"profile {profile.name!r} added")
        return 0
    with ctx.transaction() as session:
        rows = []
        for p in list_usable_profiles(session=session, scope=OPERATOR):
            quotas = ", ".join(
                "/".join(
                    filter(
                        None,
                        (
                            format_size(q.data_bytes) if q.data_bytes else "",
                            format_duration(q.time_seconds) if q.time_seconds else "",
                        ),
                    )
                )
                + f" per {q.period}"
                for q in p.limits
            )
            after = p.after_quota.value + (
                f" {p.throttle_rate_limit}" if p.throttle_rate_limit else ""
            )
            rows.append(
                (
                    p.name,
                    p.rate_limit or "-",
                    quotas or "-",
                    after,
                    p.devices_at_once,
                    format_duration(p.validity_seconds) if p.validity_seconds else "-",
                )
            )
    print(table(("NAME", "RATE", "QUOTA", "AFTER QUOTA", "DEVICES", "VALIDITY"), rows))
    return 0


def cmd_vouchers(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.vouchers_command == "import":
        text = read_csv_file(args.file)
        with ctx.transaction() as session:
            site = require_site_code(session=session, scope=OPERATOR, code=args.site)
            profile = require_profile_named(session=session, scope=OPERATOR, name=args.profile)
            batch = import_vouchers(
                session=session,
                scope=OPERATOR,
                site_id=site.id,
                profile_id=profile.id,
                text=text,
                source=str(args.file),
            )
            print(f"batch {batch.id}: {batch.count} vouchers imported from {args.file}")
        return 0
    with ctx.transaction() as session:
        site = require_site_code(session=session, scope=OPERATOR, code=args.site)
        profile = require_profile_named(session=session, scope=OPERATOR, name=args.profile)
        batch, codes = generate(
            session=session,
            scope=OPERATOR,
            site_id=site.id,
            profile_id=profile.id,
            count=args.count,
            prefix=args.prefix,
            note=args.note,
            use_by=args.use_by,
        )
        batch_id = batch.id
    if args.csv:
        try:
            with args.csv.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(("code", "printed", "batch", "site", "profile"))
                for code in codes:
                    writer.writerow((code, format_code(code), batch_id, args.site, args.profile))
        except OSError as exc:
            raise InvalidInput(ErrorCode.CANNOT_WRITE, path=args.csv, reason=exc.strerror) from None
        print(f"batch {batch_id}: {len(codes)} vouchers written to {args.csv}")
    else:
        print(f"batch {batch_id}: {len(codes)} vouchers", file=sys.stderr)
        for code in codes:
            print(format_code(code))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("profiles", help="profiles (paket): speed, time and data limits")
    sub = add_subcommands(p, "profiles_command")
    add = sub.add_parser(
        "add",
        help="define a profile",
        description="Sizes like 500M or 1.5G; durations like 30m, 1h30m, 7d. Rate limits in "
        "MikroTik form up/down from the client's view, e.g. 1M/4M.",
    )
    add.add_argument("--name", required=True)
    add.add_argument("--description", default="")
    add.add_argument("--rate-limit", help="e.g. 1M/4M (upload/download)")
    add.add_argument("--session-timeout", type=duration_arg)
    add.add_argument("--idle-timeout", type=duration_arg)
    add.add_argument("--interim-interval", type=duration_arg, default=300)
    add.add_argument("--devices", type=int, default=1, help="devices at once (default 1)")
    add.add_argument("--validity", type=duration_arg, help="voucher validity from first use")
    for period in QuotaPeriod:
        add.add_argument(
            f"--data-{period.value}",
            type=size_arg,
            metavar="SIZE",
            help=f"data quota per {period.value}",
        )
        add.add_argument(
            f"--time-{period.value}",
            type=duration_arg,
            metavar="DURATION",
            help=f"time quota per {period.value}",
        )
    add.add_argument("--after-quota", choices=[a.value for a in AfterQuota], default="block")
    add.add_argument("--throttle-rate", help="rate after the quota when throttling, e.g. 128k/256k")
    add.add_argument(
        "--remember-days",
        type=int,
        default=0,
        help="days a device may log in again by MAC (0 = never)",
    )
    sub.add_parser("list", help="list profiles")
    p.set_defaults(func=cmd_profiles)

    p = subparsers.add_parser("vouchers", help="vouchers: generate or import a batch")
    sub = add_subcommands(p, "vouchers_command")
    gen = sub.add_parser("generate", help="generate a batch of voucher codes")
    gen.add_argument("--site", required=True, help="site code")
    gen.add_argument("--profile", required=True, help="profile name")
    gen.add_argument("--count", type=int, required=True)
    gen.add_argument("--prefix", default="", help="up to 4 characters put before each code")
    gen.add_argument("--note", default="")
    gen.add_argument(
        "--use-by",
        type=date_arg,
        metavar="YYYY-MM-DD",
        help="the cards cannot be used after this day (the site's local time); the profile's "
        "validity still runs from first use, but never past it",
    )
    gen.add_argument("--csv", type=Path, help="write the codes to this CSV file")
    imp = sub.add_parser(
        "import",
        help="import vouchers printed by an earlier system (all rows or none)",
        description="CSV with the header 'code' or 'code,password'. Codes are stored in upper "
        "case without dashes; a voucher without a password logs in with its code.",
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--site", required=True, help="site code")
    imp.add_argument("--profile", required=True, help="profile name")
    p.set_defaults(func=cmd_vouchers)
