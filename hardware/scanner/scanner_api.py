"""The interface the kiosk programs against for a barcode/QR scanner: the evdev and serial
scanners and the simulated twin all provide it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from hardware.health import Health


class BarcodeScanner(Protocol):
    def health(self) -> Health:
        ...

    def start(
        self,
        on_scan: Callable[[str], None],
        on_health: Callable[[Health], None] | None = None,
    ) -> None:
        """Read in a background thread; each complete scan goes to on_scan (on that thread)."""
        ...

    def stop(self) -> None:
        ...
