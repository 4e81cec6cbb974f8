"""Octets of RADIUS requests for the fuzzer (`radius.simulator.fuzz`): attributes, PAP hiding,
signing a mutated request again as its router would, and the oracle that says whether an
Access-Accept to given request bytes is right. Written from the RFCs, apart from the server's
own code (`radius.wire`), so the oracle does not share its mistakes.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Sequence

from radius.dictionary import Attr, Code

_ZERO16 = bytes(16)
_MA = int(Attr.MESSAGE_AUTHENTICATOR)


def attr(kind: int, value: bytes) -> bytes:
    return bytes((kind, min(len(value), 253) + 2)) + value[:253]


def u32(value: int) -> bytes:
    return struct.pack("!I", value & 0xFFFFFFFF)


def pap_encrypt(password: bytes, secret: bytes, authenticator: bytes) -> bytes:
    """RFC 2865 5.2: padded to 16 octets with NULs, XORed with MD5 chains."""
    padded = password + bytes(-len(password) % 16 or (16 if not password else 0))
    out, last = bytearray(), authenticator
    for at in range(0, len(padded), 16):
        pad = hashlib.md5(secret + last).digest()  # noqa: S324 - RADIUS is MD5 by RFC
        block = bytes(a ^ b for a, b in zip(padded[at : at + 16], pad, strict=True))
        out += block
        last = block
    return bytes(out)


def pap_decrypt(hidden: bytes, secret: bytes, authenticator: bytes) -> bytes:
    clear, last = bytearray(), authenticator
    for at in range(0, len(hidden) - len(hidden) % 16, 16):
        block = hidden[at : at + 16]
        pad = hashlib.md5(secret + last).digest()  # noqa: S324
        clear += bytes(a ^ b for a, b in zip(block, pad, strict=True))
        last = block
    return bytes(clear)


def split_attributes(data: bytes) -> list[tuple[int, bytes]] | None:
    """The attributes of a well-formed packet (Length honoured), None if it is not one."""
    if len(data) < 20:
        return None
    length = int.from_bytes(data[2:4])
    if length < 20 or length > len(data):
        return None
    found, pos = [], 20
    while pos < length:
        if pos + 2 > length or data[pos + 1] < 2:
            return None
        found.append((data[pos], data[pos + 2 : pos + data[pos + 1]]))
        pos += data[pos + 1]
    return found


def sign(data: bytes, secret: bytes) -> bytes:
    """Re-sign a (mutated) request as the router would: the first Message-Authenticator of an
    Access-Request (RFC 3579 3.2), the Request Authenticator of an Accounting-Request (RFC 2866
    3). Bytes that do not split into attributes are returned unchanged."""
    if split_attributes(data) is None:
        return data
    length = int.from_bytes(data[2:4])
    raw, tail = bytearray(data[:length]), data[length:]
    if raw[0] == Code.ACCOUNTING_REQUEST:
        raw[4:20] = _ZERO16
        raw[4:20] = hashlib.md5(bytes(raw) + secret).digest()  # noqa: S324
        return bytes(raw) + tail
    pos = 20
    while pos < length:
        if raw[pos] == _MA and raw[pos + 1] == 18:
            raw[pos + 2 : pos + 18] = _ZERO16
            raw[pos + 2 : pos + 18] = hmac.new(secret, bytes(raw), "md5").digest()
            break
        pos += raw[pos + 1]
    return bytes(raw) + tail


def encode(code: int, ident: int, authenticator: bytes, attributes: Sequence[bytes]) -> bytes:
    body = b"".join(attributes)
    return struct.pack("!BBH", code, ident, 20 + len(body)) + authenticator + body


def proves_a_code(request: bytes, secret: bytes, codes: Sequence[bytes]) -> bool:
    """Whether an Access-Accept to these request bytes is right: its first User-Password
    decrypts (NUL padding stripped) to one of `codes`, or its CHAP response proves one."""
    attributes = split_attributes(request)
    if attributes is None:
        return False
    first: dict[int, bytes] = {}
    for kind, value in attributes:
        first.setdefault(kind, value)
    hidden = first.get(int(Attr.USER_PASSWORD))
    if hidden is not None:
        clear = pap_decrypt(hidden, secret, request[4:20]).rstrip(b"\x00")
        if clear in codes:
            return True
    response = first.get(int(Attr.CHAP_PASSWORD))
    if response is not None and len(response) == 17:
        challenge = first.get(int(Attr.CHAP_CHALLENGE), request[4:20])
        for code in codes:
            digest = hashlib.md5(response[:1] + code + challenge).digest()  # noqa: S324
            if hmac.compare_digest(digest, response[1:]):
                return True
    return False


def answers(request: bytes, reply: bytes, secret: bytes) -> bool:
    """Whether `reply` is signed as the answer to `request` (RFC 2865 3)."""
    if len(reply) < 20 or len(request) < 20 or reply[1] != request[1]:
        return False
    expected = hashlib.md5(reply[:4] + request[4:20] + reply[20:] + secret).digest()  # noqa: S324
    return hmac.compare_digest(expected, reply[4:20])
