"""A virtual social security card for vsmartcard's emulator (python3-virtualsmartcard), run as
a separate process inside the test pcscd's network namespace:

    PYTHONPATH=/usr/lib/python3/site-packages/virtualsmartcard \
        python pcsc_virtual_card.py CARD.json [--port 35963]

CARD.json (written by pcsc_fixtures.VirtualSsCard) defines the files and the card's manners:
  atr, aid (hex); records: {"EF05": {"1": "<hex of tag+len+value>"}, "EF06": {...}};
  refuse: ["EF06", "EF06:09"] answers 6982 to that SELECT / READ RECORD;
  le_mode: "exact" (any Le, answers the record) or "6c" (wrong Le → 6Cxx, as T=0 cards do);
  chained: answers carrying data come as 61xx, fetched by GET RESPONSE in chunks of `chunk`;
  die_on: "EF06:09" → the process vanishes on that READ RECORD (the citizen pulls the card).
The emulator connects to vpcd; its exit is the card leaving the reader.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys

from virtualsmartcard.VirtualSmartcard import SmartcardOS, VirtualICC

SW_OK = b"\x90\x00"
SW_FILE_NOT_FOUND = b"\x6a\x82"
SW_RECORD_NOT_FOUND = b"\x6a\x83"
SW_SECURITY = b"\x69\x82"
SW_NO_DATA = b"\x69\x85"
SW_BAD_INS = b"\x6d\x00"


class SsCardOS(SmartcardOS):
    """Answers SELECT (AID, EF), READ RECORD and GET RESPONSE per the card definition."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.atr = bytes.fromhex(spec["atr"])
        self.aid = bytes.fromhex(spec["aid"])
        self.records = {
            f: {int(k): bytes.fromhex(v) for k, v in recs.items()}
            for f, recs in spec["records"].items()
        }
        self.refuse = set(spec.get("refuse", []))
        self.app_selected = False
        self.current: str | None = None
        self.pending = b""  # data waiting for GET RESPONSE

    def getATR(self) -> bytes:
        return self.atr

    def powerUp(self) -> None:
        self.app_selected, self.current, self.pending = False, None, b""

    def reset(self) -> None:
        self.powerUp()

    def execute(self, msg: bytes) -> bytes:
        if len(msg) < 4:
            return b"\x67\x00"
        ins, p1, p2 = msg[1], msg[2], msg[3]
        if ins == 0xC0:
            return self._get_response(msg)
        self.pending = b""
        if ins == 0xA4 and p1 == 0x04:
            return self._select_aid(msg[5 : 5 + msg[4]])
        if ins == 0xA4 and p1 == 0x02:
            return self._select_ef(msg[5 : 5 + msg[4]])
        if ins == 0xB2 and p2 == 0x04:
            return self._read_record(p1, msg[4] if len(msg) > 4 else 0)
        return SW_BAD_INS

    def _select_aid(self, aid: bytes) -> bytes:
        if aid != self.aid:
            return SW_FILE_NOT_FOUND
        self.app_selected, self.current = True, None
        # Real cards answer SELECT with an FCI; delivered by GET RESPONSE on chained cards.
        return self._answer(b"\x6f\x08\x84\x06" + aid[:6])

    def _select_ef(self, file_id: bytes) -> bytes:
        name = file_id.hex().upper()
        if not self.app_selected or name not in self.records:
            return SW_FILE_NOT_FOUND
        if name in self.refuse:
            return SW_SECURITY
        self.current = name
        return SW_OK

    def _read_record(self, number: int, le: int) -> bytes:
        key = f"{self.current}:{number:02X}"
        if key == self.spec.get("die_on"):
            os._exit(0)  # the card leaves the field: no answer, the socket closes
        if self.current is None:
            return SW_NO_DATA
        if key in self.refuse:
            return SW_SECURITY
        record = self.records[self.current].get(number)
        if record is None:
            return SW_RECORD_NOT_FOUND
        if self.spec.get("le_mode") == "6c" and le != len(record) % 256:
            return bytes([0x6C, len(record)])
        return self._answer(record[:le] if le else record)

    def _answer(self, data: bytes) -> bytes:
        if self.spec.get("chained") and data:
            self.pending = data
            return bytes([0x61, min(len(data), self.spec.get("chunk", 256)) % 256])
        return data + SW_OK

    def _get_response(self, msg: bytes) -> bytes:
        if not self.pending:
            return SW_NO_DATA
        le = msg[4] if len(msg) > 4 and msg[4] else 256
        chunk, self.pending = self.pending[:le], self.pending[le:]
        if self.pending:
            return chunk + bytes([0x61, min(len(self.pending), self.spec.get("chunk", 256)) % 256])
        return chunk + SW_OK


class _QuickAckSocket:
    """vpcd and the emulator exchange tiny messages; with delayed ACKs each APDU costs ≈ 48 ms.
    TCP_QUICKACK is cleared by the kernel after use, so set it again before every receive."""

    def __init__(self, sock: socket.socket):
        self._sock = sock

    def recv(self, size: int) -> bytes:
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        return self._sock.recv(size)

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("card")
    parser.add_argument("--port", type=int, default=35963)
    args = parser.parse_args()
    with open(args.card, encoding="utf-8") as f:
        spec = json.load(f)
    vicc = VirtualICC(None, "iso7816", "localhost", args.port)
    vicc.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    vicc.sock = _QuickAckSocket(vicc.sock)
    vicc.os = SsCardOS(spec)
    print("card ready", flush=True)
    vicc.run()


if __name__ == "__main__":
    sys.exit(main())
