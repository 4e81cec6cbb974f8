"""Faults a simulated router can show, switchable while it runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Faults:
    """What is wrong with one router right now.

    `delay` is added to every answer *inside the double* (each reply is held back that long
    after its command arrived; replies overlap as on a real link, so pipelined commands cost
    one delay, not one each). It models a VSAT round trip (~0.7 s) without netem: the TCP and
    TLS handshakes themselves are not delayed, and no bandwidth limit or packet loss below TCP
    is modelled.
    """

    delay: float = 0.0  # seconds added to every reply
    silent: bool = False  # accepts connections and commands, never answers
    refuse: bool = False  # the API port is closed: connections are refused
    # Logs in, then sends half of the first answer to a command and resets the connection.
    drop_mid_reply: bool = False
    loss: float = 0.0  # the fraction of commands that get no answer at all
    wrong_password: bool = False  # every login is refused, as if our password were changed
