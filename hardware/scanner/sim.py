"""The simulated scanner: the same interface as the real ones, driven by method calls, for
demos and kiosk tests. Scans are delivered synchronously on the caller's thread."""

from __future__ import annotations

from collections.abc import Callable

from hardware.health import Health
from hardware.scanner.device_loop import UNPLUGGED_ZH

# A made-up 鲁通码 payload; the real format is the provincial platform's business.
SAMPLE_LUTONG_CODE = "LTM:3701:0f3c9a2b7d1e4c6a"


class SimScanner:
    def __init__(self) -> None:
        self._plugged = True
        self._on_scan: Callable[[str], None] | None = None
        self._on_health: Callable[[Health], None] | None = None

    def health(self) -> Health:
        if self._plugged:
            return Health.ok()
        return Health.error(UNPLUGGED_ZH, "simulated scanner unplugged")

    def start(
        self,
        on_scan: Callable[[str], None],
        on_health: Callable[[Health], None] | None = None,
    ) -> None:
        self._on_scan, self._on_health = on_scan, on_health

    def stop(self) -> None:
        self._on_scan = self._on_health = None

    def present_scan(self, text: str = SAMPLE_LUTONG_CODE) -> None:
        """A code is scanned; lost, like a real scan, when the scanner is unplugged."""
        if self._plugged and self._on_scan is not None:
            self._on_scan(text)

    def unplug(self) -> None:
        self._plugged = False
        self._report()

    def replug(self) -> None:
        self._plugged = True
        self._report()

    def _report(self) -> None:
        if self._on_health is not None:
            self._on_health(self.health())
