"""The kiosk's configuration file (TOML): which server and hall, its device token, its devices and
how the screen behaves. Validated at start; a bad file is one line naming the key."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

IDENTIFIED = ("lutong", "card", "idcard", "face", "nocard")


class KioskConfigError(Exception):
    """The kiosk configuration cannot be used; the message names the key."""


@dataclass(frozen=True)
class Timeouts:
    idle_s: float = 60.0  # no touch on any screen but home → home, input wiped
    ticket_s: float = 30.0  # the ticket screen returns home sooner
    screensaver_s: float = 180.0  # no touch this long on home → notice loop
    http_connect_s: float = 3.0
    http_read_s: float = 6.0
    retries: int = 1  # idempotent reads are retried this many times
    reconnect_max_s: float = 30.0  # backoff ceiling while the server is unreachable
    refresh_s: float = 20.0  # hall and queue refresh while online
    health_s: float = 60.0  # device health report period (also sent on every change)


@dataclass(frozen=True)
class Devices:
    printer: str = ""  # hardware.printer URI, e.g. "sim", "usb:04b8:0e15", "tcp:10.0.0.5"
    camera: str = ""  # hardware.camera URI, e.g. "cam:0", "sim:/path/qr.png"
    scanner: str = ""  # "wedge" (keyboard-wedge QR scanner), "sim"
    card_reader: str = ""  # social security card: "pcsc:", "sim"
    idcard_reader: str = ""  # 二代身份证: "serial:/dev/ttyUSB0", "sim"


@dataclass(frozen=True)
class KioskConfig:
    server_url: str
    hall: str
    token: str
    device_id: str = "kiosk"
    orientation: str = "portrait"  # or "landscape"
    fullscreen: bool = True
    language: str = "zh"
    large_text: bool = False
    # Identification channels this terminal offers (the hall/server decides whether they are open).
    channels: tuple[str, ...] = IDENTIFIED
    timeouts: Timeouts = field(default_factory=Timeouts)
    devices: Devices = field(default_factory=Devices)
    path: str = ""

    @property
    def size(self) -> tuple[int, int]:
        return (1080, 1920) if self.orientation == "portrait" else (1920, 1080)


_TOP = {"server_url", "hall", "token", "token_file", "device_id", "orientation", "fullscreen",
        "language", "large_text", "channels", "timeouts", "devices"}


def load(path: str | os.PathLike[str]) -> KioskConfig:
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KioskConfigError(f"config file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KioskConfigError(f"cannot read {file}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise KioskConfigError(f"{file}: not valid TOML: {exc}") from None
    return parse(raw, base=file.parent, path=str(file))


def parse(raw: dict, *, base: Path = Path("."), path: str = "") -> KioskConfig:
    unknown = set(raw) - _TOP
    if unknown:
        raise KioskConfigError(f"unknown key(s): {', '.join(sorted(unknown))}")
    server_url = _str(raw, "server_url", required=True).rstrip("/")
    parts = urlsplit(server_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KioskConfigError(f"server_url must be an http(s) URL, got {server_url!r}")
    hall = _str(raw, "hall", required=True)
    token = _str(raw, "token")
    token_file = _str(raw, "token_file")
    env_token = os.environ.get("KIOSK_TOKEN", "").strip()
    if env_token:
        token = env_token
    elif token_file:
        token_path = Path(token_file) if Path(token_file).is_absolute() else base / token_file
        try:
            token = token_path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise KioskConfigError(f"token_file: cannot read {token_path}: {exc.strerror}") from None
    if not token:
        raise KioskConfigError("token (or token_file, or $KIOSK_TOKEN) is required")
    orientation = _str(raw, "orientation") or "portrait"
    if orientation not in ("portrait", "landscape"):
        raise KioskConfigError(f"orientation must be portrait or landscape, got {orientation!r}")
    language = _str(raw, "language") or "zh"
    if language not in ("zh", "en"):
        raise KioskConfigError(f"language must be zh or en, got {language!r}")
    channels = raw.get("channels", list(IDENTIFIED))
    if not isinstance(channels, list) or any(c not in IDENTIFIED for c in channels):
        raise KioskConfigError(f"channels must be a list of {', '.join(IDENTIFIED)}")
    return KioskConfig(
        server_url=server_url,
        hall=hall,
        token=token,
        device_id=_str(raw, "device_id") or "kiosk",
        orientation=orientation,
        fullscreen=_bool(raw, "fullscreen", True),
        language=language,
        large_text=_bool(raw, "large_text", False),
        channels=tuple(channels),
        timeouts=_timeouts(raw.get("timeouts", {})),
        devices=_devices(raw.get("devices", {})),
        path=path,
    )


def _str(raw: dict, key: str, *, required: bool = False, where: str = "") -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise KioskConfigError(f"{where}{key} must be a string")
    value = value.strip()
    if required and not value:
        raise KioskConfigError(f"{where}{key} is required")
    return value


def _bool(raw: dict, key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise KioskConfigError(f"{key} must be true or false")
    return value


def _timeouts(raw: object) -> Timeouts:
    if not isinstance(raw, dict):
        raise KioskConfigError("timeouts must be a table")
    defaults = Timeouts()
    values: dict[str, float | int] = {}
    for key, value in raw.items():
        if not hasattr(defaults, key):
            raise KioskConfigError(f"unknown key timeouts.{key}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise KioskConfigError(f"timeouts.{key} must be a number")
        if key == "retries":
            if not 0 <= value <= 5 or int(value) != value:
                raise KioskConfigError("timeouts.retries must be a whole number 0-5")
            values[key] = int(value)
        else:
            if not 0.05 <= value <= 86400:
                raise KioskConfigError(f"timeouts.{key} must be between 0.05 and 86400 seconds")
            values[key] = float(value)
    return Timeouts(**values)  # type: ignore[arg-type]


def _devices(raw: object) -> Devices:
    if not isinstance(raw, dict):
        raise KioskConfigError("devices must be a table")
    known = set(Devices.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise KioskConfigError(f"unknown key(s) devices.{', devices.'.join(sorted(unknown))}")
    return Devices(**{k: _str(raw, k, where="devices.") for k in raw})
