"""`sites add|import|list|logo` and `routers add|set|list|hotspot-files`.

The same operations as the admin UI and the API, called with the operator's scope (OPERATOR).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wifidesa.admin.scope import OPERATOR, require_site_code
from wifidesa.cli.context import AppContext
from wifidesa.cli.files import read_csv_file
from wifidesa.cli.output import table
from wifidesa.cli.parser import add_subcommands
from wifidesa.errors import ErrorCode, InvalidInput
from wifidesa.places.listing import list_routers, list_sites
from wifidesa.places.routers import (
    RouterChanges,
    RouterSpec,
    create_router,
    edit_router,
    hotspot_files,
    require_router_named,
)
from wifidesa.places.site_import import import_sites
from wifidesa.places.sites import SiteSpec, create_site, set_logo


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
            site = create_site(session=session, scope=OPERATOR, spec=spec)
            print(f"site {site.code} added: {site.name}")
    elif args.sites_command == "import":
        text = read_csv_file(args.file)
        with ctx.transaction() as session:
            sites = import_sites(session=session, scope=OPERATOR, text=text, source=str(args.file))
            print(f"{len(sites)} site(s) imported from {args.file}")
    elif args.sites_command == "logo":
        cmd_logo(ctx, args)
    else:
        with ctx.transaction() as session:
            rows = [
                (s.code, s.name, s.region_code, s.timezone)
                for s in list_sites(session=session, scope=OPERATOR)
            ]
        print(table(("CODE", "NAME", "DESA CODE", "TIME ZONE"), rows))
    return 0


def cmd_logo(ctx: AppContext, args: argparse.Namespace) -> None:
    data = None
    if not args.remove:
        if args.file is None:
            raise InvalidInput(ErrorCode.NEED_IMAGE_OR_REMOVE)
        try:
            data = args.file.read_bytes()
        except OSError as exc:
            raise InvalidInput(ErrorCode.CANNOT_READ, path=args.file, reason=exc.strerror) from None
    with ctx.transaction() as session:
        site = require_site_code(session=session, scope=OPERATOR, code=args.code)
        set_logo(session=session, scope=OPERATOR, site_id=site.id, data=data)
        print(f"site {site.code}: logo {'removed' if data is None else 'set'}")


def cmd_routers(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.routers_command == "hotspot-files":
        with ctx.transaction() as session:
            router = require_router_named(session=session, scope=OPERATOR, name=args.router)
            files = hotspot_files(
                session=session,
                scope=OPERATOR,
                router_id=router.id,
                portal_url=ctx.settings.public_url,
            )
        try:
            args.out.mkdir(parents=True, exist_ok=True)
            for name, content in files.items():
                (args.out / name).write_text(content, encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(
                ErrorCode.CANNOT_WRITE_TO, path=args.out, reason=exc.strerror
            ) from None
        print(
            f"{len(files)} files for router {router.name} written to {args.out}; upload them "
            "to the router's hotspot directory"
        )
        return 0
    if args.routers_command == "add":
        spec = RouterSpec(
            name=args.name,
            ip_address=args.ip,
            nas_identifier=args.identity or "",
            secret=args.secret or "",
            require_message_authenticator=not args.no_require_message_auth,
            coa_port=args.coa_port,
            hotspot_address=args.hotspot_address,
            hotspot_https=args.hotspot_https,
            hotspot_port=args.hotspot_port,
            api_host=args.api_host,
            api_port=args.api_port,
            api_use_ssl=not args.api_plaintext,
            api_username=args.api_user,
            api_password=args.api_password,
            allow_short_secret=args.allow_short_secret,
        )
        with ctx.transaction() as session:
            site = require_site_code(session=session, scope=OPERATOR, code=args.site)
            router, secret = create_router(
                session=session, scope=OPERATOR, box=ctx.box, site_id=site.id, spec=spec
            )
            print(f"router {router.name} added (site {args.site}, {router.ip_address})")
            if args.secret and len(args.secret) < 16:
                print(
                    "warning: this RADIUS secret is short; replace it with a generated one",
                    file=sys.stderr,
                )
            if not args.secret:
                # Shown once, for the router's /radius entry; stored encrypted.
                print(f"RADIUS secret: {secret}")
    elif args.routers_command == "set":
        changes = RouterChanges(
            ip_address=args.ip,
            nas_identifier=args.identity,
            hotspot_address=args.hotspot_address,
            hotspot_https=args.hotspot_https,
            hotspot_port=args.hotspot_port,
            coa_port=args.coa_port,
            require_message_authenticator=args.require_message_auth,
        )
        with ctx.transaction() as session:
            router = require_router_named(session=session, scope=OPERATOR, name=args.router)
            edit_router(session=session, scope=OPERATOR, router_id=router.id, changes=changes)
            print(f"router {router.name} updated")
    else:
        with ctx.transaction() as session:
            site_id = None
            if args.site:
                site_id = require_site_code(session=session, scope=OPERATOR, code=args.site).id
            rows = [
                (
                    r.name,
                    r.site_code,
                    r.ip_address,
                    r.nas_identifier,
                    r.hotspot_address or "-",
                    "yes" if r.require_message_authenticator else "no",
                    r.coa_port,
                    r.last_seen_at.isoformat(timespec="seconds") if r.last_seen_at else "never",
                )
                for r in list_routers(session=session, scope=OPERATOR, site_id=site_id)
            ]
        headers = ("NAME", "SITE", "IP", "IDENTITY", "HOTSPOT", "REQUIRE-MA", "COA", "LAST SEEN")
        print(table(headers, rows))
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

    p = subparsers.add_parser("routers", help="MikroTik routers (RADIUS clients): add, set, list")
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
    add.add_argument(
        "--hotspot-address",
        required=True,
        help="the router's hotspot IP or DNS name, where villagers' browsers reach its login page",
    )
    add.add_argument("--hotspot-https", action="store_true", help="its login page uses HTTPS")
    add.add_argument("--hotspot-port", type=int, help="its login page's port (default 80/443)")
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
    edit = sub.add_parser("set", help="change a router's addresses, identity or CoA port")
    edit.add_argument("router", help="router name")
    edit.add_argument("--ip", help="source address of its RADIUS packets")
    edit.add_argument("--identity", help="RouterOS identity / NAS-Identifier")
    edit.add_argument("--hotspot-address", help="its hotspot IP or DNS name")
    edit.add_argument(
        "--hotspot-https",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="its login page uses HTTPS",
    )
    edit.add_argument("--hotspot-port", type=int, help="its login page's port; 0: 80/443")
    edit.add_argument("--coa-port", type=int)
    edit.add_argument(
        "--require-message-auth",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="drop Access-Requests without Message-Authenticator (RouterOS 7.15+)",
    )
    lst = sub.add_parser("list", help="list routers")
    lst.add_argument("--site", help="only this site")
    p.set_defaults(func=cmd_routers)
