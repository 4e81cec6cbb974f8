"""The html files a MikroTik hotspot serves (templates/mikrotik/), rendered for one router.

They keep RouterOS's own `$(variable)` placeholders and add ours: the portal's address and the
router's name, so the portal knows which router (and which secret, which site) is asking.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from wifidesa.errors import ErrorCode, InvalidInput

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mikrotik"
FILES = ("login.html", "alogin.html", "flogin.html", "status.html", "logout.html")


def render_hotspot_files(*, router_name: str, portal_url: str) -> dict[str, str]:
    """File name → content, for `/ip hotspot` html-directory of this router."""
    if not portal_url.startswith(("http://", "https://")):
        raise InvalidInput(ErrorCode.BAD_PORTAL_URL, url=portal_url)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    portal = portal_url.rstrip("/")
    return {
        name: env.get_template(name).render(portal=portal, router=router_name) for name in FILES
    }
