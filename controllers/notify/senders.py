"""The senders of each kind of channel, from the settings."""

from __future__ import annotations

from controllers.notify.smtp import EmailSender
from controllers.notify.telegram import TelegramSender
from controllers.notify.webhook import WebhookSender
from wifidesa.alerts.delivery import Sender
from wifidesa.db.models import ChannelKind
from wifidesa.settings import Settings


def senders_from(settings: Settings) -> dict[ChannelKind, Sender]:
    timeout = settings.notify_timeout_seconds
    return {
        ChannelKind.EMAIL: EmailSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password,
            mail_from=settings.mail_from,
            timeout=timeout,
        ),
        ChannelKind.TELEGRAM: TelegramSender(
            token=settings.telegram_bot_token, api_url=settings.telegram_api_url, timeout=timeout
        ),
        ChannelKind.WEBHOOK: WebhookSender(timeout=timeout),
    }
