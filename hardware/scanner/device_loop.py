"""The reading thread every real scanner shares: open the device, read scans, and when the
device disappears (unplugged, USB reset) report it and reopen with backoff until it is back,
without the kiosk restarting."""

from __future__ import annotations

import abc
import logging
import threading
from collections.abc import Callable

from hardware.health import Health

log = logging.getLogger(__name__)

_BACKOFF_START = 0.25
_BACKOFF_MAX = 5.0
_READ_SLICE = 0.1  # how long one read waits; bounds how late a stop or a timeout is noticed

UNPLUGGED_ZH = "扫码器未连接，请联系工作人员"


class DeviceGone(Exception):
    """The device cannot be opened or stopped working; the message is for technicians."""


class ScannerLoop(abc.ABC):
    """Subclasses provide _open, _read (scans completed within one slice) and _close."""

    def __init__(self, description: str):
        self.description = description
        self._health = Health.warning("扫码器正在启动", f"{description}: starting")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_scan: Callable[[str], None] | None = None
        self._on_health: Callable[[Health], None] | None = None

    def health(self) -> Health:
        return self._health

    def start(
        self,
        on_scan: Callable[[str], None],
        on_health: Callable[[Health], None] | None = None,
    ) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.description}: already started")
        self._on_scan, self._on_health = on_scan, on_health
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="scanner", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    # --- what each kind of scanner provides --------------------------------------------------

    @abc.abstractmethod
    def _open(self) -> Health:
        """Open the device; returns its health (OK, or a WARNING such as "not grabbed")."""

    @abc.abstractmethod
    def _read(self, timeout: float) -> list[str]:
        """Scans completed within `timeout` seconds."""

    @abc.abstractmethod
    def _close(self) -> None:
        """Release the device."""

    # --- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        backoff = _BACKOFF_START
        while not self._stop.is_set():
            try:
                self._set_health(self._open())
            except DeviceGone as exc:
                self._set_health(Health.error(UNPLUGGED_ZH, f"{self.description}: {exc}"))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)
                continue
            backoff = _BACKOFF_START
            try:
                while not self._stop.is_set():
                    for scan in self._read(_READ_SLICE):
                        self._deliver(scan)
            except DeviceGone as exc:
                log.warning("%s lost: %s; reopening", self.description, exc)
                self._close()  # before reporting: whoever hears of it may replug at once
                self._set_health(Health.error(UNPLUGGED_ZH, f"{self.description}: {exc}"))
                self._stop.wait(backoff)
            finally:
                self._close()

    def _deliver(self, scan: str) -> None:
        if self._on_scan is None:
            return
        try:
            self._on_scan(scan)
        except Exception:  # the kiosk's handler failing must not stop scanning
            log.exception("%s: scan handler failed", self.description)

    def _set_health(self, health: Health) -> None:
        changed = (health.level, health.message_en) != (self._health.level, self._health.message_en)
        self._health = health
        if changed and self._on_health is not None:
            try:
                self._on_health(health)
            except Exception:
                log.exception("%s: health handler failed", self.description)
