"""ISO 7816-4 exchanges over any transport: the T=0 conventions a card may answer with
(61xx: more data, fetch it with GET RESPONSE; 6Cxx: wrong Le, send again with Le=xx) are handled
here once, so the card logic above only sees complete answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hardware.cards.errors import CardReadError

SW_OK = 0x9000
# Status words meaning "the card will not tell you without authentication"; a 3rd generation
# social security card answers like this (or with empty values) for fields it protects.
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_CONDITIONS_NOT_SATISFIED = 0x6985
SW_RECORD_NOT_FOUND = 0x6A83
SW_FILE_NOT_FOUND = 0x6A82

# A card that keeps answering 61xx forever must not hang the kiosk.
_MAX_CHAINED_RESPONSES = 32


class Transport(Protocol):
    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU, return (data, status word)."""
        ...


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


class ApduError(CardReadError):
    """The card answered with something the protocol does not allow."""


def exchange(transport: Transport, apdu: bytes) -> Response:
    data, sw = transport.transmit(apdu)
    if sw >> 8 == 0x6C:
        # Wrong Le: the card tells the right one in SW2; re-send the same command with it.
        apdu = _with_le(apdu, sw & 0xFF)
        data, sw = transport.transmit(apdu)
    collected = bytearray(data)
    rounds = 0
    while sw >> 8 == 0x61:
        rounds += 1
        if rounds > _MAX_CHAINED_RESPONSES:
            raise ApduError("card kept answering 61xx (more data) beyond any sensible length")
        # GET RESPONSE; SW2 = 00 means 256 bytes.
        more, sw = transport.transmit(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
        collected += more
    return Response(bytes(collected), sw)


def _with_le(apdu: bytes, le: int) -> bytes:
    if len(apdu) == 5 or (len(apdu) > 5 and len(apdu) == 6 + apdu[4]):  # has an Le: replace it
        return apdu[:-1] + bytes([le])
    if len(apdu) == 4 or (len(apdu) > 5 and len(apdu) == 5 + apdu[4]):  # no Le yet: add one
        return apdu + bytes([le])
    raise ApduError(f"malformed command APDU {apdu.hex()} cannot be resent with Le={le}")


def select_aid(aid: bytes) -> bytes:
    return bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid


def select_file(file_id: int) -> bytes:
    # P1=02: select an EF under the current DF by its identifier.
    return bytes([0x00, 0xA4, 0x02, 0x00, 0x02, file_id >> 8, file_id & 0xFF])


def read_record(record: int, expected_length: int) -> bytes:
    # P2=04: P1 is a record number in the currently selected EF.
    return bytes([0x00, 0xB2, record, 0x04, expected_length & 0xFF])
