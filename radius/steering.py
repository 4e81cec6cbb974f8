"""Access-Requests spread over the worker processes by the kernel, not by a dispatcher process.

Each worker gets a socket of its own on the auth port (SO_REUSEPORT), and a classic BPF program
picks the socket from the request itself: the Identifier and the Request Authenticator, which a
retransmission repeats, so it reaches the worker that holds the answer (as the dispatcher's hash
did). On two cores the dispatcher's hop cost a process wake-up and a copy per datagram.
Linux only; elsewhere, or if the kernel refuses the program, the dispatcher routes as before.
"""

from __future__ import annotations

import ctypes
import logging
import socket
from collections.abc import Callable

log = logging.getLogger(__name__)

SO_ATTACH_REUSEPORT_CBPF = 51  # <asm-generic/socket.h>; not exported by Python's socket module


class _Instruction(ctypes.Structure):  # struct sock_filter
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Program(ctypes.Structure):  # struct sock_fprog
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


# The program sees the UDP payload, i.e. the RADIUS packet. A = the four 32-bit words of the
# Request Authenticator (octets 4-19) XOR the Identifier (octet 1), modulo the socket count.
# A packet too short to load from ends the program with 0: socket 0, whose worker drops it.
_LD_W, _LD_B, _TAX, _XOR_X, _MOD_K, _RET_A = 0x20, 0x30, 0x07, 0xAC, 0x94, 0x16


def _instructions(sockets: int) -> list[tuple[int, int]]:
    program = [(_LD_W, 4), (_TAX, 0)]
    for offset in (8, 12, 16):
        program += [(_LD_W, offset), (_XOR_X, 0), (_TAX, 0)]
    return [*program, (_LD_B, 1), (_XOR_X, 0), (_MOD_K, sockets), (_RET_A, 0)]


def _attach(sock: socket.socket, sockets: int) -> None:
    code = _instructions(sockets)
    array = (_Instruction * len(code))(*(_Instruction(op, 0, 0, k) for op, k in code))
    program = _Program(len(code), ctypes.cast(array, ctypes.POINTER(_Instruction)))
    # The kernel copies the program during the call, so `array` need not outlive it.
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, bytes(program))


def steered_sockets(
    open_socket: Callable[..., socket.socket], host: str, port: int, count: int
) -> list[socket.socket] | None:
    """`count` sockets on host:port, request i going to socket i's reader; None if the kernel
    cannot steer (then the caller opens one socket and dispatches)."""
    if not hasattr(socket, "SO_REUSEPORT") or port == 0:
        return None  # port 0 would give each socket a port of its own
    # A plain bind first: SO_REUSEPORT must not let this server join a group that another
    # process (an old server still running) already listens with.
    open_socket(host, port).close()
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(open_socket(host, port, reuse_port=True))
        _attach(sockets[0], count)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        log.info("auth requests go through the dispatcher (no SO_REUSEPORT steering: %s)", exc)
        return None
    return sockets
