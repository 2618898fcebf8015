"""The display's config file (TOML): which server and hall, the device token, the screen, voice.
Unknown keys and wrong types are errors that name the key, like the server's config."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_VOICE_COMMAND = ("espeak-ng", "-v", "cmn")
DEFAULT_VOICE_TEMPLATE = "请{number}号到{window_name}办理"


class SettingsError(ValueError):
    """The config file cannot be used; the message names the key."""


@dataclass(frozen=True)
class VoiceSettings:
    enabled: bool = False  # silent calling (无声叫号) is the default
    command: tuple[str, ...] = DEFAULT_VOICE_COMMAND  # the text is appended as the last argument
    template: str = DEFAULT_VOICE_TEMPLATE
    repeat: int = 1


@dataclass(frozen=True)
class Settings:
    server_url: str
    hall: str
    token: str = field(repr=False)
    window: str | None = None  # the window screen's window id
    width: int = 1920
    height: int = 1080
    fullscreen: bool = False
    page_seconds: float = 8.0  # hall screen: how long one page of windows stays
    highlight_seconds: float = 6.0  # how long a new call (or a recall) stays highlighted
    timezone: str = "Asia/Shanghai"  # the clock on screen
    voice: VoiceSettings = VoiceSettings()
    ping_interval: float = 2.0
    ping_timeout: float = 2.0


_SECTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "server": {"url": str, "hall": str, "token": str, "token_file": str},
    "screen": {
        "window": str,
        "width": int,
        "height": int,
        "fullscreen": bool,
        "page_seconds": (int, float),
        "highlight_seconds": (int, float),
        "timezone": str,
    },
    "voice": {"enabled": bool, "command": list, "template": str, "repeat": int},
    "connection": {"ping_interval": (int, float), "ping_timeout": (int, float)},
}


def load_settings(path: str | Path, window: str | None = None) -> Settings:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from None
    return parse_settings(data, base=path.parent, window=window)


def parse_settings(data: dict[str, Any], base: Path = Path("."), window: str | None = None) -> Settings:
    for section, value in data.items():
        if section not in _SECTIONS:
            raise SettingsError(f"unknown section [{section}]; known: {', '.join(_SECTIONS)}")
        if not isinstance(value, dict):
            raise SettingsError(f"[{section}] must be a table")
        for key, item in value.items():
            expected = _SECTIONS[section].get(key)
            if expected is None:
                raise SettingsError(f"unknown key {section}.{key}")
            if isinstance(item, bool) and expected is not bool:
                raise SettingsError(f"{section}.{key} has the wrong type")
            if not isinstance(item, expected):
                raise SettingsError(f"{section}.{key} has the wrong type")
    server = data.get("server", {})
    screen = data.get("screen", {})
    voice = data.get("voice", {})
    connection = data.get("connection", {})
    url = _required(server, "server", "url")
    if not url.startswith(("http://", "https://")):
        raise SettingsError("server.url must start with http:// or https://")
    hall = _required(server, "server", "hall")
    token = _token(server, base)
    command = voice.get("command", list(DEFAULT_VOICE_COMMAND))
    if not command or not all(isinstance(part, str) and part for part in command):
        raise SettingsError("voice.command must be a non-empty list of strings")
    template = voice.get("template", DEFAULT_VOICE_TEMPLATE)
    try:
        template.format(number="A001", window_name="1号窗口", window="W01")
    except (KeyError, IndexError, ValueError) as exc:
        raise SettingsError(f"voice.template: {exc!r}; use {{number}}, {{window_name}}, {{window}}") from None
    timezone = screen.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"screen.timezone: unknown time zone {timezone!r}") from None
    settings = Settings(
        server_url=url.rstrip("/"),
        hall=hall,
        token=token,
        window=window or screen.get("window"),
        width=_positive(screen, "screen", "width", 1920),
        height=_positive(screen, "screen", "height", 1080),
        fullscreen=screen.get("fullscreen", False),
        page_seconds=_positive(screen, "screen", "page_seconds", 8.0),
        highlight_seconds=_positive(screen, "screen", "highlight_seconds", 6.0),
        timezone=timezone,
        voice=VoiceSettings(
            enabled=voice.get("enabled", False),
            command=tuple(command),
            template=template,
            repeat=_positive(voice, "voice", "repeat", 1),
        ),
        ping_interval=_positive(connection, "connection", "ping_interval", 2.0),
        ping_timeout=_positive(connection, "connection", "ping_timeout", 2.0),
    )
    return settings


def _required(table: dict[str, Any], section: str, key: str) -> str:
    value = table.get(key, "").strip()
    if not value:
        raise SettingsError(f"{section}.{key} is required")
    return value


def _token(server: dict[str, Any], base: Path) -> str:
    if "token" in server and "token_file" in server:
        raise SettingsError("give server.token or server.token_file, not both")
    if "token_file" in server:
        token_path = base / server["token_file"]
        try:
            token = token_path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(f"server.token_file: {exc}") from None
    else:
        token = server.get("token", "").strip()
    if not token:
        raise SettingsError("server.token (or server.token_file) is required: the display's device token")
    return token


def _positive(table: dict[str, Any], section: str, key: str, default: Any) -> Any:
    value = table.get(key, default)
    if value <= 0:
        raise SettingsError(f"{section}.{key} must be positive")
    return value
