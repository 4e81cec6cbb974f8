"""The dispatcher's framing and routing: retransmissions and sessions stay with one worker."""

from __future__ import annotations

import os

from radius.dictionary import Code
from radius.dispatcher import acct_session_id, frame, route, unframe, unframe_all


def _packet(code: int, *attrs: tuple[int, bytes], ident: int = 7) -> bytes:
    body = b"".join(bytes([k, len(v) + 2]) + v for k, v in attrs)
    return bytes([code, ident]) + (20 + len(body)).to_bytes(2, "big") + os.urandom(16) + body


def test_frames_round_trip_for_ipv4_and_ipv6() -> None:
    data = _packet(1, (1, b"user"))
    for addr in (("127.0.0.1", 1812), ("::1", 65535)):
        assert unframe(frame(Code.ACCESS_REQUEST, data, addr)) == (Code.ACCESS_REQUEST, data, addr)


def test_a_burst_travels_in_one_message_in_order() -> None:
    burst = [
        (Code.ACCESS_REQUEST, _packet(1, (1, b"a")), ("127.0.0.1", 1000)),
        (Code.ACCOUNTING_REQUEST, _packet(4, (44, b"s1")), ("10.0.0.1", 2000)),
        (Code.ACCESS_REQUEST, _packet(1, (1, b"b" * 200)), ("::1", 3000)),
    ]
    assert list(unframe_all(b"".join(frame(*f) for f in burst))) == burst


def test_acct_session_id_is_found_without_decoding() -> None:
    data = _packet(4, (1, b"user"), (40, b"\x00\x00\x00\x03"), (44, b"81a00001"))
    assert acct_session_id(data) == b"81a00001"
    assert acct_session_id(_packet(4, (1, b"user"))) == b""
    assert acct_session_id(data[:25] + b"\x2c\x00") == b""  # zero length: stop, no loop


def test_a_retransmission_goes_to_the_same_worker_and_requests_spread() -> None:
    data = _packet(1, (1, b"user"))
    addr = ("127.0.0.1", 40000)
    assert len({route(Code.ACCESS_REQUEST, data, addr, 4) for _ in range(5)}) == 1
    spread = {
        route(Code.ACCESS_REQUEST, _packet(1, (1, b"u"), ident=i), addr, 4) for i in range(64)
    }
    assert spread == {0, 1, 2, 3}  # one busy router still uses every worker


def test_all_records_of_a_session_go_to_one_worker() -> None:
    addr = ("127.0.0.1", 40000)
    targets = {
        route(
            Code.ACCOUNTING_REQUEST, _packet(4, (40, status), (44, b"81a00001"), ident=i), addr, 8
        )
        for i, status in enumerate((b"\0\0\0\1", b"\0\0\0\3", b"\0\0\0\2"))
    }
    assert len(targets) == 1


def test_on_sqlite_one_worker_takes_all_accounting_and_no_logins() -> None:
    addr = ("127.0.0.1", 40000)
    accounting = {
        route(
            Code.ACCOUNTING_REQUEST,
            _packet(4, (44, f"s{i}".encode())),
            addr,
            4,
            one_accounting_worker=True,
        )
        for i in range(32)
    }
    assert accounting == {0}
    auth = {
        route(
            Code.ACCESS_REQUEST, _packet(1, (1, b"u"), ident=i), addr, 4, one_accounting_worker=True
        )
        for i in range(64)
    }
    assert auth == {1, 2, 3}
