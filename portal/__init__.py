"""The web edge: captive portal, admin UI, statistics and JSON API (FastAPI + Jinja2)."""
