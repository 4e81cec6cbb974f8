"""Reading requests from bytes agrees with pyrad's Packet: same packets refused, same values,
same verdict on every proof."""

from __future__ import annotations

import hashlib
import os
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyrad import packet

from radius import wire
from radius.dictionary import load_dictionary

SECRET = b"router-secret-0123456789"


def _pyrad(data: bytes, cls: type[packet.Packet] = packet.AuthPacket) -> packet.Packet | None:
    try:
        return cls(packet=data, dict=load_dictionary(), secret=SECRET)
    except packet.PacketError:
        return None


def _attr(kind: int, value: bytes) -> bytes:
    return bytes([kind, len(value) + 2]) + value


attributes = st.lists(
    st.tuples(st.sampled_from([1, 2, 3, 4, 25, 31, 33, 44, 60, 80]), st.binary(max_size=40)),
    max_size=8,
)


def _packet(code: int, attrs: list[tuple[int, bytes]], tail: bytes = b"") -> bytes:
    body = b"".join(_attr(k, v) for k, v in attrs) + tail
    return struct.pack("!BBH", code, 7, 20 + len(body)) + os.urandom(16) + body


@given(st.binary(min_size=20, max_size=120))
def test_random_bytes_are_refused_exactly_when_pyrad_refuses_them(data: bytes) -> None:
    data = bytes([1]) + data[1:]
    theirs = _pyrad(data)
    try:
        ours = wire.parse(data, SECRET)
    except wire.Malformed:
        assert theirs is None
        return
    assert theirs is not None
    for kind, values in ours.attributes.items():
        if kind != 26:  # vendor attributes: pyrad splits them; the server reads none
            assert theirs.get(kind) == values


@given(attributes, st.binary(max_size=3))
def test_attribute_values_match_pyrad(attrs: list[tuple[int, bytes]], tail: bytes) -> None:
    data = _packet(1, attrs, tail)
    theirs = _pyrad(data)
    try:
        ours = wire.parse(data, SECRET)
    except wire.Malformed:
        assert theirs is None
        return
    assert theirs is not None
    assert {k: theirs.get(k) for k in ours.attributes} == ours.attributes
    assert ours.has_message_authenticator == bool(theirs.message_authenticator)
    if ours.has_message_authenticator:
        assert ours.verify_message_authenticator() == theirs.verify_message_authenticator()


@pytest.mark.parametrize(
    "password", ["", "pw00001", "sixteen-chars-xy", "a much longer pass phrase ä"]
)
def test_pap_password_decrypts_like_pyrad(password: str) -> None:
    req = packet.AuthPacket(dict=load_dictionary(), secret=SECRET, User_Name="u")
    req["User-Password"] = req.PwCrypt(password)
    data = req.RequestPacket()
    theirs = _pyrad(data).PwDecrypt(req["User-Password"][0])  # type: ignore[union-attr]
    assert wire.parse(data, SECRET).user_password() == theirs.encode()


def test_pap_password_of_a_bad_length_is_malformed() -> None:
    request = wire.parse(_packet(1, [(2, b"x" * 15)]), SECRET)
    with pytest.raises(wire.Malformed):
        request.user_password()


@pytest.mark.parametrize("challenge", [None, b"c" * 16, b""])
@pytest.mark.parametrize("secret", [b"pw00001", b"wrong"])
def test_chap_verdict_matches_pyrad(challenge: bytes | None, secret: bytes) -> None:
    authenticator = os.urandom(16)
    response = (
        b"\x05"
        + hashlib.md5(  # noqa: S324
            b"\x05" + b"pw00001" + (authenticator if challenge is None else challenge)
        ).digest()
    )
    attrs = [(1, b"u"), (3, response)] + ([] if challenge is None else [(60, challenge)])
    body = b"".join(_attr(k, v) for k, v in attrs)
    data = struct.pack("!BBH", 1, 9, 20 + len(body)) + authenticator + body
    theirs = _pyrad(data)
    assert theirs is not None
    assert wire.parse(data, SECRET).verify_chap(secret) == theirs.VerifyChapPasswd(secret)
    assert wire.parse(data, SECRET).verify_chap(secret) == (secret == b"pw00001")


@pytest.mark.parametrize("secret", [SECRET, b"another secret"])
def test_accounting_request_authenticator_matches_pyrad(secret: bytes) -> None:
    req = packet.AcctPacket(dict=load_dictionary(), secret=secret, User_Name="u")
    req["Acct-Session-Id"] = "s1"
    data = req.RequestPacket()
    theirs = _pyrad(data, packet.AcctPacket)
    assert theirs is not None
    ours = wire.parse(data, SECRET).verify_request_authenticator()
    assert ours == theirs.VerifyAcctRequest() == (secret == SECRET)


@pytest.mark.parametrize("secret", [SECRET, b"another secret"])
def test_message_authenticator_matches_pyrad(secret: bytes) -> None:
    req = packet.AuthPacket(dict=load_dictionary(), secret=secret, User_Name="u")
    req.add_message_authenticator()
    data = req.RequestPacket()
    theirs = _pyrad(data)
    assert theirs is not None
    ours = wire.parse(data, SECRET).verify_message_authenticator()
    assert ours == theirs.verify_message_authenticator() == (secret == SECRET)
