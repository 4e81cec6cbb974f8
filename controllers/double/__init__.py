"""A RouterOS API double: simulated MikroTik routers that speak the real API wire protocol,
hold state (resources, interfaces, the hotspot's active list, files, and the configuration
menus Ansible sets: `/radius`, `/ip/hotspot/profile`, `/ip/service`, ...) and show faults (slow,
lossy, silent, refusing, dropping mid-reply, refusing our password). Tests, benches and
`make run`'s demo use it; the real routeros-api and librouteros libraries talk to it
unchanged."""

from controllers.double.faults import Faults
from controllers.double.runner import DoubleRunner, loopback_routers
from controllers.double.server import DoubleRouter
from controllers.double.state import RouterState

__all__ = ["DoubleRouter", "DoubleRunner", "Faults", "RouterState", "loopback_routers"]
