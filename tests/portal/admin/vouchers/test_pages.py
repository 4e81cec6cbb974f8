"""Voucher pages and API: generate a batch from the form, list and filter, revoke, hand out a
range, CSV export, print views and PDFs whose every QR code decodes to its card's portal URL,
and the background path for large batches."""

from __future__ import annotations

import csv
import io
import re
import time
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from wdtest.admin_world import World, sign_in
from wdtest.cards import read_pdf

from portal.admin.vouchers import pages as vouchers
from portal.admin.vouchers import printing as vouchers_print
from portal.printing.cards import card_url
from wifidesa.db.models import Account, AccountStatus, AuditEntry, Voucher
from wifidesa.settings import Settings
from wifidesa.vouchers.codes import format_code


def _audit(sessions: sessionmaker[Session], action: str) -> list[AuditEntry]:
    with sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(session.scalars(query))


def _batch_codes(sessions: sessionmaker[Session], batch_id: int) -> list[str]:
    with sessions() as session:
        query = select(Voucher.code).where(Voucher.batch_id == batch_id).order_by(Voucher.code)
        return list(session.scalars(query))


def _generate(web: TestClient, csrf: str, world: World, **fields: str) -> object:
    form = {"csrf": csrf, "site": "desa-a", "profile": str(world.ids["profile_all"])}
    return web.post("/admin/vouchers/new?lang=en", data=form | {"count": "7"} | fields)


def _wait(web: TestClient, location: str) -> str:
    """The job page once the job has finished (it reloads itself every 2 s until then)."""
    deadline = time.monotonic() + 180
    while True:
        page = web.get(location + "?lang=en")
        assert page.status_code == 200, page.text
        if 'http-equiv="refresh"' not in page.text:
            assert "refresh" not in page.headers
            return page.text
        assert page.headers["refresh"] == "2" and re.search(r"\d+ of \d+", page.text)
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.2)


