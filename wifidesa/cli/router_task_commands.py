"""`routers tasks`, `routers push-hotspot-files ROUTER|--all`, `routers read-active
ROUTER|--all` and `routers retry-task ID`: the router-task outbox from the command line (the
`poller` service, or `routers run-tasks`, does the tasks)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wifidesa.admin.scope import OPERATOR, site_filter
from wifidesa.cli.context import AppContext
from wifidesa.cli.output import table
from wifidesa.cli.parser import subcommands_of
from wifidesa.db.engine import utcnow
from wifidesa.db.models import Router, TaskState
from wifidesa.fleet.task_requests import list_tasks, push_hotspot_files, read_active, retry_task
from wifidesa.places.routers import require_router_named
from wifidesa.settings import Settings


def _routers(session: Session, args: argparse.Namespace) -> list[Router]:
    if args.all:
        # Only routers with an API: asking about one without is refused (nothing to reach).
        query = select(Router).where(
            Router.is_active.is_(True),
            Router.api_host.is_not(None),
            Router.api_username.is_not(None),
            site_filter(OPERATOR, Router.site_id),
        )
        return list(session.scalars(query.order_by(Router.name)))
    return [require_router_named(session=session, scope=OPERATOR, name=args.router)]


def _queue_each(
    ctx: AppContext,
    args: argparse.Namespace,
    what: str,
    ask: Callable[[Session, Router, datetime], int | None],
) -> int:
    with ctx.transaction() as session:
        routers = _routers(session, args)
        now = utcnow()
        queued = sum(ask(session, router, now) is not None for router in routers)
    waiting = len(routers) - queued
    print(
        f"{what} queued for {queued} router(s)"
        + (f", {waiting} had one waiting already" if waiting else "")
        + "; the poller service (or `wifidesa routers run-tasks`) does them"
    )
    return 0


def cmd_push(ctx: AppContext, args: argparse.Namespace) -> int:
    settings: Settings = ctx.settings
    return _queue_each(
        ctx,
        args,
        "hotspot files",
        lambda session, router, now: push_hotspot_files(
            session=session,
            scope=OPERATOR,
            router_id=router.id,
            portal_url=settings.public_url,
            now=now,
        ),
    )


def cmd_read_active(ctx: AppContext, args: argparse.Namespace) -> int:
    return _queue_each(
        ctx,
        args,
        "a read of the active list",
        lambda session, router, now: read_active(
            session=session, scope=OPERATOR, router_id=router.id, now=now
        ),
    )


def cmd_retry(ctx: AppContext, args: argparse.Namespace) -> int:
    with ctx.transaction() as session:
        retry_task(session=session, scope=OPERATOR, task_id=args.id, now=utcnow())
    print(f"router task {args.id} queued again")
    return 0


def cmd_tasks(ctx: AppContext, args: argparse.Namespace) -> int:
    with ctx.transaction() as session:
        router_id = None
        if args.router:
            router_id = require_router_named(session=session, scope=OPERATOR, name=args.router).id
        found = list_tasks(
            session=session,
            scope=OPERATOR,
            router_id=router_id,
            state=TaskState(args.state) if args.state else None,
            limit=args.limit,
        )
    rows = [
        (
            t.id,
            t.router,
            t.kind.value,
            t.session_id or "",
            t.state.value,
            t.attempts,
            t.created_at.isoformat(timespec="seconds"),
            t.asked_by,
            t.outcome or "",
        )
        for t in found
    ]
    headers = (
        "ID",
        "ROUTER",
        "KIND",
        "SESSION",
        "STATE",
        "TRIES",
        "CREATED (UTC)",
        "BY",
        "OUTCOME",
    )
    print(table(headers, rows) if rows else "no router tasks")
    return 0


def _router_or_all(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("router", nargs="?", help="the router's name")
    which.add_argument("--all", action="store_true", help="every active router with an API")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    routers = subcommands_of(subparsers, "routers")
    p = routers.add_parser("tasks", help="router tasks (kicks, files, CoA) and their outcome")
    p.add_argument("--router", help="only this router's (by name)")
    p.add_argument("--state", choices=[s.value for s in TaskState])
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(func=cmd_tasks)
    p = routers.add_parser(
        "push-hotspot-files",
        help="queue the hotspot pages (login.html, ...) to be written to routers over the API",
    )
    _router_or_all(p)
    p.set_defaults(func=cmd_push)
    p = routers.add_parser(
        "read-active",
        help="queue a read of routers' active hotspot users, closing sessions accounting lost",
    )
    _router_or_all(p)
    p.set_defaults(func=cmd_read_active)
    p = routers.add_parser("retry-task", help="queue a failed or given-up router task again")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_retry)
