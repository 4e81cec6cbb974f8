"""Telegram: the bot's sendMessage, to the channel's chat id.

The bot token is part of every request's path (Telegram's API has no other way): it is
scrubbed from whatever a failure says, and never logged.
"""

from __future__ import annotations

from controllers.notify.posting import post_json, scrub
from wifidesa.alerts.channels import Destination
from wifidesa.alerts.delivery import SendFailed
from wifidesa.alerts.outbox import Claimed

MAX_TEXT = 4096  # Telegram refuses longer messages


class TelegramSender:
    def __init__(self, *, token: str, api_url: str, timeout: float) -> None:
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"TelegramSender(api_url={self.api_url!r})"

    def __call__(self, to: Destination, item: Claimed) -> None:
        if not self._token:
            raise SendFailed("no Telegram bot token configured (WIFIDESA_TELEGRAM_BOT_TOKEN)")
        text = f"{item.subject}\n\n{item.body}"[:MAX_TEXT]
        answer = post_json(
            f"{self.api_url}/bot{self._token}/sendMessage",
            {"chat_id": to.address, "text": text, "disable_web_page_preview": True},
            timeout=self.timeout,
            secrets=[self._token],
        )
        document = answer.json()
        if answer.status == 200 and isinstance(document, dict) and document.get("ok") is True:
            return
        description = document.get("description") if isinstance(document, dict) else None
        why = f"HTTP {answer.status}"
        if isinstance(description, str):
            why = f"{why}: {description[:120]}"
        raise SendFailed(scrub(why, [self._token]))
