"""Malformed requests on every anonymous route of the portal, through the real server (uvicorn
on 127.0.0.1, raw bytes on a socket): never a 500 or a traceback; an answer is a 4xx or a page
in Bahasa Indonesia."""

from __future__ import annotations

import logging
import os
import re
from collections import Counter

import pytest
from wdtest.webfuzz import anonymous_routes, requests_for, send_raw_http
from wdtest.webserver import serve_app

from portal.app import create_app
from wifidesa.settings import Settings

from .conftest import Village, router_post

PER_ROUTE = int(os.environ.get("WIFIDESA_WEB_FUZZ_PER_ROUTE", "40"))
SEED = int(os.environ.get("WIFIDESA_FUZZ_SEED", "13"))


def test_malformed_requests_get_a_4xx_or_a_page_in_bahasa_never_a_500(
    settings: Settings,
    village: Village,
    caplog: pytest.LogCaptureFixture,
    backend: str,
) -> None:
    app = create_app(settings)
    routes = anonymous_routes(app)
    # The captive portal, the card page and the admin sign-in at least: a FastAPI upgrade that
    # hid routes from the walk would otherwise leave this test with nothing to try.
    assert {
        ("POST", "/portal/voucher"),
        ("GET", "/portal/v/{code}"),
        ("POST", "/admin/login"),
    } <= set(routes), routes
    values = {
        "code": village.codes[0],
        "language": "id",
        "site_code": "desa-p",
        "router_name": village.router,
        "file_name": "login.html",
    }
    fields = router_post(village) | {
        "code": village.codes[0],
        "username": "budi",
        "password": "salah",
        "accept": "1",
    }
    problems: list[str] = []
    statuses: Counter[int | None] = Counter()
    with caplog.at_level(logging.WARNING), serve_app(app) as base:
        port = int(base.rsplit(":", 1)[1])
        for request in requests_for(
            routes, values=values, fields=fields, per_route=PER_ROUTE, seed=SEED
        ):
            response = send_raw_http(port, request.data)
            statuses[response.status] += 1
            what = f"{request.route} [{request.mutation}]: {response.status}"
            if response.status is None or response.status >= 500:
                problems.append(what)
            elif response.status < 400 and b"text/html" in response.headers.lower():
                lang = re.search(rb'<html[^>]*\slang="([^"]*)"', response.body)
                if lang is not None and lang.group(1) != b"id":
                    problems.append(f"{what} in {lang.group(1)!r}")
    errors = [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info is not None
    ]
    summary = f"{sum(statuses.values())} requests on {len(routes)} routes: {dict(statuses)}"
    print(summary)
    assert problems == [], f"{summary}\n" + "\n".join(problems[:20])
    assert errors == [], f"{summary}\n" + "\n".join(errors[:5])
