"""One router's RouterOS API connection (routeros-api), kept open between polls, used by one
thread at a time: the health poll, the hotspot's active users, kicks and files."""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import routeros_api
from routeros_api import exceptions as api_errors

from controllers.failures import RouterError, classify, describe
from controllers.timeouts import Timeouts
from controllers.values import parse_int, text, uptime_or_none
from wifidesa.fleet.samples import Failure, Sample
from wifidesa.fleet.targets import ApiTarget

logger = logging.getLogger(__name__)

T = TypeVar("T")
# RouterOS reads and writes a file's `contents` over the API up to about 60 KB (its manual).
MAX_FILE_BYTES = 60_000
_RESOURCE_FIELDS = b"uptime,version,cpu-load,free-memory,total-memory,board-name"


@dataclass(frozen=True)
class ActiveUser:
    """One entry of the router's `/ip/hotspot/active`."""

    id: str  # the router's `.id`, e.g. "*1A"
    user: str
    mac_address: str
    address: str
    bytes_in: int | None
    bytes_out: int | None


def _mac(mac: str) -> str:
    # RouterOS writes MACs upper case with colons, and its queries compare text.
    return mac.strip().upper().replace("-", ":")


def _optional(read: Callable[[], T]) -> T | None:
    # A `!trap` is a whole answer (the session stays in step): a router without the hotspot
    # package still reports its health, with no hotspot count.
    try:
        return read()
    except api_errors.RouterOsApiCommunicationError:
        return None


