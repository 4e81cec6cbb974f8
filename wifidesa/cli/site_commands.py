"""`sites add|import|list` and `routers add|list`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wifidesa.cli.context import AppContext
from wifidesa.cli.output import table
from wifidesa.cli.parser import add_subcommands
from wifidesa.errors import InvalidInput
from wifidesa.places.hotspot_files import render_hotspot_files
from wifidesa.places.routers import RouterSpec, add_router, get_router, list_routers
from wifidesa.places.sites import (
    SiteSpec,
    add_site,
    import_sites,
    list_sites,
    read_csv_file,
    set_logo,
)


def cmd_sites(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.sites_command == "add":
        spec = SiteSpec(
            desa_code=args.desa_code,
            desa_name=args.desa_name,
            kecamatan_name=args.kecamatan,
            site_code=args.code or "",
            site_name=args.name or "",
            timezone=args.timezone,
        )
        with ctx.transaction() as session:
            site = add_site(session=session, spec=spec)
            print(f"site {site.code} added: {site.name}")
    elif args.sites_command == "import":
        text = read_csv_file(args.file)
        with ctx.transaction() as session:
            sites = import_sites(session=session, text=text, source=str(args.file))
            print(f"{len(sites)} site(s) imported from {args.file}")
    elif args.sites_command == "logo":
        cmd_logo(ctx, args)
    else:
        with ctx.transaction() as session:
            rows = [
                (s.code, s.name, s.region.code, s.timezone) for s in list_sites(session=session)
            ]
        print(table(("CODE", "NAME", "DESA CODE", "TIME ZONE"), rows))
    return 0


def cmd_logo(ctx: AppContext, args: argparse.Namespace) -> None:
    data = None
    if not args.remove:
        if args.file is None:
            raise InvalidInput("give an image FILE, or --remove")
        try:
            data = args.file.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {args.file}: {exc.strerror}") from None
    with ctx.transaction() as session:
        site = set_logo(session=session, code=args.code, data=data)
        print(f"site {site.code}: logo {'removed' if data is None else 'set'}")


def cmd_routers(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.routers_command == "hotspot-files":
        with ctx.transaction() as session:
            router = get_router(session=session, name=args.router)
        files = render_hotspot_files(router_name=router.name, portal_url=ctx.settings.public_url)
        try:
            args.out.mkdir(parents=True, exist_ok=True)
            for name, content in files.items():
                (args.out / name).write_text(content, encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot write to {args.out}: {exc.strerror}") from None
        print(
            f"{len(files)} files for router {router.name} written to {args.out}; upload them "
            "to the router's hotspot directory"
        )
        return 0
    if args.routers_command == "add":
        spec = RouterSpec(
            site_code=args.site,
            name=args.name,
            ip_address=args.ip,
            nas_identifier=args.identity or "",
            secret=args.secret or "",
            require_message_authenticator=not args.no_require_message_auth,
            coa_port=args.coa_port,
            hotspot_address=args.hotspot_address,
            api_host=args.api_host,
            api_port=args.api_port,
            api_use_ssl=not args.api_plaintext,
            api_username=args.api_user,
            api_password=args.api_password,
            allow_short_secret=args.allow_short_secret,
        )
        with ctx.transaction() as session:
            router, secret = add_router(session=session, box=ctx.box, spec=spec)
            print(f"router {router.name} added (site {args.site}, {router.ip_address})")
            if args.secret and len(args.secret) < 16:
                print(
                    "warning: this RADIUS secret is short; replace it with a generated one",
                    file=sys.stderr,
                )
            if not args.secret:
                # Shown once, for the router's /radius entry; stored encrypted.
                print(f"RADIUS secret: {secret}")
    else:
        with ctx.transaction() as session:
            rows = [
                (
                    r.name,
                    r.site.code,
                    r.ip_address,
                    r.nas_identifier,
                    "yes" if r.require_message_authenticator else "no",
                    r.coa_port,
                    r.last_seen_at.isoformat(timespec="seconds") if r.last_seen_at else "never",
                )
                for r in list_routers(session=session, site_code=args.site)
            ]
        print(table(("NAME", "SITE", "IP", "IDENTITY", "REQUIRE-MA", "COA", "LAST SEEN"), rows))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("sites", help="village hotspots: add, import from CSV, list")
    sub = add_subcommands(p, "sites_command")
    add = sub.add_parser("add", help="add one site (creates its kecamatan and desa if new)")
    add.add_argument("--desa-code", required=True, help="Kemendagri code, e.g. 64.03.01.2001")
    add.add_argument("--desa-name", required=True)
    add.add_argument("--kecamatan", required=True, help="kecamatan name")
    add.add_argument("--code", help="site code (default: the desa code)")
    add.add_argument("--name", help="site name (default: the desa name)")
    add.add_argument("--timezone", default="Asia/Makassar")
    imp = sub.add_parser(
        "import",
        help="import sites from a CSV file (all rows or none)",
        description="Columns: desa_code,desa_name,kecamatan_name and optionally "
        "site_code,site_name,timezone. Comma or semicolon separated, UTF-8. Every row is "
        "checked first; any bad row is reported with its line and nothing is imported.",
    )
    imp.add_argument("file", type=Path)
    sub.add_parser("list", help="list sites")
    logo = sub.add_parser("logo", help="set the village logo shown on the portal (≤ 10 KB)")
    logo.add_argument("code", help="site code")
    logo.add_argument("file", type=Path, nargs="?", help="PNG, JPEG, GIF or WebP image")
    logo.add_argument("--remove", action="store_true", help="remove the logo")
    p.set_defaults(func=cmd_sites)

    p = subparsers.add_parser("routers", help="MikroTik routers (RADIUS clients): add, list")
    sub = add_subcommands(p, "routers_command")
    add = sub.add_parser("add", help="register a router; prints its RADIUS secret if generated")
    add.add_argument("--site", required=True, help="site code")
    add.add_argument("--name", required=True)
    add.add_argument("--ip", required=True, help="source address of its RADIUS packets")
    add.add_argument("--identity", help="RouterOS identity / NAS-Identifier (default: name)")
    add.add_argument("--secret", help="RADIUS secret (default: generate one)")
    add.add_argument(
        "--allow-short-secret",
        action="store_true",
        help="accept a given secret shorter than 16 characters (weak; avoid)",
    )
    add.add_argument(
        "--no-require-message-auth",
        action="store_true",
        help="accept Access-Requests without Message-Authenticator (RouterOS < 7.15)",
    )
    add.add_argument("--coa-port", type=int, default=3799)
    add.add_argument("--hotspot-address", help="hotspot DNS name or IP used in its login links")
    add.add_argument("--api-host")
    add.add_argument("--api-port", type=int, default=8729)
    add.add_argument("--api-plaintext", action="store_true", help="RouterOS API without TLS")
    add.add_argument("--api-user")
    add.add_argument("--api-password")
    files = sub.add_parser(
        "hotspot-files",
        help="write the router's hotspot pages (login.html, ...)",
        description="Renders templates/mikrotik for this router, pointing at WIFIDESA_PUBLIC_URL.",
    )
    files.add_argument("router", help="router name")
    files.add_argument("--out", type=Path, required=True, help="directory to write to")
    lst = sub.add_parser("list", help="list routers")
    lst.add_argument("--site", help="only this site")
    p.set_defaults(func=cmd_routers)
