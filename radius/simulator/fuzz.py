"""A seeded mutation fuzzer for our RADIUS server: hostile Access- and Accounting-Requests as a
broken or compromised router would send them, and the oracle that says which of them may be
accepted.

`Fuzzer(seed=...)` is deterministic: the same seed gives the same packets, so a failure found
by `make fuzz` is replayed by running it again with the seed it printed. Each packet belongs to
a *family*:

- `raw`: a valid request broken after signing (truncated, header or attribute lengths changed,
  bytes flipped, garbage appended, oversize datagrams, wrong codes): the server must drop it;
- `resigned`: the same byte-level mutations, then signed again as if the router had sent them;
- `signed`: hostile contents signed after mutating (Message-Authenticator and the accounting
  Request Authenticator recomputed), so the server cannot drop it for a bad signature: PAP
  passwords one octet away from a valid code, NUL bytes and invalid UTF-8 in names, duplicate
  Message-Authenticators, bad VSAs, absurd integers, unknown Class, huge counters.

The oracle (`may_accept`) reads the final bytes on its own: an Access-Accept is right only for
a request whose PAP password octets (NUL padding stripped) or CHAP response prove one of the
valid codes.
"""

from __future__ import annotations

import hashlib
import random
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from radius.dictionary import MIKROTIK_VENDOR, AcctStatus, Attr, Code
from radius.simulator.fuzz_bytes import break_bytes
from radius.simulator.fuzz_wire import (
    answers,
    attr,
    encode,
    pap_encrypt,
    proves_a_code,
    sign,
    split_attributes,
    u32,
)

Port = Literal["auth", "acct"]
FAMILIES = ("raw", "resigned", "signed")
_ZERO16 = bytes(16)
_MA = int(Attr.MESSAGE_AUTHENTICATOR)
_VSA = 26
_HOSTILE_INTEGERS = (0, 1, 2**31 - 1, 2**31, 2**32 - 1)
_INTEGER_ATTRS = (5, 6, 27, 28, 41, 46, 49, 61, 85)  # NAS-Port .. Acct-Interim-Interval
# Statuses a fuzzed packet may carry: never Accounting-On/Off (7, 8), which would legitimately
# close every session of the router, the good ones the tests count included.
_STATUSES = (0, 1, 2, 3, 4, 5, 6, 9, 15, 2**32 - 1)


@dataclass(frozen=True)
class FuzzPacket:
    port: Port  # where it is sent
    data: bytes
    family: str
    mutation: str


