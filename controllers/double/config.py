"""The configuration menus a simulated router holds, as a table: `/radius`,
`/radius/incoming`, `/ip/hotspot/profile`, `/ip/hotspot/walled-garden`, `/ip/service`.

Each menu is a list (add/set/remove by `.id`), a single value (one row, `set` without an id)
or a fixed list (built-in rows that can only be `set`). Fields carry RouterOS 7's names and
defaults and, where RouterOS added one later, the version it came with: a router older than
that traps on the field, as RouterOS does (Ansible's community.routeros reads the version and
leaves such a field out)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from controllers.double.trap import Trap

Config = dict[str, str]


class Kind(StrEnum):
    LIST = "list"
    SINGLE = "single"
    FIXED = "fixed"


@dataclass(frozen=True)
class Field:
    default: str | None = None  # None: not printed until set
    boolean: bool = False  # yes/no/true/false in, `true`/`false` out
    since: tuple[int, ...] = ()  # the RouterOS version that added it


@dataclass(frozen=True)
class Menu:
    kind: Kind
    fields: dict[str, Field]
    builtin: tuple[Config, ...] = ()  # the rows a fresh router has


ANY = "0.0.0.0"  # noqa: S104 (RouterOS's "none" address, a default, not a bind)
_BOOL_FALSE = Field("false", boolean=True)
_BOOL_TRUE = Field("true", boolean=True)
_SERVICES = {"telnet": 23, "ftp": 21, "www": 80, "ssh": 22, "www-ssl": 443, "api": 8728}
_SERVICES |= {"winbox": 8291, "api-ssl": 8729}

MENUS: dict[str, Menu] = {
    "/radius": Menu(
        Kind.LIST,
        {
            "service": Field(""),
            "address": Field(ANY),
            "secret": Field(""),
            "authentication-port": Field("1812"),
            "accounting-port": Field("1813"),
            "timeout": Field("300ms"),
            "src-address": Field(ANY),
            "protocol": Field("udp"),
            "accounting-backup": _BOOL_FALSE,
            "require-message-auth": Field("yes-for-request-resp", since=(7, 15)),
            "comment": Field(),
            "disabled": _BOOL_FALSE,
        },
    ),
    "/radius/incoming": Menu(
        Kind.SINGLE, {"accept": _BOOL_FALSE, "port": Field("3799")}, builtin=({},)
    ),
    "/ip/hotspot/profile": Menu(
        Kind.LIST,
        {
            "name": Field(),
            "hotspot-address": Field(ANY),
            "dns-name": Field(""),
            "html-directory": Field("flash/hotspot"),
            "html-directory-override": Field(""),
            "http-cookie-lifetime": Field("3d"),
            "login-by": Field("cookie,http-chap"),
            "use-radius": _BOOL_FALSE,
            "radius-accounting": _BOOL_TRUE,
            "radius-interim-update": Field("received"),
            "radius-default-domain": Field(""),
            "radius-location-id": Field(""),
            "radius-location-name": Field(""),
            "radius-mac-format": Field("XX:XX:XX:XX:XX:XX"),
            "nas-port-type": Field("wireless-802.11"),
            "split-user-domain": _BOOL_FALSE,
            "install-hotspot-queue": _BOOL_FALSE,
        },
        builtin=({"name": "default"},),
    ),
    "/ip/hotspot/walled-garden": Menu(
        Kind.LIST,
        {
            "action": Field("allow"),
            "dst-host": Field(),
            "dst-port": Field(),
            "path": Field(),
            "method": Field(),
            "server": Field(),
            "src-address": Field(),
            "comment": Field(),
            "disabled": _BOOL_FALSE,
        },
    ),
    "/ip/service": Menu(
        Kind.FIXED,
        {
            "name": Field(),
            "port": Field(),
            "address": Field(""),
            "certificate": Field(),
            "max-sessions": Field("20", since=(7, 16)),
            "disabled": _BOOL_FALSE,
        },
        builtin=tuple({"name": name, "port": str(port)} for name, port in _SERVICES.items()),
    ),
}


def parse_version(text: str) -> tuple[int, ...]:
    """`7.16.2 (stable)` → (7, 16, 2)."""
    head = text.split(" ", 1)[0]
    return tuple(int(part) for part in head.split(".") if part.isdigit())


def fresh_config(next_id: Callable[[], str]) -> dict[str, list[Config]]:
    """Every menu as a new router has it: the built-in rows (with ids, but a single value's)."""
    return {
        path: [
            ({} if menu.kind is Kind.SINGLE else {".id": next_id()}) | dict(row)
            for row in menu.builtin
        ]
        for path, menu in MENUS.items()
    }


def printed(path: str, rows: list[Config], version: str) -> list[Config]:
    """Rows as `print` shows them: every field that has a value or a default."""
    menu, known = MENUS[path], parse_version(version)
    shown = []
    for row in rows:
        out = {".id": row[".id"]} if ".id" in row else {}
        for name, spec in menu.fields.items():
            value = row.get(name, spec.default)
            if spec.since <= known and value is not None:
                out[name] = value
        shown.append(out)
    return shown


def add_row(
    path: str, rows: list[Config], given: dict[str, bytes], *, new_id: str, version: str
) -> None:
    """`add`: a list's new row (a fixed or single menu has no `add`)."""
    menu = MENUS[path]
    if menu.kind is not Kind.LIST:
        raise Trap("no such command")
    row = _values(menu, given, parse_version(version))
    unset = [name for name, value in row.items() if value is None]
    if unset:
        raise Trap(f"unknown parameter !{unset[0]}", category=1)
    if "name" in menu.fields and any(r.get("name") == row.get("name") for r in rows):
        raise Trap("failure: already have such name", category=1)
    rows.append({".id": new_id} | {k: v for k, v in row.items() if v is not None})


def set_rows(
    path: str, rows: list[Config], ids: list[str] | None, given: dict[str, bytes], *, version: str
) -> None:
    """`set`: the rows named by `.id` (a single value's one row: no id). `=!field=` unsets a
    field (back to its default), as community.routeros sends it."""
    menu = MENUS[path]
    values = _values(menu, given, parse_version(version))
    if menu.kind is Kind.FIXED and "name" in values:
        raise Trap("failure: can not change name of built-in entry", category=1)
    for row in rows if menu.kind is Kind.SINGLE else find(rows, ids or []):
        for name, value in values.items():
            if value is None:
                row.pop(name, None)
            else:
                row[name] = value


def remove_rows(path: str, rows: list[Config], ids: list[str]) -> None:
    """`remove` by `.id` (lists only)."""
    if MENUS[path].kind is not Kind.LIST:
        raise Trap("no such command")
    gone = find(rows, ids)
    rows[:] = [row for row in rows if not any(row is g for g in gone)]


def find(rows: list[Config], ids: list[str]) -> list[Config]:
    by_id = {row.get(".id"): row for row in rows}
    if not ids or any(item not in by_id for item in ids):
        raise Trap("no such item", category=1)
    return [by_id[item] for item in ids]


def _values(menu: Menu, given: dict[str, bytes], version: tuple[int, ...]) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for key, raw in given.items():
        if key in (".id", "numbers"):
            continue
        name = key.removeprefix("!")
        spec = menu.fields.get(name)
        if spec is None or spec.since > version:
            # What RouterOS answers for a field it does not have (e.g. require-message-auth
            # before 7.15).
            raise Trap(f"unknown parameter {name}", category=1)
        text = raw.decode("utf-8", "replace")
        if key.startswith("!") or (name == "comment" and not text):
            values[name] = None
        elif spec.boolean:
            if text not in ("yes", "no", "true", "false"):
                raise Trap(f"value of {name} must be yes or no", category=1)
            values[name] = "true" if text in ("yes", "true") else "false"
        else:
            values[name] = text
    return values
