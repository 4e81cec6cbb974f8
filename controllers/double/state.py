"""What one simulated router holds: identity, resources, interfaces with growing counters,
the hotspot's active list and files, and its configuration menus. Tests change it from their
own thread while the double's event loop reads it, so every access goes through the router's
lock."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from controllers.double.config import Config, fresh_config

MiB = 1024 * 1024


def format_uptime(seconds: int) -> str:
    """Uptime the way RouterOS writes it: weeks and days, then hh:mm:ss (`1w2d03:04:05`)."""
    weeks, rest = divmod(seconds, 7 * 86400)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    head = (f"{weeks}w" if weeks else "") + (f"{days}d" if days else "")
    return f"{head}{hours:02d}:{minutes:02d}:{secs:02d}"


@dataclass
class Interface:
    name: str
    type: str = "ether"
    rx_rate: int = 0  # bytes per second the counters grow by
    tx_rate: int = 0
    rx_base: int = 0
    tx_base: int = 0


@dataclass
class ActiveUser:
    id: str
    user: str
    mac_address: str
    address: str
    server: str = "hotspot1"
    login_by: str = "http-chap"
    bytes_in: int = 0
    bytes_out: int = 0
    since: float = 0.0  # clock value at login


@dataclass
class File:
    id: str
    name: str
    type: str
    contents: bytes


@dataclass
class RouterState:
    """One router. `clock` is monotonic seconds; uptime and counters follow it."""

    identity: str = "MikroTik"
    version: str = "7.16.2 (stable)"
    board_name: str = "hAP ac^2"
    architecture: str = "arm"
    serial_number: str = "HD1234567AB"
    firmware: str = "7.16.2"
    cpu_load: int = 3
    free_memory: int = 180 * MiB
    total_memory: int = 256 * MiB
    uptime_at_start: int = 3600  # how long the router had been up when the double started it
    clock: Callable[[], float] = time.monotonic
    interfaces: list[Interface] = field(default_factory=list)
    active: list[ActiveUser] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    # The configuration menus (controllers.double.config): path → rows.
    config: dict[str, list[Config]] = field(default_factory=dict)
    reboots: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _booted_at: float = field(init=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    def __post_init__(self) -> None:
        self._booted_at = self.clock() - self.uptime_at_start
        if not self.config:
            self.config = fresh_config(self.next_id)
        if not self.interfaces:
            self.interfaces = [
                Interface("ether1", rx_rate=250_000, tx_rate=40_000),
                Interface("bridge-hotspot", type="bridge", rx_rate=40_000, tx_rate=250_000),
                Interface("wlan1", type="wlan", rx_rate=30_000, tx_rate=200_000),
            ]

    def next_id(self) -> str:
        """An item id as RouterOS writes them (`*1A`)."""
        return f"*{next(self._ids):X}"

    def uptime_seconds(self) -> int:
        with self.lock:
            return int(self.clock() - self._booted_at)

    def counters(self, interface: Interface) -> tuple[int, int]:
        """(rx-byte, tx-byte) now: they grow with the time since boot."""
        up = self.clock() - self._booted_at
        return interface.rx_base + int(interface.rx_rate * up), interface.tx_base + int(
            interface.tx_rate * up
        )

    def reboot(self) -> None:
        """Start again: uptime and counters from zero, nobody logged in. Files stay (flash)."""
        with self.lock:
            self._booted_at = self.clock()
            for interface in self.interfaces:
                interface.rx_base = interface.tx_base = 0
            self.active.clear()
            self.reboots += 1

    def add_active(
        self, *, user: str, mac_address: str, address: str, bytes_in: int = 0, bytes_out: int = 0
    ) -> ActiveUser:
        """Log a hotspot user in (what RADIUS would have admitted)."""
        with self.lock:
            entry = ActiveUser(
                id=self.next_id(),
                user=user,
                mac_address=mac_address,
                address=address,
                bytes_in=bytes_in,
                bytes_out=bytes_out,
                since=self.clock(),
            )
            self.active.append(entry)
            return entry

    def file_named(self, name: str) -> File | None:
        with self.lock:
            return next((f for f in self.files if f.name == name), None)

    def config_rows(self, path: str) -> list[Config]:
        """A copy of a configuration menu's rows (`/radius`, `/ip/service`, ...), as stored."""
        with self.lock:
            return [dict(row) for row in self.config[path]]
