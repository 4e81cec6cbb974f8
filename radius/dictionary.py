"""Our RADIUS dictionary and the attribute numbers the hot path uses without name lookups."""

from __future__ import annotations

from enum import IntEnum
from functools import cache
from pathlib import Path

from pyrad.dictionary import Dictionary

DICTIONARY_FILE = Path(__file__).parent / "dictionaries" / "dictionary"
MIKROTIK_VENDOR = 14988


class Code(IntEnum):
    ACCESS_REQUEST = 1
    ACCESS_ACCEPT = 2
    ACCESS_REJECT = 3
    ACCOUNTING_REQUEST = 4
    ACCOUNTING_RESPONSE = 5
    DISCONNECT_REQUEST = 40
    DISCONNECT_ACK = 41
    DISCONNECT_NAK = 42
    COA_REQUEST = 43
    COA_ACK = 44
    COA_NAK = 45


class Attr(IntEnum):
    USER_NAME = 1
    USER_PASSWORD = 2
    CHAP_PASSWORD = 3
    NAS_IP_ADDRESS = 4
    FRAMED_IP_ADDRESS = 8
    REPLY_MESSAGE = 18
    CLASS = 25
    SESSION_TIMEOUT = 27
    IDLE_TIMEOUT = 28
    CALLED_STATION_ID = 30
    CALLING_STATION_ID = 31
    NAS_IDENTIFIER = 32
    ACCT_STATUS_TYPE = 40
    ACCT_DELAY_TIME = 41
    ACCT_INPUT_OCTETS = 42
    ACCT_OUTPUT_OCTETS = 43
    ACCT_SESSION_ID = 44
    ACCT_SESSION_TIME = 46
    ACCT_TERMINATE_CAUSE = 49
    ACCT_INPUT_GIGAWORDS = 52
    ACCT_OUTPUT_GIGAWORDS = 53
    CHAP_CHALLENGE = 60
    MESSAGE_AUTHENTICATOR = 80
    ACCT_INTERIM_INTERVAL = 85


class AcctStatus(IntEnum):
    START = 1
    STOP = 2
    INTERIM_UPDATE = 3
    ACCOUNTING_ON = 7
    ACCOUNTING_OFF = 8


@cache
def load_dictionary() -> Dictionary:
    return Dictionary(str(DICTIONARY_FILE))
