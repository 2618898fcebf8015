"""Open card readers from their URI (grammar in device_uri.py)."""

from __future__ import annotations

from hardware.cards.device_uri import DeviceUriError, parse_device_uri
from hardware.cards.idcard_reader import MIN_POLL_INTERVAL, SerialIdCardReader
from hardware.cards.idcard_sim import SimIdCardReader
from hardware.cards.pcsc_reader import PcscCardReader
from hardware.cards.sscard_sim import SimCardReader


def open_card_reader(uri: str = "pcsc:") -> PcscCardReader | SimCardReader:
    """`pcsc:` any reader, `pcsc:NAME-PART` the reader whose name contains it, `sim`."""
    parsed = parse_device_uri(uri, "sscard", ("pcsc", "sim")).only_options()
    if parsed.transport == "sim":
        return SimCardReader()
    return PcscCardReader(parsed.target)


def open_idcard_reader(uri: str) -> SerialIdCardReader | SimIdCardReader:
    """`idcard:serial:/dev/ttyUSB0?baudrate=115200&poll=0.5&timeout=2`, a bare device path,
    or `sim`."""
    if uri.startswith("/"):
        uri = "serial:" + uri
    parsed = parse_device_uri(uri, "idcard", ("serial", "sim"))
    if parsed.transport == "sim":
        parsed.only_options()
        return SimIdCardReader()
    if not parsed.target:
        raise DeviceUriError(f"{uri!r}: serial needs a device path, e.g. serial:/dev/ttyUSB0")
    parsed.only_options("baudrate", "poll", "timeout")
    return SerialIdCardReader(
        parsed.target,
        parsed.int_option("baudrate", 115200),
        poll_interval=parsed.float_option("poll", MIN_POLL_INTERVAL),
        response_timeout=parsed.float_option("timeout", 2.0),
    )
