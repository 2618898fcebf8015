"""A scanner on a serial line (RS-232, or USB CDC-ACM such as /dev/ttyACM0): text lines ending
in CR and/or LF."""

from __future__ import annotations

import termios
import time
from collections.abc import Callable
from typing import Any

import serial

from hardware.health import Health
from hardware.scanner.device_loop import DeviceGone, ScannerLoop
from hardware.scanner.line_decoder import SerialLineDecoder
from hardware.scanner.scan_buffer import DEFAULT_CHAR_TIMEOUT, DEFAULT_MAX_LENGTH

PortOpener = Callable[..., Any]
_PORT_ERRORS = (serial.SerialException, OSError, termios.error)


class SerialScanner(ScannerLoop):
    def __init__(
        self,
        port: str,
        baudrate: int = 9600,
        *,
        max_length: int = DEFAULT_MAX_LENGTH,
        char_timeout: float = DEFAULT_CHAR_TIMEOUT,
        opener: PortOpener = serial.Serial,
    ):
        super().__init__(f"serial scanner {port}")
        self.port_name = port
        self.baudrate = baudrate
        self.decoder = SerialLineDecoder(max_length, char_timeout, self.description)
        self._opener = opener
        self._port: Any = None

    def _open(self) -> Health:
        try:
            self._port = self._opener(self.port_name, self.baudrate, timeout=0)
        except (_PORT_ERRORS + (ValueError,)) as exc:
            raise DeviceGone(f"cannot open: {exc}") from None
        self.decoder.reset()
        return Health.ok()

    def _read(self, timeout: float) -> list[str]:
        port = self._port
        try:
            # pyserial's read with a timeout blocks up to it; wait for the first byte, then
            # take everything already there so a scan is handled in one piece.
            port.timeout = timeout
            data = port.read(1)
            if data and port.in_waiting:
                data += port.read(port.in_waiting)
        except _PORT_ERRORS as exc:
            raise DeviceGone(f"read failed: {exc}") from None
        now = time.monotonic()
        if not data:
            self.decoder.expire(now)
            return []
        return self.decoder.feed(data, now)

    def _close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except _PORT_ERRORS:
                pass
