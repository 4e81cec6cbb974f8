"""Alerts to admins: their channels (e-mail, Telegram, webhook), who hears of a site, the
messages of fleet events, and a durable outbox that a delivery worker sends from."""
