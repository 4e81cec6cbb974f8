"""Alerts out of the building: e-mail (SMTP), a Telegram bot and webhooks, sending what the
core's notification outbox holds (wifidesa.alerts)."""
