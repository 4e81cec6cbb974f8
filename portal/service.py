"""Run the web service (uvicorn), alone (`wifidesa web`) or under `wifidesa serve`."""

from __future__ import annotations

import argparse

from wifidesa.settings import Settings, check_for_startup


def run(settings: Settings) -> None:
    check_for_startup(settings, web=True)
    # Imported here: `wifidesa --help` loads this module and should stay quick.
    import uvicorn

    from portal.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.web_host,
        port=settings.web_port,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
        server_header=False,
    )


def _cmd_web(ctx: object, _args: argparse.Namespace) -> int:
    run(ctx.settings)  # type: ignore[attr-defined]
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("web", help="run only the web service (portal, admin, API)")
    p.set_defaults(func=_cmd_web)
