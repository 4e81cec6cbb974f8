"""uvicorn's access log, with card links and user names blanked (`wifidesa.redact`).

A card's QR link carries its voucher code in the path (/portal/v/CODE) and the status page a
user name in its query; uvicorn would write both into every access line.
"""

from __future__ import annotations

import logging

from wifidesa import redact

ACCESS_LOGGER = "uvicorn.access"


class RedactTargets(logging.Filter):
    """Rewrites the request target of uvicorn's access records (its third argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact.request_target(args[2]), *args[3:])
        return True


def install() -> None:
    """Put the filter on uvicorn's access logger, once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactTargets) for f in logger.filters):
        logger.addFilter(RedactTargets())
