"""Two kabupaten, three villages and one admin of every kind: the world admin tests run in.

Kutai Kartanegara (64.03) holds villages A and B; Kutai Barat (64.02) holds village C. Every
village has a router, a voucher batch, a resident and an open session, so a route can be aimed
at village A's objects and tried by every actor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wdtest.factories import (
    make_admin,
    make_batch,
    make_member,
    make_profile,
    make_router,
    make_site,
)
from wifidesa.admin.scope import OPERATOR
from wifidesa.admin.signin import create_api_token, start_web_session
from wifidesa.alerts.channels import add_channel
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import utcnow
from wifidesa.db.models import (
    AccountDevice,
    AcctSession,
    AdminRole,
    AdminToken,
    AdminUser,
    ChannelKind,
    ExportFormat,
    ExportState,
    Region,
    SessionStatus,
    StatsExport,
    TaskKind,
    TaskState,
    Voucher,
)
from wifidesa.fleet import tasks
from wifidesa.localtime import local_day
from wifidesa.stats.rollup import recompute_site_days
from wifidesa.vouchers.codes import format_code

WITA = "Asia/Makassar"

ADMIN_PASSWORD = "admin-password-1"
# Actors, by what they may reach.
ANONYMOUS = "anonymous"
DESA_A = "desa_a"
DESA_B = "desa_b"
KAB_OWN = "kab_own"  # Kutai Kartanegara: villages A and B
KAB_OTHER = "kab_other"  # Kutai Barat: village C
PROVINCE = "province"
ACTORS = (ANONYMOUS, DESA_A, DESA_B, KAB_OWN, KAB_OTHER, PROVINCE)
SIGNED_IN = frozenset(ACTORS) - {ANONYMOUS}
REACH_A = frozenset({DESA_A, KAB_OWN, PROVINCE})  # who may see village A
OVERSEERS_A = frozenset({KAB_OWN, PROVINCE})
ONLY_PROVINCE = frozenset({PROVINCE})
# The villages ("a", "b", "c" in World.ids keys) each signed-in actor sees in its lists.
VILLAGES_OF = {
    DESA_A: ("a",),
    DESA_B: ("b",),
    KAB_OWN: ("a", "b"),
    KAB_OTHER: ("c",),
    PROVINCE: ("a", "b", "c"),
}


@dataclass
class World:
    ids: dict[str, object] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=dict)  # voucher codes by village
    api_tokens: dict[str, str] = field(default_factory=dict)  # bearer tokens by actor


def _village(session: Session, box: SecretBox, world: World, key: str, kabupaten: str) -> None:
    site = make_site(session, code=f"desa-{key}", kabupaten=kabupaten)
    router = make_router(session, box, site=site, hotspot_address="10.5.50.1")
    profile = world.ids["profile_all_obj"]
    batch, codes = make_batch(
        session=session,
        site_code=site.code,
        profile_name=profile.name,
        count=6,  # type: ignore[attr-defined]
    )
    member = make_member(
        session=session,
        site_code=site.code,
        profile_name=profile.name,  # type: ignore[attr-defined]
        username=f"warga-{key}",
        password="rahasia-warga",
    )
    device = AccountDevice(
        account_id=member.account_id,
        mac=f"AA:BB:CC:00:00:0{len(world.codes)}",
        remembered_until=utcnow() + timedelta(days=7),
    )
    session.add(device)
    now = utcnow()
    live = AcctSession(
        router_id=router.id,
        site_id=site.id,
        account_id=member.account_id,
        acct_session_id=f"81{key}00001",
        username=member.username,
        mac=device.mac,
        framed_ip="10.5.50.20",
        status=SessionStatus.OPEN,
        started_at=now - timedelta(minutes=20),
        updated_at=now,
        input_octets=1_000_000,
        output_octets=9_000_000,
        interim_interval=300,
    )
    session.add(live)
    session.flush()
    # Its statistics, as the rollup leaves them: the pages' charts have a day to draw.
    recompute_site_days(session=session, site_days=[(site.id, local_day(now, WITA))])
    world.codes[key] = codes
    world.ids.update(
        {
            f"site_{key}": site.id,
            f"site_code_{key}": site.code,
            f"site_name_{key}": site.name,
            f"router_{key}": router.id,
            f"router_name_{key}": router.name,
            f"batch_{key}": batch.id,
            f"voucher_{key}": _voucher_account(session, codes[0]),
            f"code_{key}": codes[0],
            f"card_{key}": format_code(codes[0]),  # as pages show it
            f"member_{key}": member.account_id,
            f"username_{key}": member.username,
            f"device_{key}": device.id,
            f"session_{key}": live.id,
        }
    )


def _voucher_account(session: Session, code: str) -> int:
    return session.scalars(select(Voucher.account_id).where(Voucher.code == code)).one()


def build_world(session: Session, box: SecretBox) -> World:
    world = World()
    world.ids["profile_all_obj"] = make_profile(session, name="umum", daily_bytes=10**9)
    kukar = make_profile(session, name="kukar")
    kukar.region_id = session.scalars(select(Region.id).where(Region.code == "64.03")).one()
    kubar = make_profile(session, name="kubar")
    kubar.region_id = session.scalars(select(Region.id).where(Region.code == "64.02")).one()
    _village(session, box, world, "a", "64.03")
    _village(session, box, world, "b", "64.03")
    _village(session, box, world, "c", "64.02")
    profile_all = world.ids.pop("profile_all_obj")
    world.ids.update(
        {"profile_all": profile_all.id, "profile_kukar": kukar.id, "profile_kubar": kubar.id}  # type: ignore[attr-defined]
    )
    admins = {
        DESA_A: make_admin(
            session=session,
            username=DESA_A.replace("_", "-"),
            password=ADMIN_PASSWORD,
            role=AdminRole.DESA,
            site_codes=["desa-a"],
        ),
        DESA_B: make_admin(
            session=session,
            username=DESA_B.replace("_", "-"),
            password=ADMIN_PASSWORD,
            role=AdminRole.DESA,
            site_codes=["desa-b"],
        ),
        KAB_OWN: make_admin(
            session=session,
            username="kab-own",
            password=ADMIN_PASSWORD,
            role=AdminRole.KABUPATEN,
            region_code="64.03",
        ),
        KAB_OTHER: make_admin(
            session=session,
            username="kab-other",
            password=ADMIN_PASSWORD,
            role=AdminRole.KABUPATEN,
            region_code="64.02",
        ),
        PROVINCE: make_admin(
            session=session,
            username=PROVINCE,
            password=ADMIN_PASSWORD,
            role=AdminRole.PROVINCE,
        ),
    }
    session.flush()
    for actor, admin in admins.items():
        world.ids[f"admin_{actor}"] = admin.id
        world.api_tokens[actor] = create_api_token(
            session=session, admin=admin, name=f"{actor}-api", now=utcnow()
        )
    # An alert channel of desa_a's: only they and the province may see and manage it.
    channel = add_channel(
        session=session,
        scope=OPERATOR,
        box=box,
        kind=ChannelKind.EMAIL,
        address="desa-a-alerts@example.org",
        owner=admins[DESA_A].username,
        now=utcnow(),
    )
    world.ids["channel_desa_a"] = channel.id
    world.ids["token_desa_a"] = session.scalars(
        select(AdminToken.id).where(AdminToken.name == "desa_a-api")
    ).one()
    # A finished statistics export of desa_a's: only they may see and download it.
    export = StatsExport(
        id="world-export-desa-a",
        admin_id=admins[DESA_A].id,
        format=ExportFormat.CSV,
        area="",
        period_kind="month",
        first=date(2026, 11, 1),
        last=date(2026, 11, 30),
        table_name="days",
        language="id",
        state=ExportState.DONE,
        done=1,
        total=1,
        filename="wifidesa-days-desa-saya-2026-11.csv",
        size=12,
        data=b"Hari,Sesi\r\n",
        finished_at=utcnow(),
    )
    session.add(export)
    world.ids["export_desa_a"] = export.id
    world.ids["task_a"] = _given_up_kick(session, world)
    return world


def _given_up_kick(session: Session, world: World) -> int:
    """A kick of village A's session that got no answer from its router, two days ago: anyone
    who reaches village A may try it again (the router-task pages)."""
    then = utcnow() - timedelta(days=2)
    task_id = tasks.queue(
        session=session,
        router_id=world.ids["router_a"],  # type: ignore[arg-type]
        kind=TaskKind.KICK,
        now=then,
        asked_by="quota",
        session_id=world.ids["session_a"],  # type: ignore[arg-type]
    )
    assert task_id is not None
    for claimed in tasks.claim_due(session=session, kinds=[TaskKind.KICK], now=then):
        tasks.finish(
            session=session,
            claimed=claimed,
            state=TaskState.GIVEN_UP,
            now=then,
            outcome="timeout: no answer within 10 s",
        )
    return task_id


def session_token(sessions: sessionmaker[Session], actor: str) -> str:
    """A fresh web session for one of the world's admins (no password hashing on the way)."""
    username = {KAB_OWN: "kab-own", KAB_OTHER: "kab-other"}.get(actor, actor.replace("_", "-"))
    with sessions.begin() as session:
        admin = session.scalars(select(AdminUser).where(AdminUser.username == username)).one()
        return start_web_session(session=session, admin=admin, now=utcnow())


def sign_in(client: TestClient, sessions: sessionmaker[Session], actor: str) -> str:
    """Put an actor's session cookie on the client; returns the session's CSRF token."""
    from portal.admin.web import SESSION_COOKIE, csrf_for

    client.cookies.clear()
    if actor == ANONYMOUS:
        return ""
    token = session_token(sessions, actor)
    client.cookies.set(SESSION_COOKIE, token)
    settings = client.app.state.settings  # type: ignore[attr-defined]
    return csrf_for(settings.secret_key, token)
