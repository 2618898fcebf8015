"""Pre-built WebSocket frames: a message is encoded and framed once, then the same bytes are
written to every subscriber (RFC 6455 §5.2; server frames are never masked)."""

from __future__ import annotations

import struct


def text_frame(payload: bytes) -> bytes:
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x81, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, length)
    else:
        header = struct.pack("!BBQ", 0x81, 127, length)
    return header + payload
