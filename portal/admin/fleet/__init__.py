"""The fleet's pages and JSON API: routers' health, one router's history, the outage log."""
