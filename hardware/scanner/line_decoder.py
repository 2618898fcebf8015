"""Turns a serial scanner's bytes into whole scans: each ends with CR, LF or CR LF."""

from __future__ import annotations

import logging

from hardware.scanner.scan_buffer import DEFAULT_CHAR_TIMEOUT, DEFAULT_MAX_LENGTH, ScanBuffer

log = logging.getLogger(__name__)

_TERMINATORS = b"\r\n"


class SerialLineDecoder:
    def __init__(
        self,
        max_length: int = DEFAULT_MAX_LENGTH,
        char_timeout: float = DEFAULT_CHAR_TIMEOUT,
        source: str = "scanner",
    ):
        # The buffer counts bytes here (latin-1 keeps one character per byte); text decoding
        # waits for the whole line so a multi-byte character is never split.
        self.buffer = ScanBuffer(max_length, char_timeout, source)

    def feed(self, data: bytes, at: float) -> list[str]:
        scans: list[str] = []
        start = 0
        for i, byte in enumerate(data):
            if byte in _TERMINATORS:
                if i > start:
                    self.buffer.add(data[start:i].decode("latin-1"), at)
                raw = self.buffer.finish(at)
                if raw is not None:
                    scans.append(_text(raw.encode("latin-1"), self.buffer.source))
                start = i + 1
        if start < len(data):
            self.buffer.add(data[start:].decode("latin-1"), at)
        return scans

    def expire(self, now: float) -> bool:
        return self.buffer.expire(now)

    def reset(self) -> None:
        self.buffer.expire(float("inf"))


def _text(raw: bytes, source: str) -> str:
    """Scanners send UTF-8 (modern) or GBK (older Chinese models) for codes holding hanzi."""
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # gb18030 decodes nearly anything; this is for the truly broken
        log.warning("%s: scan is neither UTF-8 nor GB18030; undecodable bytes replaced", source)
        text = raw.decode("utf-8", errors="replace")
    # Some scanners wrap codes in STX/ETX or other control bytes; they are no part of the code.
    return "".join(ch for ch in text if ch >= " " or ch == "\t")
