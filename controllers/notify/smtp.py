"""E-mail over SMTP (smtplib): STARTTLS and login when configured, a timeout on every step.

A failure is told by its SMTP code or the kind of error; never with the server's text, which
may quote the recipient or our login."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from controllers.notify.posting import scrub
from wifidesa.alerts.channels import Destination
from wifidesa.alerts.delivery import SendFailed
from wifidesa.alerts.outbox import Claimed


class EmailSender:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        starttls: bool,
        username: str,
        password: str,
        mail_from: str,
        timeout: float,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.starttls = host, port, starttls
        self.username, self._password = username, password
        self.mail_from, self.timeout = mail_from, timeout
        self.tls_context = tls_context

    def __repr__(self) -> str:
        return f"EmailSender(host={self.host!r}, port={self.port!r})"

    def message(self, to: Destination, item: Claimed, now: datetime) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = to.address
        message["Subject"] = item.subject
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain=self.mail_from.rpartition("@")[2] or None)
        message.set_content(item.body)
        return message

    def __call__(self, to: Destination, item: Claimed) -> None:
        if not self.host:
            raise SendFailed("no SMTP server configured (WIFIDESA_SMTP_HOST)")
        message = self.message(to, item, datetime.now().astimezone())
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=self.tls_context or ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self._password)
                smtp.send_message(message, from_addr=self.mail_from, to_addrs=[to.address])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            raise SendFailed(f"recipient refused (SMTP {', '.join(map(str, codes))})") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise SendFailed(f"SMTP login refused ({exc.smtp_code})") from None
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(f"SMTP {exc.smtp_code}") from None
        except smtplib.SMTPNotSupportedError:
            raise SendFailed("the SMTP server offers no STARTTLS or login") from None
        except smtplib.SMTPServerDisconnected:
            raise SendFailed("the SMTP server closed the connection") from None
        except (OSError, smtplib.SMTPException) as exc:
            why = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
            if isinstance(exc, ConnectionRefusedError):
                why = "connection refused"
            raise SendFailed(scrub(why, [self._password])) from None
