"""uvicorn's access lines name no voucher code (card links) and no user name (status page)."""

from __future__ import annotations

import logging

from portal.access_log import ACCESS_LOGGER, RedactTargets, install


def _access_line(target: str) -> str:
    # As uvicorn's httptools/h11 protocols log a request.
    record = logging.LogRecord(
        ACCESS_LOGGER, logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("10.0.0.9:5000", "GET", target, "1.1", 200), None,
    )  # fmt: skip
    RedactTargets().filter(record)
    return record.getMessage()


def test_a_card_link_loses_its_code() -> None:
    line = _access_line("/portal/v/4986GE3BT8")
    assert "4986GE3BT8" not in line and "/portal/v/…" in line


def test_the_status_page_loses_its_user_name() -> None:
    line = _access_line("/portal/status?username=budi&router=r1")
    assert "budi" not in line and "router=r1" in line


def test_the_filter_is_installed_once() -> None:
    install()
    install()
    filters = logging.getLogger(ACCESS_LOGGER).filters
    assert sum(isinstance(f, RedactTargets) for f in filters) == 1
