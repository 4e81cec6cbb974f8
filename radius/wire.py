"""A RADIUS request read straight from its bytes: the attributes by number, and its proofs.

pyrad's `Packet` decodes every attribute through the dictionary (name lookups, TLV and vendor
checks per attribute) and, profiled under load, cost about as much as storing an accounting
request. The server needs a handful of attributes by number, so it reads them here. What pyrad
refused stays refused, at the same places: a short or inconsistent header, a length over 8192,
an attribute header cut off, an attribute length below 2. Like pyrad, a last attribute that
claims more octets than the packet has is cut short rather than refused; the signatures below
are computed over the octets as received, so a forged length still fails them.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

from radius.dictionary import Attr

MAX_LENGTH = 8192  # pyrad's limit (RFC 2865 says 4096; keep what was accepted before)
_ZERO16 = bytes(16)
_MA = int(Attr.MESSAGE_AUTHENTICATOR)


class Malformed(Exception):
    """The bytes are not a RADIUS packet."""


class Request:
    """A received request: header fields, raw octets and attribute values by number."""

    __slots__ = ("attributes", "authenticator", "code", "id", "raw", "secret")

    def __init__(self, raw: bytes, secret: bytes, attributes: dict[int, list[bytes]]) -> None:
        self.raw = raw
        self.code, self.id = raw[0], raw[1]
        self.authenticator = raw[4:20]
        self.secret = secret
        self.attributes = attributes

    def get(self, attr: int) -> list[bytes]:
        return self.attributes.get(attr) or []

    def first(self, attr: int) -> bytes | None:
        values = self.attributes.get(attr)
        return values[0] if values else None

    @property
    def has_message_authenticator(self) -> bool:
        return _MA in self.attributes

    def verify_request_authenticator(self) -> bool:
        """Accounting-Request (RFC 2866 3): MD5(header, 16 zeros, attributes, secret)."""
        raw = self.raw
        expected = hashlib.md5(raw[:4] + _ZERO16 + raw[20:] + self.secret).digest()  # noqa: S324
        return hmac.compare_digest(expected, self.authenticator)

    def verify_message_authenticator(self) -> bool:
        """HMAC-MD5 over the packet with the first Message-Authenticator zeroed (RFC 3579 3.2);
        a value of the wrong size never matches."""
        raw, given = self.raw, self.attributes[_MA][0]
        pos, end = 20, len(raw)
        while pos + 2 <= end:  # find the first one, as pyrad does
            if raw[pos] == _MA:
                zeroed = raw[: pos + 2] + _ZERO16 + raw[pos + raw[pos + 1] :]
                break
            pos += raw[pos + 1]
        else:
            zeroed = raw
        header = struct.pack("!BBH", self.code, self.id, len(zeroed))
        digest = hmac.new(self.secret, header + zeroed[4:], "md5").digest()
        return hmac.compare_digest(given, digest)

    def user_password(self) -> bytes | None:
        """The decrypted PAP User-Password (RFC 2865 5.2) as octets, without the NUL padding;
        None if absent. Octets, not text: decoding with invalid UTF-8 left out made
        `4986GE3B\\xadT8` equal to the code `4986GE3BT8`."""
        hidden = self.first(Attr.USER_PASSWORD)
        if hidden is None:
            return None
        if len(hidden) % 16:
            raise Malformed(f"User-Password of {len(hidden)} octets, not a multiple of 16")
        clear, last = bytearray(), self.authenticator
        for at in range(0, len(hidden), 16):
            block = hidden[at : at + 16]
            pad = hashlib.md5(self.secret + last).digest()  # noqa: S324
            clear += (int.from_bytes(pad) ^ int.from_bytes(block)).to_bytes(16)
            last = block
        return bytes(clear).rstrip(b"\x00")

    def verify_chap(self, secret: bytes) -> bool:
        """CHAP-Password = ident + MD5(ident, secret, challenge) (RFC 2865 2.2); the challenge is
        CHAP-Challenge when sent, else the Request Authenticator."""
        response = self.first(Attr.CHAP_PASSWORD)
        if response is None or len(response) != 17:
            return False
        challenge = self.first(Attr.CHAP_CHALLENGE)
        if challenge is None:
            challenge = self.authenticator
        expected = hashlib.md5(response[:1] + secret + challenge).digest()  # noqa: S324
        return hmac.compare_digest(response[1:], expected)


def parse(data: bytes, secret: bytes) -> Request:
    """Split a datagram into attributes, or raise Malformed where pyrad raised PacketError."""
    if len(data) < 20:
        raise Malformed("packet header is corrupt")
    length = (data[2] << 8) | data[3]
    if length < 20 or len(data) < length:
        raise Malformed("packet has invalid length")
    if length > MAX_LENGTH:
        raise Malformed(f"packet length is too long ({length})")
    raw = data[:length]  # RFC 2865 3: octets past Length are padding
    attributes: dict[int, list[bytes]] = {}
    pos = 20
    while pos < length:
        if pos + 2 > length:
            raise Malformed("attribute header is corrupt")
        size = raw[pos + 1]
        if size < 2:
            raise Malformed(f"attribute length is too small ({size})")
        value = raw[pos + 2 : pos + size]
        values = attributes.get(raw[pos])
        if values is None:
            attributes[raw[pos]] = [value]
        else:
            values.append(value)
        pos += size
    return Request(raw, secret, attributes)
