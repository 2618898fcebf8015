"""The kiosk's devices behind small interfaces: the ticket printer (hardware.printer), QR input
from the camera (hardware.camera) or a scanner, the social security card reader and the ID card
reader (hardware.cards). A device that fails to open is kept as a "broken" entry with its reason,
so the kiosk starts anyway and greys the options that need it.

QR input is the kiosk's small `QrInput` protocol (poll while a scan screen shows), served by
hardware.scanner's scanners (evdev, serial, sim), by the camera, and by `wedge`: a keyboard-wedge
scanner typing into the kiosk window itself."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol

from hardware.health import Health

from .config import Devices
from .strings import t

log = logging.getLogger("kiosk.devices")


class QrInput(Protocol):
    """Where QR payloads come from (scanner or camera), polled while a scan screen shows."""

    def poll(self) -> str | None:
        """The next QR payload read since the last poll, or None."""
        ...

    def clear(self) -> None:
        """Forget anything read so far (a new scan starts clean)."""
        ...

    def health(self) -> Health: ...

    def close(self) -> None: ...


class _Pending:
    """Scans delivered by a device's own thread, kept until the kiosk polls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[str] = []

    def _deliver(self, payload: str) -> None:
        with self._lock:
            self._pending = (self._pending + [payload])[-4:]

    def poll(self) -> str | None:
        with self._lock:
            return self._pending.pop(0) if self._pending else None

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()


class ScannerInput(_Pending):
    """A hardware.scanner scanner (evdev keyboard-wedge, serial, or its sim twin) as a QrInput."""

    def __init__(self, device: Any, uri: str) -> None:
        super().__init__()
        self.device = device
        self.uri = uri
        device.start(self._deliver)

    def health(self) -> Health:
        return self.device.health()

    def close(self) -> None:
        self.device.stop()


class WedgeScanner(_Pending):
    """A keyboard-wedge scanner typing into the kiosk's own window (where the kiosk user may not
    read /dev/input): the UI forwards text and Enter key events here. Characters arriving slower
    than a scanner types are a person at a keyboard and are dropped."""

    uri = "wedge"
    MAX_GAP_S = 0.2

    def __init__(self) -> None:
        super().__init__()
        self._buffer = ""
        self._last = 0.0

    def feed_text(self, text: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if now - self._last > self.MAX_GAP_S:
            self._buffer = ""
        self._last = now
        self._buffer = (self._buffer + text)[-4096:]

    def feed_enter(self) -> None:
        if self._buffer:
            self._deliver(self._buffer)
        self._buffer = ""

    def health(self) -> Health:
        # A wedge scanner is a keyboard: nothing to ask it. It is configured, so assume present.
        return Health.ok(t("device.wedge_ok", "zh"), t("device.wedge_ok", "en"))

    def close(self) -> None:
        pass


class CameraQr:
    """QR codes from the camera: a FrameGrabber keeps the newest frame; poll() decodes it."""

    def __init__(self, uri: str) -> None:
        from hardware.camera import FrameGrabber, QRDecoder

        self.uri = uri
        self.grabber = FrameGrabber(uri).start()
        self.decoder = QRDecoder()
        self._last_seq = -1

    def poll(self) -> str | None:
        frame = self.grabber.latest()
        if frame is None or getattr(frame, "seq", None) == self._last_seq:
            return None
        self._last_seq = getattr(frame, "seq", self._last_seq)
        try:
            payload = self.decoder.decode(frame.image if hasattr(frame, "image") else frame)
        except Exception as exc:  # a bad payload or frame is "no code", never a crash
            log.info("camera QR not read: %s", exc.__class__.__name__)
            return None
        return payload or None

    def clear(self) -> None:
        self._last_seq = -1

    def health(self) -> Health:
        return self.grabber.health()

    def close(self) -> None:
        self.grabber.stop(timeout=2.0)


class Broken:
    """A device that could not even be opened: its reason stays visible in health reports."""

    def __init__(self, uri: str, zh: str, en: str) -> None:
        self.uri = uri
        self._health = Health.error(zh, en)

    def health(self) -> Health:
        return self._health

    def poll(self) -> None:
        return None

    def clear(self) -> None:
        pass

    def close(self) -> None:
        pass


# Component names reported to the server, and what the citizen sees when each fails.
NAMES = ("printer", "camera", "scanner", "card_reader", "idcard_reader")


class DeviceSet:
    def __init__(self, config: Devices) -> None:
        self.config = config
        self.printer: Any = None
        self.camera: Any = None
        self.scanner: Any = None
        self.card_reader: Any = None
        self.idcard_reader: Any = None
        self._open_all()

    def _open_all(self) -> None:
        openers = {"printer": _open_printer, "camera": CameraQr, "scanner": _open_scanner,
                   "card_reader": _open_card_reader, "idcard_reader": _open_idcard_reader}
        for name, opener in openers.items():
            uri = getattr(self.config, name)
            if uri:
                setattr(self, name, self._open(name, uri, opener))

    @staticmethod
    def _open(name: str, uri: str, opener: Any) -> Any:
        try:
            return opener(uri)
        except Exception as exc:  # any failure to open: a broken device, not a dead kiosk
            log.warning("%s %r cannot be opened: %s", name, uri, exc)
            return Broken(uri, t("device.config_error", "zh", device=t(f"device.{name}", "zh")),
                          f"{name} {uri!r}: {exc}")

    def configured(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in NAMES if getattr(self, n) is not None}

    def health(self) -> dict[str, Health]:
        result = {}
        for name, device in self.configured().items():
            try:
                result[name] = device.health()
            except Exception as exc:
                result[name] = Health.error(t("device.unknown", "zh"), f"{name} health failed: {exc}")
        return result

    def qr_inputs(self) -> list[Any]:
        return [d for d in (self.scanner, self.camera) if d is not None and not isinstance(d, Broken)]

    def close(self) -> None:
        for device in self.configured().values():
            try:
                device.close()
            except Exception:
                pass


def _open_printer(uri: str) -> Any:
    from hardware.printer import open_printer

    return open_printer(uri)


def _open_scanner(uri: str) -> QrInput:
    if uri == "wedge":
        return WedgeScanner()
    from hardware.scanner import open_scanner

    return ScannerInput(open_scanner(uri), uri)


def _open_card_reader(uri: str) -> Any:
    from hardware.cards import open_card_reader

    return open_card_reader(uri)


def _open_idcard_reader(uri: str) -> Any:
    from hardware.cards import open_idcard_reader

    return open_idcard_reader(uri)
