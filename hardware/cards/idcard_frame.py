"""The SAM module's serial frames: `AA AA AA 96 69`, a 2-byte big-endian length of what follows
(payload and checksum), the payload, and the XOR of the length bytes and the payload.
Commands are 2 bytes (command, parameter); answers start with status bytes SW1 SW2 SW3."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Protocol

from hardware.cards.idcard_errors import (
    IdCardChecksumError,
    IdCardFrameError,
    IdCardIncompleteFrameError,
    IdCardTimeoutError,
)

HEADER = bytes.fromhex("AAAAAA9669")
# The longest answer is text + photo: 3 status + 4 lengths + 256 + 1024 + checksum = 1288.
# Some modules add a fingerprint block (1024); anything far beyond is noise.
MAX_LENGTH = 4096
MAX_NOISE = 4096  # bytes skipped while looking for a header before giving up

# SW3 meanings, after GA 467 (the SAM interface) as documented by reader makers.
STATUS_MEANINGS: dict[int, str] = {
    0x90: "success",
    0x9F: "card found",
    0x10: "checksum of the command wrong",
    0x11: "length of the command wrong",
    0x21: "command unknown",
    0x23: "operation not allowed",
    0x24: "unrecognised error",
    0x31: "card failed to authenticate the reader",
    0x32: "reader failed to authenticate the card",
    0x33: "information verification failed",
    0x40: "unknown card type",
    0x41: "reading the card failed",
    0x47: "random number failed",
    0x60: "SAM self test failed",
    0x66: "SAM not authorised",
    0x80: "no card found",
    0x81: "selecting the card failed",
    0x91: "no content",
}


class SerialLike(Protocol):
    def write(self, data: bytes) -> int | None: ...
    def read(self, size: int = 1) -> bytes: ...
    def reset_input_buffer(self) -> None: ...


def checksum(data: bytes) -> int:
    return reduce(lambda a, b: a ^ b, data, 0)


def encode(payload: bytes) -> bytes:
    body = (len(payload) + 1).to_bytes(2, "big") + payload
    return HEADER + body + bytes([checksum(body)])


@dataclass(frozen=True)
class Answer:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS.get(self.sw3, "undocumented status")


def parse_answer(payload: bytes) -> Answer:
    if len(payload) < 3:
        raise IdCardFrameError(f"answer of {len(payload)} bytes has no status")
    return Answer(payload[0], payload[1], payload[2], payload[3:])


def read_frame(
    port: SerialLike, timeout: float, clock: Callable[[], float] = time.monotonic
) -> bytes:
    """The payload of the next frame. Skips noise before the header; raises
    IdCardTimeoutError (nothing came), IdCardIncompleteFrameError (stopped halfway),
    IdCardChecksumError, or IdCardFrameError (implausible length, endless noise)."""
    deadline = clock() + timeout
    buffer = bytearray()
    noise = 0
    while True:  # find the header
        start = buffer.find(HEADER)
        if start >= 0:
            del buffer[:start]
            break
        # Keep a tail that may be the start of a header split across reads.
        keep = len(HEADER) - 1
        noise += max(0, len(buffer) - keep)
        del buffer[: max(0, len(buffer) - keep)]
        if noise > MAX_NOISE:
            raise IdCardFrameError(f"no frame header within {noise} bytes of noise")
        if not _read_more(port, buffer, deadline, clock):
            if noise or buffer:
                raise IdCardTimeoutError(f"only {noise + len(buffer)} bytes of noise, no frame")
            raise IdCardTimeoutError(f"reader did not answer within {timeout:.1f} s")
    while len(buffer) < len(HEADER) + 2:
        if not _read_more(port, buffer, deadline, clock):
            raise IdCardIncompleteFrameError("frame stopped before its length")
    length = int.from_bytes(buffer[5:7], "big")
    if not 4 <= length <= MAX_LENGTH:
        raise IdCardFrameError(f"implausible frame length {length}")
    total = len(HEADER) + 2 + length
    while len(buffer) < total:
        if not _read_more(port, buffer, deadline, clock):
            raise IdCardIncompleteFrameError(
                f"frame stopped after {len(buffer)} of {total} bytes"
            )
    frame = bytes(buffer[:total])
    if checksum(frame[5:-1]) != frame[-1]:
        raise IdCardChecksumError(
            f"frame checksum {frame[-1]:02X} but content gives {checksum(frame[5:-1]):02X}"
        )
    return frame[7:-1]


def _read_more(
    port: SerialLike, buffer: bytearray, deadline: float, clock: Callable[[], float]
) -> bool:
    """Append what the port gives before the deadline; False once the deadline passed."""
    while clock() < deadline:
        chunk = port.read(max(1, getattr(port, "in_waiting", 0) or 1))
        if chunk:
            buffer += chunk
            return True
    return False
