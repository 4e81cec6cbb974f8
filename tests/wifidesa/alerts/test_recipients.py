"""Who hears of a site: the admins whose scope reaches it, as the scope rule says."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, event
from sqlalchemy.orm import Session
from wdtest.admin_world import DESA_A, DESA_B, KAB_OTHER, KAB_OWN, PROVINCE, World
from wdtest.factories import make_admin, make_site
from wdtest.world_db import actor_scope, db_url, world, world_copy  # noqa: F401 - fixtures

from wifidesa.admin.management import set_active
from wifidesa.admin.scope import OPERATOR
from wifidesa.alerts.channels import add_channel, set_enabled
from wifidesa.alerts.recipients import Recipients, recipients
from wifidesa.crypto import SecretBox
from wifidesa.db.engine import utcnow
from wifidesa.db.models import AdminRole, AlertChannel, ChannelKind


@pytest.fixture(autouse=True)
def _no_channels_yet(session: Session, world: World) -> None:
    """These tests start from the world without the alert channel it gives desa_a (the
    permission matrix's)."""
    session.execute(delete(AlertChannel))


ACTORS = (DESA_A, DESA_B, KAB_OWN, KAB_OTHER, PROVINCE)
HEARS_OF = {
    "a": {DESA_A, KAB_OWN, PROVINCE},
    "b": {DESA_B, KAB_OWN, PROVINCE},
    "c": {KAB_OTHER, PROVINCE},
}


def _channels(session: Session, world: World, box: SecretBox) -> dict[int, str]:
    """A Telegram channel for every admin of the world: channel id -> actor."""
    made = {}
    for n, actor in enumerate(ACTORS):
        view = add_channel(
            session=session,
            scope=actor_scope(session, world, actor),
            box=box,
            kind=ChannelKind.TELEGRAM,
            address=str(1000 + n),
            now=utcnow(),
        )
        made[view.id] = actor
    return made


@pytest.mark.parametrize(("village", "actors"), HEARS_OF.items())
def test_the_admins_whose_scope_reaches_a_site_hear_of_it(
    session: Session, world: World, box: SecretBox, village: str, actors: set[str]
) -> None:
    made = _channels(session, world, box)
    site_id = world.ids[f"site_{village}"]
    heard = recipients(session=session, site_id=site_id)  # type: ignore[arg-type]
    assert {made[c.id] for c in heard} == actors


def test_a_kabupaten_admin_hears_of_a_new_village_of_their_kabupaten_only(
    session: Session, world: World, box: SecretBox
) -> None:
    made = _channels(session, world, box)
    kukar = make_site(session, kabupaten="64.03")
    samarinda = make_site(session, kabupaten="64.72")
    assert {made[c.id] for c in recipients(session=session, site_id=kukar.id)} == {
        KAB_OWN,
        PROVINCE,
    }
    assert {made[c.id] for c in recipients(session=session, site_id=samarinda.id)} == {PROVINCE}


def test_a_rounds_recipients_of_many_villages_are_read_once_not_per_village(
    session: Session, world: World, box: SecretBox
) -> None:
    made = _channels(session, world, box)
    villages = [make_site(session, kabupaten=k) for k in ["64.03", "64.72"] * 20]
    session.flush()
    expected = {
        v.id: {made[c.id] for c in recipients(session=session, site_id=v.id)} for v in villages
    }
    statements: list[str] = []

    def counted(*args: Any) -> None:
        statements.append(args[2])

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", counted)
    try:
        heard = Recipients(session)
        found = {v.id: {made[c.id] for c in heard.of_site(v.id)} for v in villages}
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert found == expected
    assert expected[villages[0].id] == {KAB_OWN, PROVINCE}
    assert expected[villages[1].id] == {PROVINCE}
    # Channels, admins (with their villages and regions), and the villages of each of the
    # few distinct scopes: not a query per village.
    assert len(statements) <= 8, statements


def test_disabled_channels_and_inactive_admins_hear_nothing(
    session: Session, world: World, box: SecretBox
) -> None:
    made = _channels(session, world, box)
    by_actor = {actor: channel_id for channel_id, actor in made.items()}
    set_enabled(session=session, scope=OPERATOR, channel_id=by_actor[KAB_OWN], enabled=False)
    set_active(session=session, scope=OPERATOR, username="desa-a", active=False)
    heard = recipients(session=session, site_id=world.ids["site_a"])  # type: ignore[arg-type]
    assert {made[c.id] for c in heard} == {PROVINCE}


def test_every_channel_of_an_admin_is_told_and_admins_sharing_a_scope_each_are(
    session: Session, world: World, box: SecretBox
) -> None:
    second = make_admin(
        session=session,
        username="kab-own-2",
        password="admin-password-2",
        role=AdminRole.KABUPATEN,
        region_code="64.03",
    )
    scope = actor_scope(session, world, KAB_OWN)
    for kind, address in ((ChannelKind.EMAIL, "kab@kukar.go.id"), (ChannelKind.TELEGRAM, "42")):
        add_channel(session=session, scope=scope, box=box, kind=kind, address=address, now=utcnow())
    add_channel(
        session=session,
        scope=OPERATOR,
        box=box,
        kind=ChannelKind.EMAIL,
        address="kab2@kukar.go.id",
        owner=second.username,
        now=utcnow(),
    )
    heard = recipients(session=session, site_id=world.ids["site_b"])  # type: ignore[arg-type]
    assert sorted(c.address for c in heard) == ["42", "kab2@kukar.go.id", "kab@kukar.go.id"]
    assert all(isinstance(c, AlertChannel) for c in heard)
    assert recipients(session=session, site_id=world.ids["site_c"]) == []  # type: ignore[arg-type]
