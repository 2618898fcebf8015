"""The wire to a printer: open, write one byte stream, ask one DLE EOT question, close.

python-escpos provides the connections (Network, Serial, Usb, File); this module normalises their
many exception types into two that the printer logic acts on: LinkDown (reopen next time) and
NoAnswer (the printer is silent). A link object can be opened again after close(): that is how a
printer survives being unplugged and plugged back in without restarting the kiosk.
"""

from __future__ import annotations

import os
import select
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File, Network, Serial

from hardware.printer import codes


class LinkDown(Exception):
    """The connection cannot be opened, or broke while in use."""


class NoAnswer(Exception):
    """The printer did not answer a status request in time."""


class Link(ABC):
    where: str  # for technicians' messages: "tcp:10.0.0.7:9100"
    two_way: bool  # can we read status back?

    @property
    @abstractmethod
    def is_open(self) -> bool: ...

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def write(self, data: bytes) -> None: ...

    @abstractmethod
    def query(self, n: int) -> int:
        """Send DLE EOT n and return the answer byte."""

    @abstractmethod
    def close(self) -> None: ...


# Errors python-escpos and its backends raise for a missing or broken device: OSError covers
# sockets, pyserial's SerialException and pyusb's USBError; ValueError covers pyusb's NoBackendError
# and pyserial's bad-port errors; AssertionError is python-escpos's "device is None".
_DEVICE_ERRORS = (DeviceNotFoundError, OSError, ValueError, AssertionError)


class EscposLink(Link):
    def __init__(self, where: str, make: Callable[[], Escpos], two_way: bool) -> None:
        self.where = where
        self.two_way = two_way
        self._make = make
        self._printer: Escpos | None = None

    @property
    def is_open(self) -> bool:
        return self._printer is not None

    def open(self) -> None:
        self.close()
        printer = self._make()
        try:
            printer.open()
        except _DEVICE_ERRORS as exc:
            raise LinkDown(f"cannot open {self.where}: {_one_line(exc)}") from exc
        if not printer._device:  # python-escpos leaves None when it only logged the failure
            raise LinkDown(f"cannot open {self.where}")
        self._printer = printer

    def _device(self) -> Any:
        if self._printer is None:
            raise LinkDown(f"{self.where} is not open")
        return self._printer._device

    def write(self, data: bytes) -> None:
        device = self._device()
        try:
            if isinstance(self._printer, Network):
                device.sendall(data)  # all or an exception, never a silent partial send
            else:
                self._printer._raw(data)  # type: ignore[union-attr]
                if isinstance(self._printer, File):
                    device.flush()
        except _DEVICE_ERRORS as exc:
            self.close()
            raise LinkDown(f"write to {self.where} failed: {_one_line(exc)}") from exc

    def query(self, n: int) -> int:
        if not self.two_way:
            raise NoAnswer(f"{self.where} is a one-way link")
        device = self._device()
        try:
            self._drain(device)
            self._printer._raw(codes.status_query(n))  # type: ignore[union-attr]
            answer = self._read_answer(device)
        except (NoAnswer, LinkDown):
            raise
        except TimeoutError as exc:
            raise NoAnswer(f"no answer to DLE EOT {n} from {self.where}") from exc
        except _DEVICE_ERRORS as exc:
            if type(exc).__name__ == "USBTimeoutError":
                raise NoAnswer(f"no answer to DLE EOT {n} from {self.where}") from exc
            self.close()
            raise LinkDown(f"status request to {self.where} failed: {_one_line(exc)}") from exc
        if not answer:
            raise NoAnswer(f"no answer to DLE EOT {n} from {self.where}")
        # The last byte: if an earlier answer arrived late, it came first and is stale.
        return answer[-1]

    def _drain(self, device: Any) -> None:
        """Throw away bytes that arrived since the last question (late answers, ASB), so an
        answer is never matched to the wrong question. A closed TCP peer shows up here."""
        if isinstance(self._printer, Network):
            # select() first: a socket with a timeout waits that long inside recv(), even with
            # MSG_DONTWAIT, and draining must never wait.
            while select.select([device], [], [], 0)[0]:
                chunk = device.recv(64)
                if not chunk:
                    self.close()
                    raise LinkDown(f"{self.where} closed the connection")
        elif isinstance(self._printer, Serial):
            device.reset_input_buffer()

    def _read_answer(self, device: Any) -> bytes:
        if isinstance(self._printer, Network):
            data = device.recv(16)
            if not data:  # recv() gives b"" only at end of stream; a timeout raises instead
                self.close()
                raise LinkDown(f"{self.where} closed the connection")
            return bytes(data)
        if isinstance(self._printer, Serial):
            return bytes(device.read(1))  # returns at the first byte, not after 16 or the timeout
        return bytes(self._printer._read())  # type: ignore[union-attr]

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is None:
            return
        try:
            printer.close()
        except Exception:  # noqa: BLE001 - closing a dead device may fail in any way; it is gone
            pass


class FileLink(EscposLink):
    """A device file (/dev/usb/lp0) or a plain file: one-way. Unplugging a USB printer removes
    its device node, which is how we notice it is gone."""

    def __init__(self, path: str) -> None:
        super().__init__(f"file:{path}", lambda: File(path, auto_flush=True), two_way=False)
        self.path = path

    @property
    def is_open(self) -> bool:
        if super().is_open and not os.path.exists(self.path):
            self.close()
        return super().is_open


def network_link(host: str, port: int, timeout: float) -> EscposLink:
    where = f"tcp:{host}:{port}"
    return EscposLink(where, lambda: Network(host, port, timeout=timeout), two_way=True)


def serial_link(device: str, options: dict[str, Any]) -> EscposLink:
    return EscposLink(f"serial:{device}", lambda: Serial(device, **options), two_way=True)


def usb_link(vendor: int, product: int, options: dict[str, Any]) -> EscposLink:
    from escpos.printer import Usb

    where = f"usb:{vendor:04x}:{product:04x}"
    return EscposLink(where, lambda: Usb(vendor, product, **options), two_way=True)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