class Fuzzer:
    """Hostile requests from one router (its `secret`), deterministic for a `seed`.

    `codes` are valid voucher codes the packets may try (with one octet changed, or exactly,
    which may be accepted); `account_ids` are accounts a Class may name, besides unknown ones.
    None of them should be what the test's good traffic uses."""

    def __init__(
        self,
        *,
        secret: str,
        codes: Sequence[str],
        account_ids: Sequence[int] = (),
        seed: int = 0,
        families: Sequence[str] = FAMILIES,
        ports: Sequence[Port] = ("auth", "acct"),
    ) -> None:
        self.seed = seed
        self.secret = secret.encode()
        self.codes = [c.encode() for c in codes]
        self.account_ids = list(account_ids)
        self.random = random.Random(seed)  # noqa: S311 - reproducible on purpose, not secret
        self.families = list(families)
        self.ports = list(ports)
        self._session_numbers = 0

    # -- valid requests, the material mutated -------------------------------------------------

    def _mac(self, code: bytes) -> bytes:
        # Mostly the device the voucher is bound to (its first login's), so the credentials
        # are what decides; now and then another device.
        if self.random.random() < 0.9:
            tail = [0, 0, 0, self.codes.index(code) % 256]
        else:
            tail = [self.random.randrange(256) for _ in range(4)]
        return ("02:FF:" + ":".join(f"{b:02X}" for b in tail)).encode()

    def _session_id(self) -> bytes:
        # Reused on purpose (a small pool): a Start after a Stop, interims of unknown sessions.
        return f"fz{self.random.randrange(64):06x}".encode()

    def _auth_attributes(self, authenticator: bytes) -> list[bytes]:
        r = self.random
        code = r.choice(self.codes)
        attributes = [attr(_MA, _ZERO16), attr(Attr.USER_NAME, code)]
        if r.random() < 0.5:
            attributes.append(
                attr(Attr.USER_PASSWORD, pap_encrypt(code, self.secret, authenticator))
            )
        else:
            chap_id, challenge = bytes([r.randrange(256)]), r.randbytes(16)
            digest = hashlib.md5(chap_id + code + challenge).digest()  # noqa: S324
            attributes += [
                attr(Attr.CHAP_PASSWORD, chap_id + digest),
                attr(Attr.CHAP_CHALLENGE, challenge),
            ]
        attributes += [
            attr(6, u32(1)),  # Service-Type Login-User, as the hotspot sends
            attr(Attr.CALLING_STATION_ID, self._mac(code)),
            attr(Attr.CALLED_STATION_ID, b"hotspot1"),
            attr(Attr.NAS_IDENTIFIER, b"fuzz-router"),
            attr(61, u32(19)),  # NAS-Port-Type Wireless-802.11
            attr(Attr.FRAMED_IP_ADDRESS, bytes([10, 5, r.randrange(256), r.randrange(256)])),
            attr(Attr.ACCT_SESSION_ID, self._session_id()),
        ]
        return attributes

    def _acct_attributes(self) -> list[bytes]:
        r = self.random
        status = r.choice((AcctStatus.START, AcctStatus.INTERIM_UPDATE, AcctStatus.STOP))
        code = r.choice(self.codes)
        attributes = [
            attr(Attr.ACCT_STATUS_TYPE, u32(status)),
            attr(Attr.NAS_IDENTIFIER, b"fuzz-router"),
            attr(Attr.ACCT_DELAY_TIME, u32(0)),
            attr(Attr.ACCT_SESSION_ID, self._session_id()),
            attr(Attr.USER_NAME, code),
            attr(Attr.CALLING_STATION_ID, self._mac(code)),
            attr(Attr.FRAMED_IP_ADDRESS, bytes([10, 5, r.randrange(256), r.randrange(256)])),
        ]
        if self.account_ids and r.random() < 0.7:
            attributes.append(attr(Attr.CLASS, b"wd:%d" % r.choice(self.account_ids)))
        if status is not AcctStatus.START:
            attributes += [
                attr(Attr.ACCT_SESSION_TIME, u32(r.randrange(86_400))),
                attr(Attr.ACCT_INPUT_OCTETS, u32(r.randrange(2**32))),
                attr(Attr.ACCT_INPUT_GIGAWORDS, u32(r.randrange(3))),
                attr(Attr.ACCT_OUTPUT_OCTETS, u32(r.randrange(2**32))),
                attr(Attr.ACCT_OUTPUT_GIGAWORDS, u32(r.randrange(3))),
            ]
        if status is AcctStatus.STOP:
            attributes.append(attr(Attr.ACCT_TERMINATE_CAUSE, u32(r.randrange(1, 19))))
        return attributes

    # -- hostile contents, signed afterwards ----------------------------------------------------

    def _hostile_password(self, code: bytes, authenticator: bytes) -> tuple[str, bytes]:
        """A password one step away from the User-Name's code (or the code NUL-padded)."""
        r = self.random
        at = r.randrange(len(code) + 1)
        stray = bytes([r.choice((0x00, 0x80, 0xAD, 0xC3, 0xFF, r.randrange(256)))])
        choices = {
            "pap-stray-octet": code[:at] + stray + code[at:],
            "pap-invalid-utf8-tail": code + bytes([r.randrange(0x80, 0x100)]),
            "pap-nul-inside": code[:at] + b"\x00" + code[at:],
            "pap-nul-padding": code + bytes(r.randrange(1, 6)),  # valid: padding is stripped
            "pap-case": code.lower(),
            "pap-prefix": code[: max(0, len(code) - 1)],
            "pap-long": code * 12,
            "pap-empty": b"",
        }
        name = r.choice(sorted(choices))
        return name, pap_encrypt(choices[name], self.secret, authenticator)

    def _signed_auth(self, ident: int) -> tuple[str, bytes]:
        r = self.random
        authenticator = r.randbytes(16)
        attributes = self._auth_attributes(authenticator)
        kind = r.choice(
            (
                "password",
                "password",
                "username",
                "duplicate-ma",
                "ma-length",
                "vsa",
                "integers",
                "chap",
                "unknown-attributes",
                "proxy-state",
                "missing",
            )
        )
        name = kind
        if kind == "password":
            name, hidden = self._hostile_password(attributes[1][2:], authenticator)
            attributes = [a for a in attributes if a[0] not in (3, 60, 2)]
            attributes.insert(2, attr(Attr.USER_PASSWORD, hidden))
        elif kind == "username":
            code = r.choice(self.codes)
            hostile = r.choice(
                (
                    code[:3] + b"\x00" + code[3:],
                    code + b"\xff\xfe",
                    b"\x00" * 8,
                    code * 30,
                    b"",
                    b"%s" * 20,
                    "Désa".encode("latin-1"),
                )
            )
            attributes[1] = attr(Attr.USER_NAME, hostile)
        elif kind == "duplicate-ma":
            attributes.insert(r.randrange(1, len(attributes) + 1), attr(_MA, r.randbytes(16)))
        elif kind == "ma-length":
            attributes[0] = attr(_MA, r.randbytes(r.choice((0, 1, 15, 17, 32))))
        elif kind == "vsa":
            attributes.append(self._bad_vsa())
        elif kind == "integers":
            for _ in range(r.randrange(1, 4)):
                attributes.append(self._absurd_integer())
        elif kind == "chap":
            attributes = [a for a in attributes if a[0] not in (2, 3, 60)]
            response = r.choice((r.randbytes(17), r.randbytes(16), r.randbytes(18), b""))
            attributes += [
                attr(Attr.CHAP_PASSWORD, response),
                attr(Attr.CHAP_CHALLENGE, r.randbytes(r.choice((0, 1, 16, 64, 253)))),
            ]
        elif kind == "unknown-attributes":
            for _ in range(r.randrange(1, 20)):
                attributes.append(
                    attr(r.choice((0, 255, 100, 150, 224)), r.randbytes(r.randrange(254)))
                )
        elif kind == "proxy-state":
            attributes += [attr(33, r.randbytes(253)) for _ in range(r.randrange(1, 30))]
        else:  # without User-Name, or without any password
            drop = r.choice(((1,), (2, 3, 60)))
            attributes = [a for a in attributes if a[0] not in drop]
        data = encode(Code.ACCESS_REQUEST, ident, authenticator, attributes)
        return name, sign(data, self.secret)

    def _bad_vsa(self) -> bytes:
        r = self.random
        inner_len = r.choice((0, 1, 2, 200, 255))
        inner = bytes((r.randrange(256), inner_len)) + r.randbytes(r.randrange(0, 40))
        vendor = r.choice((MIKROTIK_VENDOR, 14122, 0, 2**32 - 1))
        return r.choice(
            (
                attr(_VSA, b""),
                attr(_VSA, r.randbytes(3)),
                attr(_VSA, struct.pack("!I", vendor) + inner),
                attr(_VSA, struct.pack("!I", vendor) + r.randbytes(247)),
            )
        )

    def _absurd_integer(self) -> bytes:
        r = self.random
        kind = r.choice(_INTEGER_ATTRS)
        if r.random() < 0.5:
            return attr(kind, u32(r.choice(_HOSTILE_INTEGERS)))
        return attr(kind, r.randbytes(r.choice((0, 1, 3, 5, 8))))

    def _signed_acct(self, ident: int) -> tuple[str, bytes]:
        r = self.random
        attributes = self._acct_attributes()
        kind = r.choice(
            (
                "class",
                "counters",
                "session-id",
                "status",
                "username",
                "integers",
                "vsa",
                "duplicates",
                "missing",
            )
        )
        if kind == "class":
            attributes = [a for a in attributes if a[0] != Attr.CLASS]
            attributes.append(
                attr(
                    Attr.CLASS,
                    r.choice(
                        (
                            b"wd:999999999",
                            b"wd:0",
                            b"wd:-1",
                            b"wd:" + b"9" * 40,
                            b"wd:%d" % r.randrange(2**63),
                            b"wd:",
                            r.randbytes(r.randrange(1, 64)),
                            b"wd:1\x00",
                        )
                    ),
                )
            )
        elif kind == "counters":
            # Replaced, not added: the server reads the first of each.
            hostile = r.sample((41, 42, 43, 46, 52, 53), r.randrange(1, 4))
            attributes = [a for a in attributes if a[0] not in hostile]
            attributes += [attr(a, u32(r.choice(_HOSTILE_INTEGERS))) for a in hostile]
        elif kind == "session-id":
            attributes = [a for a in attributes if a[0] != Attr.ACCT_SESSION_ID]
            attributes.append(
                attr(
                    Attr.ACCT_SESSION_ID,
                    r.choice((b"fz\x00%d" % r.randrange(9), b"\xff\xfe\x80", b"z" * 253, b"")),
                )
            )
        elif kind == "status":
            attributes[0] = r.choice(
                (attr(Attr.ACCT_STATUS_TYPE, u32(r.choice(_STATUSES))), attr(40, b"\x00\x03"))
            )
        elif kind == "username":
            attributes = [a for a in attributes if a[0] != Attr.USER_NAME]
            attributes.append(attr(Attr.USER_NAME, r.choice((b"a\x00b", b"\xc3\x28", b"x" * 253))))
        elif kind == "integers":
            attributes.append(self._absurd_integer())
        elif kind == "vsa":
            attributes.append(self._bad_vsa())
        elif kind == "duplicates":
            attributes += [r.choice(attributes[1:]) for _ in range(r.randrange(1, 5))]
        else:
            attributes = [a for a in attributes if a[0] != r.choice((40, 44, 1))]
        # Acct-Status-Type stays where it was unless it was dropped: order does not matter.
        data = encode(Code.ACCOUNTING_REQUEST, ident, _ZERO16, attributes)
        return kind, self._sign_acct_if_safe(data)

    def _sign_acct_if_safe(self, data: bytes) -> bytes:
        # A mutation could make an Accounting-On/Off out of it: left unsigned (dropped), as it
        # would legitimately close the good sessions the tests count.
        attributes = split_attributes(data)
        if attributes is not None:
            for kind, value in attributes:
                if kind == Attr.ACCT_STATUS_TYPE and value in (u32(7), u32(8)):
                    return data
        return sign(data, self.secret)

    # -- broken bytes ---------------------------------------------------------------------------

    def _raw(self, port: Port, ident: int, *, resign: bool) -> tuple[str, bytes]:
        r = self.random
        if port == "auth":
            authenticator = r.randbytes(16)
            valid = sign(
                encode(
                    Code.ACCESS_REQUEST, ident, authenticator, self._auth_attributes(authenticator)
                ),
                self.secret,
            )
        else:
            valid = sign(
                encode(Code.ACCOUNTING_REQUEST, ident, _ZERO16, self._acct_attributes()),
                self.secret,
            )
        kind, data = break_bytes(r, valid)
        if resign:
            return kind, self._sign_acct_if_safe(data)
        return kind, data

    # -- the stream -----------------------------------------------------------------------------

    def next(self, ident: int) -> FuzzPacket:
        """The next packet, with `ident` as its Identifier (before any mutation)."""
        r = self.random
        port: Port = r.choice(self.ports)
        family = r.choice(self.families)
        if family in ("raw", "resigned"):
            mutation, data = self._raw(port, ident, resign=family == "resigned")
        elif port == "auth":
            mutation, data = self._signed_auth(ident)
        else:
            mutation, data = self._signed_acct(ident)
        if r.random() < 0.02:  # now and then to the other port
            port = "acct" if port == "auth" else "auth"
            mutation += "+other-port"
        return FuzzPacket(port=port, data=data, family=family, mutation=mutation)

    # -- the oracle -------------------------------------------------------------------------

    def may_accept(self, request: bytes) -> bool:
        """Whether an Access-Accept to these request bytes is right (`proves_a_code`)."""
        return proves_a_code(request, self.secret, self.codes)

    def answers(self, request: bytes, reply: bytes) -> bool:
        """Whether `reply` is signed as the server's answer to `request`."""
        return answers(request, reply, self.secret)
