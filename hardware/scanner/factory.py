"""Open a scanner from its URI (grammar in hardware/cards/device_uri.py):

    scanner:evdev:/dev/input/by-id/usb-Honeywell_Scanner-event-kbd[?grab=1&max_length=2048&char_timeout=0.3]
    scanner:serial:/dev/ttyACM0[?baudrate=9600&max_length=2048&char_timeout=0.3]
    sim
"""

from __future__ import annotations

from hardware.cards.device_uri import DeviceUriError, parse_device_uri
from hardware.scanner.evdev_scanner import EvdevScanner
from hardware.scanner.scan_buffer import DEFAULT_CHAR_TIMEOUT, DEFAULT_MAX_LENGTH
from hardware.scanner.serial_scanner import SerialScanner
from hardware.scanner.sim import SimScanner

_COMMON = ("max_length", "char_timeout")


def open_scanner(uri: str) -> EvdevScanner | SerialScanner | SimScanner:
    parsed = parse_device_uri(uri, "scanner", ("evdev", "serial", "sim"))
    if parsed.transport == "sim":
        parsed.only_options()
        return SimScanner()
    if not parsed.target:
        raise DeviceUriError(f"{uri!r}: {parsed.transport} needs a device path")
    limits = dict(
        max_length=parsed.int_option("max_length", DEFAULT_MAX_LENGTH),
        char_timeout=parsed.float_option("char_timeout", DEFAULT_CHAR_TIMEOUT),
    )
    if parsed.transport == "evdev":
        parsed.only_options("grab", *_COMMON)
        return EvdevScanner(parsed.target, grab=parsed.bool_option("grab", True), **limits)
    parsed.only_options("baudrate", *_COMMON)
    return SerialScanner(parsed.target, parsed.int_option("baudrate", 9600), **limits)