def test_form_generates_a_batch_and_shows_its_page(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    form = web.get("/admin/vouchers/new?lang=en").text
    assert 'value="desa-a"' in form and 'value="desa-b"' not in form
    assert ">umum<" in form and ">kukar<" in form and ">kubar<" not in form  # profile_filter
    answer = _generate(web, csrf, world, prefix="kt", note="pasar")
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    location = answer.headers["location"]  # type: ignore[attr-defined]
    batch_id = int(location.rsplit("/", 1)[1])
    codes = _batch_codes(sessions, batch_id)
    assert len(codes) == 7 and all(code.startswith("KT") for code in codes)
    page = web.get(location + "?lang=en").text
    assert "pasar" in page and "desa-a" in page and format_code(codes[0]) in page
    assert f"/admin/vouchers/batches/{batch_id}/pdf?layout=a4" in page
    (entry,) = _audit(sessions, "vouchers.generate")[-1:]
    assert (entry.actor, entry.object_id, entry.detail["count"]) == ("desa-a", str(batch_id), 7)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"count": "0"}, "count must be between 1 and"),
        ({"count": "many"}, "give the number of cards"),
        ({"prefix": "O0"}, "a voucher prefix is up to"),
    ],
)
def test_form_errors_come_back_with_the_form(
    web: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    fields: dict[str, str],
    message: str,
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    before = len(_audit(sessions, "vouchers.generate"))  # the world's own batches
    answer = _generate(web, csrf, world, **fields)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert message in answer.text and 'name="count"' in answer.text  # type: ignore[attr-defined]
    assert len(_audit(sessions, "vouchers.generate")) == before


def test_list_filters_by_status_and_code_and_revokes(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    codes = world.codes["a"]
    page = web.get("/admin/vouchers?lang=en").text
    assert all(format_code(c) in page for c in codes)
    assert not any(format_code(c) in page for c in world.codes["b"] + world.codes["c"])
    typed = format_code(codes[2])[:7].lower()  # as read off a card: 'abcde-f'
    found = web.get("/admin/vouchers", params={"q": typed, "lang": "en"}).text
    assert format_code(codes[2]) in found and format_code(codes[0]) not in found
    here = "/admin/vouchers?status=unused&p=1"
    listed = web.get(here + "&lang=en").text
    ask = f"/admin/vouchers/{world.ids['voucher_a']}/revoke?next="
    assert ask in listed and f'action="{ask[:-6]}"' not in listed  # a link to ask first
    confirm = web.get(ask + quote(here) + "&lang=en").text
    assert "cannot be undone" in confirm and format_code(codes[0]) in confirm
    assert f'value="{here.replace("&", "&amp;")}"' in confirm
    answer = web.post(
        f"/admin/vouchers/{world.ids['voucher_a']}/revoke", data={"csrf": csrf, "next": here}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == here + "&revoked=0"  # no live session to end
    assert "was revoked" in web.get(answer.headers["location"] + "&lang=en").text
    revoked = web.get("/admin/vouchers?status=revoked&lang=en").text
    assert format_code(codes[0]) in revoked and format_code(codes[1]) not in revoked
    unused = web.get("/admin/vouchers?status=unused&lang=en").text
    assert format_code(codes[0]) not in unused and format_code(codes[1]) in unused
    with sessions() as session:
        account = session.get(Account, world.ids["voucher_a"])
        assert account is not None and account.status is AccountStatus.REVOKED
    assert web.get("/admin/vouchers?site=desa-c").status_code == 404


def test_handing_out_a_range_from_the_batch_page(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    codes = sorted(world.codes["a"])
    path = f"/admin/vouchers/batches/{world.ids['batch_a']}"
    form = {"csrf": csrf, "first_code": format_code(codes[1]), "last_code": codes[3].lower()}
    answer = web.post(f"{path}/distributed", data=form)
    assert answer.status_code == 303 and answer.headers["location"] == f"{path}?marked=3"
    assert "3 voucher(s) marked as handed out" in web.get(f"{path}?marked=3&lang=en").text
    bad = web.post(f"{path}/distributed?lang=en", data=form | {"last_code": "NOPE"})
    assert bad.status_code == 400 and "is not in this batch" in bad.text
    (entry,) = _audit(sessions, "vouchers.distribute")
    assert entry.detail == {"first_code": codes[1], "last_code": codes[3], "count": 3}
    assert entry.site_id == world.ids["site_a"]


def test_csv_export_lists_every_card_of_the_batch(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    sign_in(web, sessions, "kab_own")
    answer = web.get(f"/admin/vouchers/batches/{world.ids['batch_a']}/csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["code"] for r in rows] == sorted(world.codes["a"])
    assert {(r["site"], r["profile"], r["status"]) for r in rows} == {("desa-a", "umum", "unused")}
    (entry,) = _audit(sessions, "vouchers.export")
    assert (entry.actor, entry.site_id) == ("kab-own", world.ids["site_a"])


@pytest.mark.parametrize("layout", ["a4", "strip58"])
def test_print_view_and_pdf_show_every_code_and_qr_codes_open_the_portal(
    web: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    settings: Settings,
    layout: str,
) -> None:
    sign_in(web, sessions, "desa_a")
    codes = world.codes["a"]
    path = f"/admin/vouchers/batches/{world.ids['batch_a']}"
    view = web.get(f"{path}/print?layout={layout}")
    assert view.status_code == 200
    assert all(format_code(code) in view.text for code in codes)
    assert view.text.count('class="qr"') == len(codes)
    answer = web.get(f"{path}/pdf?layout={layout}")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    pages = read_pdf(answer.content)
    text = "\n".join(page.text for page in pages)
    assert all(format_code(code) in text for code in codes)
    decoded = sorted(url for page in pages for url in page.qr_codes)
    assert decoded == sorted(card_url(settings.public_url, code, "desa-a") for code in codes)
    assert decoded[0].startswith(settings.public_url + "/")
    entries = _audit(sessions, "vouchers.print")
    assert [(e.actor, e.detail["medium"], e.detail["layout"]) for e in entries] == [
        ("desa-a", "html", layout),
        ("desa-a", "pdf", layout),
    ]


def test_large_pdf_is_drawn_in_the_background(
    web: TestClient,
    world: World,
    sessions: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vouchers_print, "BACKGROUND_PDF", 3)
    sign_in(web, sessions, "desa_a")
    answer = web.get(f"/admin/vouchers/batches/{world.ids['batch_a']}/pdf?layout=a4")
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/admin/vouchers/jobs/[\w-]{16}", location)
    done = _wait(web, location)
    assert f'href="{location}/file"' in done
    pdf = web.get(f"{location}/file")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    decoded = sorted(url for page in read_pdf(pdf.content) for url in page.qr_codes)
    assert decoded == sorted(card_url(settings.public_url, c, "desa-a") for c in world.codes["a"])
    assert len(_audit(sessions, "vouchers.print")) == 1
    sign_in(web, sessions, "kab_own")  # someone else's job is gone for them
    assert web.get(location).status_code == 410
    assert web.get(f"{location}/file").status_code == 410


def test_large_batch_is_generated_in_the_background(
    web: TestClient, world: World, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vouchers, "BACKGROUND_GENERATE", 5)
    csrf = sign_in(web, sessions, "desa_a")
    refused = _generate(web, csrf, world, count="8", prefix="O")  # checked before it starts
    assert refused.status_code == 400  # type: ignore[attr-defined]
    answer = _generate(web, csrf, world, count="8")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    done = _wait(web, answer.headers["location"])  # type: ignore[attr-defined]
    match = re.search(r'href="(/admin/vouchers/batches/(\d+))"', done)
    assert match, done
    assert len(_batch_codes(sessions, int(match.group(2)))) == 8
    (entry,) = _audit(sessions, "vouchers.generate")[-1:]
    assert (entry.actor, entry.detail["count"]) == ("desa-a", 8)


def test_api_generates_lists_hands_out_exports_and_revokes(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    bearer = {"Authorization": f"Bearer {world.api_tokens['desa_a']}"}
    body = {"site": "desa-a", "profile": "kukar", "count": 4, "prefix": "AP"}
    created = web.post("/api/vouchers/batches", json=body, headers=bearer)
    assert created.status_code == 201, created.text
    batch, codes = created.json()["batch"], created.json()["codes"]
    assert (batch["site"], batch["profile"], batch["count"], batch["created_by"]) == (
        "desa-a",
        "kukar",
        4,
        "desa-a",
    )
    assert codes == sorted(codes) and all(c.startswith("AP") for c in codes)
    listed = web.get(
        "/api/vouchers", params={"batch": batch["id"], "status": "unused"}, headers=bearer
    ).json()
    assert listed["total"] == 4 and [v["code"] for v in listed["items"]] == codes
    marked = web.post(
        f"/api/vouchers/batches/{batch['id']}/distributed",
        json={"first_code": codes[0], "last_code": codes[1]},
        headers=bearer,
    )
    assert marked.json() == {"batch_id": batch["id"], "marked": 2}
    account_id = listed["items"][3]["account_id"]
    revoked = web.post(f"/api/vouchers/{account_id}/revoke", headers=bearer)
    assert revoked.json() == {
        "account_id": account_id,
        "status": "revoked",
        "disconnects_queued": 0,
    }
    one = web.get(f"/api/vouchers/batches/{batch['id']}", headers=bearer).json()
    assert (one["distributed"], one["used"], one["revoked"]) == (2, 0, 1)
    exported = web.get(f"/api/vouchers/batches/{batch['id']}/csv", headers=bearer)
    assert [r["code"] for r in csv.DictReader(io.StringIO(exported.text))] == codes
    bad = web.post("/api/vouchers/batches", json=body | {"prefix": "IO"}, headers=bearer)
    assert bad.status_code == 422 and "prefix" in bad.json()["detail"]
    other = web.post("/api/vouchers/batches", json=body | {"profile": "kubar"}, headers=bearer)
    assert other.status_code == 404


def test_some_cards_can_be_reprinted_and_the_range_is_audited(
    web: TestClient, world: World, sessions: sessionmaker[Session], settings: Settings
) -> None:
    sign_in(web, sessions, "desa_a")
    codes = sorted(world.codes["a"])
    path = f"/admin/vouchers/batches/{world.ids['batch_a']}"
    assert 'action="' + path + '/print"' in web.get(path).text
    span = {"first": format_code(codes[3]), "last": codes[1].lower()}  # either order, as typed
    view = web.get(f"{path}/print", params={"layout": "strip58"} | span)
    assert view.status_code == 200
    assert [c for c in codes if format_code(c) in view.text] == codes[1:4]
    pdf = web.get(f"{path}/pdf", params={"layout": "a4", "first": codes[4]})  # to the end
    decoded = sorted(url for page in read_pdf(pdf.content) for url in page.qr_codes)
    assert decoded == [card_url(settings.public_url, c, "desa-a") for c in codes[4:]]
    details = [e.detail for e in _audit(sessions, "vouchers.print")]
    assert details == [
        {
            "layout": "strip58",
            "medium": "html",
            "count": 3,
            "first_code": codes[1],
            "last_code": codes[3],
        },
        {
            "layout": "a4",
            "medium": "pdf",
            "count": 2,
            "first_code": codes[4],
            "last_code": codes[5],
        },
    ]
    empty = web.get(f"{path}/pdf", params={"first": "ZZZZZZZZZZZZ", "lang": "en"})
    assert empty.status_code == 400 and "no card of this batch" in empty.text
    assert len(_audit(sessions, "vouchers.print")) == 2


def test_pages_and_their_errors_are_in_indonesian_by_default(
    web: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    csrf = sign_in(web, sessions, "desa_a")
    assert "Batch voucher baru" in web.get("/admin/vouchers/new").text
    assert "belum dipakai" in web.get("/admin/vouchers").text
    form = {"csrf": csrf, "site": "desa-a", "profile": str(world.ids["profile_all"])}
    answer = web.post("/admin/vouchers/new", data=form | {"count": "0"})
    assert "jumlah harus antara 1 dan 50000" in answer.text
    path = f"/admin/vouchers/batches/{world.ids['batch_a']}/distributed"
    bad = web.post(path, data={"csrf": csrf, "first_code": "ab-cd", "last_code": "ABCD"})
    # Which end of the range is wrong, not the code itself: errors may be logged, and a
    # voucher code is a bearer secret.
    assert "kode pertama tidak ada di batch ini" in bad.text
