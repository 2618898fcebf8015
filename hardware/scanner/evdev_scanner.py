"""A USB HID keyboard-wedge scanner read from /dev/input/eventN. The device is grabbed: while
we hold it, its keystrokes reach no other program (a scan must not type into the kiosk's
search box, or a terminal)."""

from __future__ import annotations

import errno
import select
import time
from collections.abc import Callable
from typing import Any

import evdev

from hardware.health import Health
from hardware.scanner.device_loop import DeviceGone, ScannerLoop
from hardware.scanner.key_decoder import KeyEventDecoder
from hardware.scanner.scan_buffer import DEFAULT_CHAR_TIMEOUT, DEFAULT_MAX_LENGTH

DeviceOpener = Callable[[str], Any]  # returns an evdev.InputDevice or a look-alike


class EvdevScanner(ScannerLoop):
    def __init__(
        self,
        path: str,
        *,
        grab: bool = True,
        max_length: int = DEFAULT_MAX_LENGTH,
        char_timeout: float = DEFAULT_CHAR_TIMEOUT,
        opener: DeviceOpener = evdev.InputDevice,
    ):
        super().__init__(f"evdev scanner {path}")
        self.path = path
        self.grab = grab
        self.decoder = KeyEventDecoder(max_length, char_timeout, self.description)
        self._opener = opener
        self._device: Any = None

    def _open(self) -> Health:
        try:
            self._device = self._opener(self.path)
        except OSError as exc:
            raise DeviceGone(f"cannot open: {exc.strerror or exc}") from None
        self.decoder.reset()
        if not self.grab:
            return Health.ok()
        try:
            self._device.grab()
        except OSError as exc:
            # Still usable, but scans also reach whichever program has the focus.
            return Health.warning(
                "扫码器可用，但可能被其他程序占用",
                f"{self.description}: cannot grab ({exc.strerror or exc}); scans may leak",
            )
        return Health.ok()

    def _read(self, timeout: float) -> list[str]:
        device = self._device
        try:
            ready, _, _ = select.select([device.fd], [], [], timeout)
            events = list(device.read()) if ready else []
        except BlockingIOError:
            events = []
        except OSError as exc:
            if exc.errno in (errno.ENODEV, errno.EIO, errno.EBADF, errno.ENOENT):
                raise DeviceGone(f"device vanished ({exc.strerror})") from None
            raise DeviceGone(f"read failed: {exc}") from None
        scans = []
        for event in events:
            scan = self.decoder.feed(event.type, event.code, event.value, event.timestamp())
            if scan is not None:
                scans.append(scan)
        if not events:
            # Event times are the kernel's CLOCK_REALTIME; compare a quiet spell with the same
            # clock, not the monotonic one the loop offers.
            self.decoder.expire(time.time())
        return scans

    def _close(self) -> None:
        device, self._device = self._device, None
        if device is None:
            return
        for action in ("ungrab", "close"):
            try:
                getattr(device, action)()
            except (OSError, AttributeError):
                pass  # an unplugged device cannot be ungrabbed; closing is all that is left

