"""Device URIs, one grammar for every card reader and scanner:

    [family:]transport[:target][?key=value&...]

family is optional and, when given, must match what is being opened (`idcard:`, `scanner:`,
`sscard:`); transport is `pcsc`, `serial`, `evdev` or `sim`; target is a reader-name substring
or a device path. Examples: `pcsc:`, `pcsc:ACS ACR39`, `idcard:serial:/dev/ttyUSB0?baudrate=115200`,
`scanner:evdev:/dev/input/by-id/usb-scanner-event-kbd`, `scanner:serial:/dev/ttyACM0`, `sim`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

FAMILIES = ("sscard", "idcard", "scanner")


class DeviceUriError(ValueError):
    """A URI that names no device we can open; the message says what was expected."""


@dataclass(frozen=True)
class DeviceUri:
    transport: str
    target: str = ""
    options: dict[str, str] = field(default_factory=dict)

    def only_options(self, *allowed: str) -> DeviceUri:
        unknown = sorted(set(self.options) - set(allowed))
        if unknown:
            known = ", ".join(allowed) or "none"
            raise DeviceUriError(f"unknown option(s) {', '.join(unknown)} (known: {known})")
        return self

    def int_option(self, key: str, default: int) -> int:
        return int(self._number(key, default, int))

    def float_option(self, key: str, default: float) -> float:
        return float(self._number(key, default, float))

    def bool_option(self, key: str, default: bool) -> bool:
        raw = self.options.get(key)
        if raw is None:
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise DeviceUriError(f"option {key}={raw!r} is not a yes/no value")

    def _number(self, key: str, default: float, kind: type) -> float:
        raw = self.options.get(key)
        if raw is None:
            return default
        try:
            value = kind(raw)
        except ValueError:
            raise DeviceUriError(f"option {key}={raw!r} is not a number") from None
        if value <= 0:
            raise DeviceUriError(f"option {key}={raw!r} must be positive")
        return value


def parse_device_uri(uri: str, family: str, transports: tuple[str, ...]) -> DeviceUri:
    text = uri.strip()
    if not text:
        raise DeviceUriError(f"empty {family} URI")
    head, _, query = text.partition("?")
    parts = head.split(":", 1)
    if parts[0] in FAMILIES:
        if parts[0] != family:
            raise DeviceUriError(f"{uri!r} names a {parts[0]} device, a {family} was expected")
        head = parts[1] if len(parts) > 1 else ""
    transport, _, target = head.partition(":")
    if transport not in transports:
        allowed = ", ".join(f"{t}:" for t in transports)
        raise DeviceUriError(f"{uri!r}: unknown transport {transport!r} (expected {allowed})")
    try:
        options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        raise DeviceUriError(f"{uri!r}: malformed options {query!r}") from None
    return DeviceUri(transport, target, options)
