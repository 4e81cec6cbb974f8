"""The router simulator against a stub RADIUS server (`wdtest.stub_radius`): real UDP on
127.0.0.1, real pyrad packets. Many clients and `wifidesa simulate` are in test_simulator_load.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re

import pytest
from wdtest.stub_radius import (
    CLASS,
    REJECT_MESSAGE,
    ROUTER_IP,
    SECRET,
    USER,
    coa_request,
    router_for,
    run,
    stub_server,
)

from radius.dictionary import AcctStatus, Code
from radius.simulator.coa import CoAKind, CoAMode
from radius.simulator.router import RouterSimulator, SimRouter


def radius_md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()  # noqa: S324 - RADIUS authenticators are MD5 by RFC


def request_authenticator_ok(raw: bytes) -> bool:
    """RFC 2866 3 / RFC 5176 3.3, computed here without pyrad."""
    expected = radius_md5(raw[:4] + bytes(16) + raw[20:] + SECRET.encode())
    return hmac.compare_digest(expected, raw[4:20])


def response_authenticator_ok(reply: bytes, request_authenticator: bytes) -> bool:
    """RFC 2865 3: MD5(Code+ID+Length+Request Authenticator+Attributes+Secret)."""
    expected = radius_md5(reply[:4] + request_authenticator + reply[20:] + SECRET.encode())
    return hmac.compare_digest(expected, reply[4:20])


def message_authenticator_ok(raw: bytes, vector: bytes) -> bool:
    """RFC 2869 5.14 / RFC 5176 3.3 for a packet whose first attribute is the MA."""
    assert raw[20:22] == bytes([80, 18])
    zeroed = raw[:4] + vector + raw[20:22] + bytes(16) + raw[38:]
    return hmac.compare_digest(hmac.new(SECRET.encode(), zeroed, "md5").digest(), raw[22:38])


async def send_coa(port: int, data: bytes, timeout: float = 30.0) -> bytes | None:
    """Send a CoA/Disconnect request to the simulated router like our server would."""
    loop = asyncio.get_running_loop()
    replies: asyncio.Queue[bytes] = asyncio.Queue()

    class Client(asyncio.DatagramProtocol):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            replies.put_nowait(data)

    transport, _ = await loop.create_datagram_endpoint(Client, local_addr=("127.0.0.1", 0))
    try:
        transport.sendto(data, (ROUTER_IP, port))
        return await asyncio.wait_for(replies.get(), timeout)
    except TimeoutError:
        return None
    finally:
        transport.close()


# -- login ----------------------------------------------------------------------------------


def test_pap_login_is_accepted_with_the_reply_limits() -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            result = await router.login(
                USER, USER, mac="AA:BB:CC:00:00:01", ip="10.5.50.2", chap=False
            )
            assert result.accepted and result.code == Code.ACCESS_ACCEPT
            assert not result.timed_out and result.retransmissions == 0
            assert result.attributes["Session-Timeout"] == [3600]
            assert result.attributes["Mikrotik-Rate-Limit"] == ["2M/5M"]
            assert result.attributes["Acct-Interim-Interval"] == [300]
            assert result.has_message_authenticator and result.message_authenticator_first
            assert result.session.class_ == CLASS
            raw = server.auth.received[0]
            assert message_authenticator_ok(raw, raw[4:20])  # Access-Request: its own authenticator
            request = server.auth.requests[0]
            assert server.auth.sources == [ROUTER_IP]  # sent from the router's address
            assert request["NAS-IP-Address"] == [ROUTER_IP]
            assert request["NAS-Identifier"] == ["desa-uji"]
            assert request["Called-Station-Id"] == ["hotspot1"]
            assert request["Calling-Station-Id"] == ["AA:BB:CC:00:00:01"]
            assert request["Framed-IP-Address"] == ["10.5.50.2"]
            assert request["NAS-Port-Type"] == ["Wireless-802.11"]
            assert request["Acct-Session-Id"] == [result.session.acct_session_id]
            assert "CHAP-Password" not in request

    run(scenario)


def test_chap_login_sends_a_challenge_and_no_password() -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            result = await router.login(USER, USER, mac="AA:BB:CC:00:00:02", ip="10.5.50.3")
            assert result.accepted
            request = server.auth.requests[0]
            assert "User-Password" not in request
            assert len(request["CHAP-Challenge"][0]) == 16
            assert len(request["CHAP-Password"][0]) == 17

    run(scenario)


@pytest.mark.parametrize("chap", [True, False])
def test_wrong_password_is_rejected_with_the_reply_message(chap: bool) -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            result = await router.login(
                USER, "salah", mac="AA:BB:CC:00:00:03", ip="10.5.50.4", chap=chap
            )
            assert not result.accepted and result.code == Code.ACCESS_REJECT
            assert result.reply_message == REJECT_MESSAGE
            assert result.has_message_authenticator
            assert result.session.class_ is None

    run(scenario)


@pytest.mark.parametrize("enabled", [True, False])
def test_message_authenticator_comes_first_in_access_requests_unless_disabled(
    enabled: bool,
) -> None:
    async def scenario() -> None:
        async with (
            stub_server() as server,
            router_for(server, message_authenticator=enabled) as router,
        ):
            assert (
                await router.login(USER, USER, mac="AA:BB:CC:00:00:04", ip="10.5.50.5")
            ).accepted
            raw = server.auth.received[0]
            assert (raw[20] == 80) is enabled  # first attribute
            assert server.bad_requests == 0

    run(scenario)


def test_reply_without_message_authenticator_is_reported() -> None:
    async def scenario() -> None:
        async with stub_server(sign_replies=False) as server, router_for(server) as router:
            result = await router.login(USER, USER, mac="AA:BB:CC:00:00:05", ip="10.5.50.6")
            assert result.accepted
            assert not result.has_message_authenticator and not result.message_authenticator_first

    run(scenario)


def test_lost_requests_are_retransmitted_as_identical_bytes() -> None:
    async def scenario() -> None:
        # Each dropped send waits out the timeout; the answered one has a second to arrive.
        async with stub_server(drop=2) as server, router_for(server, timeout=1.0) as router:
            result = await router.login(USER, USER, mac="AA:BB:CC:00:00:06", ip="10.5.50.7")
            assert result.accepted and result.retransmissions == 2
            assert len(server.auth.received) == 3
            assert len(set(server.auth.received)) == 1  # same Identifier and authenticator

            server.drop = 1
            acct = await router.start(result.session)
            assert acct.acknowledged and acct.retransmissions == 1
            assert server.acct.received[0] == server.acct.received[1]

    run(scenario)


def test_unanswered_request_times_out_after_its_retries() -> None:
    async def scenario() -> None:
        async with stub_server(drop=100) as server, router_for(server, timeout=0.05) as router:
            result = await router.login(USER, USER, mac="AA:BB:CC:00:00:07", ip="10.5.50.8")
            assert result.timed_out and not result.accepted and result.code is None
            assert result.retransmissions == 2 and len(server.auth.received) == 3
            acct = await router.accounting_on()
            assert not acct.acknowledged and len(server.acct.received) == 3

    run(scenario)


def test_forged_reply_is_discarded() -> None:
    async def scenario() -> None:
        async with (
            stub_server(reply_secret="not-the-router-secret") as server,
            # Every send's forged reply must arrive before that send times out.
            router_for(server, timeout=1.0) as router,
        ):
            result = await router.login(USER, USER, mac="AA:BB:CC:00:00:08", ip="10.5.50.9")
            assert result.timed_out and result.invalid_replies == 3

    run(scenario)


# -- accounting -----------------------------------------------------------------------------


def test_session_accounting_reports_counters_gigawords_class_and_cause() -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            login = await router.login(USER, USER, mac="AA:BB:CC:00:00:09", ip="10.5.50.10")
            session = login.session
            assert (await router.start(session)).acknowledged
            interim = await router.interim(
                session, input_octets=5 * 2**32 + 7, output_octets=123, session_time=300
            )
            assert interim.acknowledged
            stop = await router.stop(
                session,
                input_octets=5 * 2**32 + 9,
                output_octets=2**32,
                session_time=420,
                cause="Idle-Timeout",
            )
            assert stop.acknowledged
            start_req, interim_req, stop_req = server.acct.requests
            assert server.bad_requests == 0
            assert all(request_authenticator_ok(raw) for raw in server.acct.received)
            for request in (start_req, interim_req, stop_req):
                assert request["Acct-Session-Id"] == [session.acct_session_id]
                assert request["User-Name"] == [USER]
                assert request["Class"] == [CLASS]
                assert request["Framed-IP-Address"] == ["10.5.50.10"]
                assert request["Calling-Station-Id"] == ["AA:BB:CC:00:00:09"]
                assert request["NAS-IP-Address"] == [ROUTER_IP]
                assert request["Acct-Delay-Time"] == [0]
            assert start_req["Acct-Status-Type"] == ["Start"]
            assert "Acct-Input-Octets" not in start_req
            assert interim_req["Acct-Status-Type"] == ["Interim-Update"]
            assert interim_req["Acct-Input-Octets"] == [7]
            assert interim_req["Acct-Input-Gigawords"] == [5]
            assert interim_req["Acct-Output-Octets"] == [123]
            assert interim_req["Acct-Output-Gigawords"] == [0]
            assert interim_req["Acct-Session-Time"] == [300]
            assert stop_req["Acct-Status-Type"] == ["Stop"]
            assert stop_req["Acct-Output-Octets"] == [0]
            assert stop_req["Acct-Output-Gigawords"] == [1]
            assert stop_req["Acct-Terminate-Cause"] == ["Idle-Timeout"]

    run(scenario)


def test_accounting_on_and_off_are_acknowledged() -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            assert (await router.accounting_on()).acknowledged
            assert (await router.accounting_off()).acknowledged
            kinds = [r["Acct-Status-Type"][0] for r in server.acct.requests]
            assert kinds == ["Accounting-On", "Accounting-Off"]
            assert all("User-Name" not in r for r in server.acct.requests)

    run(scenario)


def test_acct_session_ids_look_like_routeros_and_are_unique() -> None:
    router = RouterSimulator(SimRouter(secret=SECRET))
    ids = [router.new_session("u", mac="", ip="").acct_session_id for _ in range(1000)]
    assert all(re.fullmatch(r"[0-9a-f]{8}", i) for i in ids)
    assert len(set(ids)) == len(ids)


# -- exact bytes ----------------------------------------------------------------------------


def test_the_same_request_can_be_sent_twice_and_both_replies_compared() -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            request = router.access_request(USER, USER, mac="AA:BB:CC:00:00:10", ip="10.5.50.11")
            async with router.raw_channel("auth") as channel:
                channel.send(request.raw)
                first = await channel.receive(30)
                channel.send(request.raw)
                second = await channel.receive(30)
            assert first is not None and first == second
            assert server.auth.received == [request.raw, request.raw]
            parsed = router.parse_login_reply(request, first)
            assert parsed is not None and parsed.accepted
            assert router.parse_login_reply(request, first[:4] + bytes(16) + first[20:]) is None

            assert request.session is not None
            acct = router.accounting_request(AcctStatus.START, request.session)
            async with router.raw_channel("acct") as channel:
                channel.send(acct.raw)
                channel.send(acct.raw)
                replies = [await channel.receive(30), await channel.receive(30)]
            assert replies[0] is not None and replies[0] == replies[1]
            assert server.acct.received == [acct.raw, acct.raw]

    run(scenario)


def test_malformed_packet_gets_no_reply() -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            garbage = bytes([Code.ACCESS_REQUEST, 1, 0, 99]) + bytes(16)  # length > datagram
            assert await router.send_raw(garbage, timeout=0.1) is None
            assert server.auth.received == [garbage]
            valid = router.access_request(USER, USER, mac="AA:BB:CC:00:00:11", ip="10.5.50.12")
            assert await router.send_raw(valid.raw) is not None

    run(scenario)


# -- CoA / Disconnect -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "code", "answer"),
    [
        (CoAMode.ACK, Code.DISCONNECT_REQUEST, Code.DISCONNECT_ACK),
        (CoAMode.NAK, Code.DISCONNECT_REQUEST, Code.DISCONNECT_NAK),
        (CoAMode.ACK, Code.COA_REQUEST, Code.COA_ACK),
        (CoAMode.NAK, Code.COA_REQUEST, Code.COA_NAK),
    ],
)
@pytest.mark.parametrize("with_ma", [True, False])
def test_coa_and_disconnect_are_answered_with_a_valid_reply(
    mode: CoAMode, code: Code, answer: Code, with_ma: bool
) -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            listener = await router.start_coa_listener(0, mode=mode)
            attrs = {
                "User-Name": USER,
                "Acct-Session-Id": "81a00001",
                "Framed-IP-Address": "10.5.50.13",
            }
            if code == Code.COA_REQUEST:
                attrs["Mikrotik-Rate-Limit"] = "128k/256k"
                attrs["Session-Timeout"] = 600
            request = coa_request(code, SECRET, with_ma=with_ma, **attrs)
            raw_request = request.RequestPacket()
            raw_reply = await send_coa(listener.port, raw_request)
            assert raw_reply is not None and raw_reply[0] == answer
            reply = request.CreateReply(packet=raw_reply)
            assert request.VerifyReply(reply, raw_reply)
            assert response_authenticator_ok(raw_reply, raw_request[4:20])
            assert bool(reply.message_authenticator) is with_ma
            if with_ma:
                assert message_authenticator_ok(raw_reply, raw_request[4:20])
            if mode is CoAMode.NAK:
                assert reply["Error-Cause"] == ["Session-Context-Not-Found"]
            (event,) = await router.wait_for_coa(1, timeout=30)
            kind = CoAKind.DISCONNECT if code == Code.DISCONNECT_REQUEST else CoAKind.COA
            assert event.kind is kind and event.valid_authenticator
            assert event.has_message_authenticator is with_ma
            assert event.answer == answer and event.reply == raw_reply
            assert event.attributes["User-Name"] == [USER]
            assert event.attributes["Acct-Session-Id"] == ["81a00001"]
            assert event.attributes["Framed-IP-Address"] == ["10.5.50.13"]
            if code == Code.COA_REQUEST:
                assert event.attributes["Mikrotik-Rate-Limit"] == ["128k/256k"]
                assert event.attributes["Session-Timeout"] == [600]
            assert "->" in event.describe()

    run(scenario)


def test_silent_router_records_the_request_and_answers_nothing() -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            listener = await router.start_coa_listener(0, mode=CoAMode.SILENT)
            request = coa_request(Code.DISCONNECT_REQUEST, SECRET, **{"User-Name": USER})
            assert await send_coa(listener.port, request.RequestPacket(), timeout=0.1) is None
            (event,) = router.coa_events
            assert event.valid_authenticator and event.answer is None

    run(scenario)


@pytest.mark.parametrize("with_ma", [True, False])
def test_request_with_the_wrong_secret_is_recorded_invalid_and_not_acked(with_ma: bool) -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            listener = await router.start_coa_listener(0, mode=CoAMode.ACK)
            forged = coa_request(
                Code.DISCONNECT_REQUEST,
                "wrong-secret-000000",
                with_ma=with_ma,
                **{"User-Name": USER},
            )
            assert await send_coa(listener.port, forged.RequestPacket(), timeout=0.1) is None
            (event,) = router.coa_events
            assert not event.valid_authenticator and event.answer is None

    run(scenario)


def test_wrong_message_authenticator_alone_makes_a_request_invalid() -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            listener = await router.start_coa_listener(0)
            request = coa_request(Code.COA_REQUEST, SECRET, with_ma=True, **{"User-Name": USER})
            raw = bytearray(request.RequestPacket())
            raw[22] ^= 0xFF  # first octet of the Message-Authenticator value (it comes first)
            # a correct Request Authenticator over the tampered packet: only the MA is wrong
            raw[4:20] = radius_md5(raw[:4] + bytes(16) + raw[20:] + SECRET.encode())
            assert request_authenticator_ok(bytes(raw))
            await send_coa(listener.port, bytes(raw), timeout=0.1)
            (event,) = router.coa_events
            assert event.has_message_authenticator and not event.valid_authenticator

    run(scenario)


def test_wait_for_coa_returns_what_arrived_when_time_is_up() -> None:
    async def scenario() -> None:
        async with stub_server() as server, router_for(server) as router:
            listener = await router.start_coa_listener(0)
            request = coa_request(Code.DISCONNECT_REQUEST, SECRET, **{"User-Name": USER})
            await send_coa(listener.port, request.RequestPacket())
            events = await router.wait_for_coa(3, timeout=0.1)
            assert len(events) == 1

    run(scenario)