class RouterConnection:
    """The API session with ONE router. Not thread-safe: one user at a time (routeros-api
    isn't either). After any failure the session is dropped, because a late reply to a
    timed-out command would otherwise answer the next one; the next use reconnects."""

    def __init__(self, target: ApiTarget, timeouts: Timeouts | None = None) -> None:
        self.target = target
        self.timeouts = timeouts or Timeouts()
        self._pool: Any = None
        self._api: Any = None

    # -- the session -------------------------------------------------------------------------

    def _tls_context(self) -> ssl.SSLContext | None:
        if not self.target.use_tls or self.target.tls_ca_file is None:
            return None
        context = ssl.create_default_context(cafile=self.target.tls_ca_file)
        # Routers are reached by a (VPN) address their certificate rarely names; the private
        # CA is what vouches for them.
        context.check_hostname = False
        return context

    def _connect(self) -> Any:
        if self._api is not None:
            return self._api
        target = self.target
        pool = routeros_api.RouterOsApiPool(
            target.host,
            username=target.username,
            password=target.password,
            port=target.port,
            plaintext_login=True,
            use_ssl=target.use_tls,
            ssl_verify=target.tls_ca_file is not None,
            ssl_context=self._tls_context(),
        )
        # routeros-api uses its timeout (15 s by default) only for sockets opened after it is
        # set, so it is set before get_api(): it bounds connect, TLS handshake and login.
        pool.set_timeout(self.timeouts.connect)
        self._pool = pool
        self._api = self._guard(pool.get_api, logging_in=True)
        pool.set_timeout(self.timeouts.read)
        return self._api

    def _guard(self, call: Callable[[], T], *, logging_in: bool = False) -> T:
        try:
            return call()
        except Exception as error:
            failure = classify(error, logging_in=logging_in)
            detail = describe(error, secrets=(self.target.password,))
            self.close()
            logger.info("router %s: %s (%s)", self.target.router_id, failure, detail)
            raise RouterError(failure, detail) from None

    def _run(self, work: Callable[[Any], T]) -> T:
        reused = self._api is not None
        api = self._connect()
        try:
            return self._guard(lambda: work(api))
        except RouterError as error:
            if not (reused and error.failure is Failure.DROPPED):
                raise
        # A session kept open between polls can die while idle (the router restarted, a NAT
        # or the VPN forgot it): that costs one fresh try, not a failed poll. Only DROPPED:
        # retrying a timeout would double the wait for a router that is not answering.
        api = self._connect()
        return self._guard(lambda: work(api))

    def close(self) -> None:
        """Drop the session (the next use connects anew)."""
        pool, self._pool, self._api = self._pool, None, None
        if pool is not None:
            pool.disconnect()

    @property
    def connected(self) -> bool:
        return self._api is not None

    # -- health ------------------------------------------------------------------------------

    def poll(self, now: datetime) -> Sample:
        """One health sample; a failure is reported in the sample, never raised."""
        try:
            return self._run(lambda api: self._sample(api, now))
        except RouterError as error:
            return Sample(router_id=self.target.router_id, at=now, failure=error.failure)

    def _sample(self, api: Any, now: datetime) -> Sample:
        # Four commands, sent together before any answer is read (RouterOS answers tagged
        # commands independently): on a ~700 ms VSAT link the poll costs one round trip (plus
        # the login's on a fresh session) instead of four. /system/resource carries the
        # board name, so /system/routerboard is not asked; count-only keeps the hotspot's
        # active list off the link; .proplist trims the rest.
        started = time.perf_counter()
        identity = api.get_binary_resource("/system/identity").call_async("print")
        resource = api.get_binary_resource("/system/resource").call_async(
            "print", {".proplist": _RESOURCE_FIELDS}
        )
        active = api.get_binary_resource("/ip/hotspot/active").call_async(
            "print", {"count-only": b""}
        )
        wan = api.get_binary_resource("/interface").call_async(
            "print",
            {".proplist": b"name,rx-byte,tx-byte"},
            {"name": self.target.wan_interface.encode()},
        )
        names = identity.get()
        # The round trip of the first (short) command of the batch.
        rtt_ms = (time.perf_counter() - started) * 1000
        resources = resource.get()
        count = _optional(lambda: active.get().done_message.get("ret"))
        interfaces = _optional(wan.get) or []
        res = resources[0] if resources else {}
        interface = interfaces[0] if interfaces else {}
        uptime = text(res.get("uptime"))
        return Sample(
            router_id=self.target.router_id,
            at=now,
            rtt_ms=round(rtt_ms, 1),
            identity=text(names[0].get("name")) if names else None,
            version=text(res.get("version")),
            board=text(res.get("board-name")),
            uptime_seconds=uptime_or_none(uptime),
            cpu_load=parse_int(res.get("cpu-load")),
            free_memory=parse_int(res.get("free-memory")),
            total_memory=parse_int(res.get("total-memory")),
            hotspot_active=parse_int(count),
            wan_rx_bytes=parse_int(interface.get("rx-byte")),
            wan_tx_bytes=parse_int(interface.get("tx-byte")),
        )

    # -- hotspot -----------------------------------------------------------------------------

    def active_users(self) -> list[ActiveUser]:
        """Who the router's hotspot has logged in right now."""
        return self._run(self._active_users)

    @staticmethod
    def _active_users(api: Any, queries: dict[str, bytes] | None = None) -> list[ActiveUser]:
        rows = api.get_binary_resource("/ip/hotspot/active").call(
            "print",
            {".proplist": b".id,user,mac-address,address,bytes-in,bytes-out"},
            queries or {},
        )
        return [
            ActiveUser(
                id=text(row.get("id")) or "",
                user=text(row.get("user")) or "",
                mac_address=text(row.get("mac-address")) or "",
                address=text(row.get("address")) or "",
                bytes_in=parse_int(row.get("bytes-in")),
                bytes_out=parse_int(row.get("bytes-out")),
            )
            for row in rows
        ]

    def kick(self, *, user: str | None = None, mac: str | None = None) -> int:
        """Log out the hotspot entries of `user` and/or `mac` (both given: entries matching
        both); how many were removed."""
        if user is None and mac is None:
            raise ValueError("kick needs a user or a MAC")
        queries: dict[str, bytes] = {}
        if user is not None:
            queries["user"] = user.encode()
        if mac is not None:
            queries["mac-address"] = _mac(mac).encode()
        return self._run(lambda api: self._kick(api, queries))

    def _kick(self, api: Any, queries: dict[str, bytes]) -> int:
        entries = self._active_users(api, queries)
        if not entries:
            return 0
        ids = ",".join(entry.id for entry in entries).encode()
        api.get_binary_resource("/ip/hotspot/active").call("remove", {".id": ids})
        return len(entries)

    def file_contents(self, name: str) -> bytes | None:
        """The contents of the router's file `name`, None if it has none of that name."""
        return self._run(lambda api: self._file_contents(api, name.lstrip("/")))

    @staticmethod
    def _file_contents(api: Any, name: str) -> bytes | None:
        files = api.get_binary_resource("/file")
        found = files.call("print", {".proplist": b"contents"}, {"name": name.encode()})
        return bytes(found[0].get("contents", b"")) if found else None

    def put_file(self, name: str, content: bytes) -> None:
        """Write `content` to the router's file `name` (e.g. "hotspot/login.html"), creating
        it or replacing its contents: RouterOS 7's `/file add ... contents=` and `/file set`
        (the API carries any bytes; RouterOS takes about 60 KB this way)."""
        if len(content) > MAX_FILE_BYTES:
            raise ValueError(f"{name}: {len(content)} bytes, over the API's {MAX_FILE_BYTES}")
        self._run(lambda api: self._put_file(api, name.lstrip("/"), content))

    @staticmethod
    def _put_file(api: Any, name: str, content: bytes) -> None:
        files = api.get_binary_resource("/file")
        found = files.call("print", {".proplist": b".id"}, {"name": name.encode()})
        if found:
            files.call("set", {".id": found[0]["id"], "contents": content})
        else:
            files.call("add", {"name": name.encode(), "type": b"file", "contents": content})
