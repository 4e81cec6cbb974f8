"""Webhooks: the event's fields and its text as JSON, POSTed to the channel's URL. A 2xx
answer is delivered; any other, or none in time, is tried again later. The URL may carry a
token in its path or query: failures name neither."""

from __future__ import annotations

from urllib.parse import urlsplit

from controllers.notify.posting import post_json, scrub
from wifidesa.alerts.channels import Destination
from wifidesa.alerts.delivery import SendFailed
from wifidesa.alerts.outbox import Claimed


def webhook_document(item: Claimed) -> dict[str, object]:
    """What a webhook receives: the event's fields, the subject and text, and the id of the
    notification (delivery is at least once: a receiver may see one twice)."""
    return {**item.fields, "subject": item.subject, "text": item.body, "notification_id": item.id}


class WebhookSender:
    def __init__(self, *, timeout: float) -> None:
        self.timeout = timeout

    def __call__(self, to: Destination, item: Claimed) -> None:
        parts = urlsplit(to.address)
        secrets = [to.address, parts.path, parts.query]
        answer = post_json(
            to.address, webhook_document(item), timeout=self.timeout, secrets=secrets
        )
        if not 200 <= answer.status < 300:
            raise SendFailed(scrub(f"HTTP {answer.status}", secrets))
