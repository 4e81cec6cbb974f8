"""A batch's use-by day ("berlaku sampai") from the admin form, the background path and the
API: stored as the cards' expiry at the end of that day (WITA), refused when bad or past, shown
on the batch page and printed on every card."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import World, sign_in
from wdtest.cards import daily_profile, read_pdf

from portal.admin.vouchers import pages as vouchers
from portal.i18n import translations
from portal.printing.cards import build_cards
from wifidesa.db.engine import utcnow
from wifidesa.db.models import Account, AuditEntry, Voucher

WITA = ZoneInfo("Asia/Makassar")
DAY = (utcnow().astimezone(WITA) + timedelta(days=40)).date()
PRINTED = DAY.strftime("%d-%m-%Y")


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=WITA)


def _expiries(sessions: sessionmaker[Session], batch_id: int) -> set[datetime | None]:
    with sessions() as session:
        query = select(Account.expires_at).join(Voucher).where(Voucher.batch_id == batch_id)
        return set(session.scalars(query))


def _generated(sessions: sessionmaker[Session]) -> list[AuditEntry]:
    with sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == "vouchers.generate")
        return list(session.scalars(query.order_by(AuditEntry.id)))


def _post(web: TestClient, csrf: str, world: World, lang: str = "en", **fields: str) -> object:
    form = {"csrf": csrf, "site": "desa-a", "profile": str(world.ids["profile_all"])}
    return web.post(f"/admin/vouchers/new?lang={lang}", data=form | {"count": "3"} | fields)


def test_form_takes_a_use_by_day_shown_on_the_batch_and_on_every_card(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    form = web.get("/admin/vouchers/new").text
    assert '<input type="date" id="use_by" name="use_by"' in form and "Berlaku sampai" in form
    answer = _post(web, csrf, world, use_by=DAY.isoformat())
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    location = answer.headers["location"]  # type: ignore[attr-defined]
    batch_id = int(location.rsplit("/", 1)[1])
    assert _expiries(sessions, batch_id) == {_end_of(DAY)}
    assert _generated(sessions)[-1].detail["use_by"] == DAY.isoformat()
    assert f"Valid until: <b>{PRINTED}</b>" in web.get(location + "?lang=en").text
    assert f"Berlaku sampai: <b>{PRINTED}</b>" in web.get(location + "?lang=id").text
    # Cards are in Indonesian whatever the admin reads; the line comes before the paket.
    view = web.get(f"{location}/print?layout=a4&lang=en").text
    assert view.count(f"<div>Berlaku sampai {PRINTED}</div>") == 3
    assert f'<div class="w"><div>Berlaku sampai {PRINTED}</div>' in view
    pdf = web.get(f"{location}/pdf?layout=strip58")
    text = "\n".join(page.text for page in read_pdf(pdf.content))
    assert text.count(f"Berlaku sampai {PRINTED}") == 3
    # The world's own batch has no use-by day: neither the page nor the cards show one.
    plain = f"/admin/vouchers/batches/{world.ids['batch_a']}"
    assert "Valid until" not in web.get(plain + "?lang=en").text
    assert "Berlaku sampai" not in web.get(f"{plain}/print?layout=a4").text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31-12-2026", "tanggal berlaku sampai harus berupa tanggal seperti 2026-12-31"),
        ("2026-02-30", "tanggal berlaku sampai harus berupa tanggal seperti 2026-12-31"),
        ("2020-01-01", "tanggal berlaku sampai sudah lewat"),
    ],
)
def test_a_bad_or_past_day_comes_back_with_the_form_in_indonesian(
    web: TestClient, world: World, sessions: sessionmaker[Session], typed: str, message: str
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    before = len(_generated(sessions))
    answer = _post(web, csrf, world, lang="id", use_by=typed)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert message in answer.text  # type: ignore[attr-defined]
    assert f'name="use_by" value="{typed}"' in answer.text  # type: ignore[attr-defined]
    assert len(_generated(sessions)) == before


def test_the_background_path_keeps_the_use_by_day(
    web: TestClient, world: World, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vouchers, "BACKGROUND_GENERATE", 5)
    csrf = sign_in(web, sessions, "desa_a")
    refused = _post(web, csrf, world, count="8", use_by="2020-01-01")  # checked before it starts
    assert refused.status_code == 400 and "already past" in refused.text  # type: ignore[attr-defined]
    answer = _post(web, csrf, world, count="8", use_by=DAY.isoformat())
    assert answer.status_code == 303  # type: ignore[attr-defined]
    location = answer.headers["location"]  # type: ignore[attr-defined]
    deadline = time.monotonic() + 180
    while "refresh" in (job := web.get(location + "?lang=en")).headers:
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.2)
    match = re.search(r'href="/admin/vouchers/batches/(\d+)"', job.text)
    assert match, job.text
    assert _expiries(sessions, int(match.group(1))) == {_end_of(DAY)}
    assert _generated(sessions)[-1].detail == {"count": 8, "profile": "umum", "use_by": str(DAY)}


def test_api_takes_and_shows_the_use_by_day(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    bearer = {"Authorization": f"Bearer {world.api_tokens['desa_a']}"}
    body = {"site": "desa-a", "profile": "umum", "count": 2, "use_by": DAY.isoformat()}
    created = web.post("/api/vouchers/batches", json=body, headers=bearer)
    assert created.status_code == 201, created.text
    batch = created.json()["batch"]
    assert batch["use_by"] == DAY.isoformat()
    assert _expiries(sessions, batch["id"]) == {_end_of(DAY)}
    one = web.get(f"/api/vouchers/batches/{batch['id']}", headers=bearer).json()
    assert one["use_by"] == DAY.isoformat()
    plain = web.get(f"/api/vouchers/batches/{world.ids['batch_a']}", headers=bearer).json()
    assert plain["use_by"] is None
    past = web.post("/api/vouchers/batches", json=body | {"use_by": "2020-01-01"}, headers=bearer)
    assert past.status_code == 422 and past.json()["detail"] == "the use-by date is already past"
    bad = web.post("/api/vouchers/batches", json=body | {"use_by": "31-12-2026"}, headers=bearer)
    assert bad.status_code == 422


def test_the_card_line_comes_first_in_either_language() -> None:
    for language, words in (("id", "Berlaku sampai 31-12-2026"), ("en", "Valid until 31-12-2026")):
        (card,) = build_cards(
            village="Desa A",
            site_code="desa-a",
            codes=["ABCDEFGHJK"],
            profile=daily_profile(),
            public_url="https://wifi.example",
            gettext=translations(language).gettext,
            use_by=date(2026, 12, 31),
        )
        assert card.profile_words[0] == words
        assert len(card.profile_words) > 1
