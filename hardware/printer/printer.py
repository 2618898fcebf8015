"""The ticket printer interface the kiosk uses, and its one implementation over an ESC/POS link.

Rules it keeps: the whole ticket is built before the printer is touched and sent in one write;
on a two-way link the status is read before printing (a printer without paper is never sent a
ticket) and after (a problem that appeared meanwhile is reported, not swallowed); a broken link is
closed and reopened on the next call, so unplugging and replugging needs no restart.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from types import TracebackType

from hardware.health import DeviceError, Health
from hardware.printer.links import Link, LinkDown, NoAnswer
from hardware.printer.slip import TicketSlip
from hardware.printer.status import QUERIES, decode, message, to_health
from hardware.printer.ticket_layout import LayoutOptions, build_ticket


class PrinterError(DeviceError):
    """The ticket was not printed (or may be incomplete). `health` says why, in Chinese for the
    citizen (`health.message_zh`) and English for the technician (`health.message_en`)."""


class TicketPrinter(ABC):
    """What the kiosk calls. Implementations: EscposTicketPrinter, SimPrinter (hardware.printer)."""

    uri: str

    @abstractmethod
    def print_ticket(self, ticket: TicketSlip) -> None:
        """Print one ticket or raise PrinterError; ValueError for a slip that cannot be laid out."""

    @abstractmethod
    def health(self) -> Health:
        """Current state, asking the printer where the link allows. Never raises for device trouble."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> TicketPrinter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class EscposTicketPrinter(TicketPrinter):
    def __init__(self, link: Link, *, uri: str, layout: LayoutOptions | None = None,
                 check_status: bool = True) -> None:
        self.uri = uri
        self.layout = layout or LayoutOptions()
        self._link = link
        # Some network boxes are two-way on paper but never answer DLE EOT: `?status=0` in the URI.
        self._ask_status = check_status and link.two_way
        self._lock = threading.Lock()  # the kiosk may poll health() while a ticket prints
        self._closed = False

    # -- public -----------------------------------------------------------------------------
    def print_ticket(self, ticket: TicketSlip) -> None:
        data = build_ticket(ticket, self.layout)  # a layout error surfaces before any I/O
        with self._lock:
            self._send(data)

    def health(self) -> Health:
        with self._lock:
            return self._health()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._link.close()

    # -- internals --------------------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        before = self._health()
        if not before.usable:
            raise PrinterError(before)
        try:
            self._link.write(data)
        except LinkDown as exc:
            zh, en = message("write_failed", self._link.where)
            raise PrinterError(Health.error(zh, f"{en}: {exc}")) from exc
        self._sent(data)
        if self._ask_status:
            after = self._health()
            if not after.usable:
                zh, en = message("after_print", self._link.where)
                raise PrinterError(Health.error(zh, f"{en}; now: {after.message_en}"))

    def _sent(self, data: bytes) -> None:
        """Hook for the simulated twin, which keeps and renders what was printed."""

    def _health(self) -> Health:
        where = self._link.where
        if self._closed:
            return Health.error(*message("closed", where))
        try:
            if not self._link.is_open:
                self._link.open()
        except LinkDown as exc:
            return _with_detail(Health.error(*message("disconnected", where)), exc)
        if not self._ask_status:
            return Health.ok(*message("ok_one_way" if not self._link.two_way else "ok", where))
        answers: dict[int, int] | None = None
        for attempt in range(2):
            try:
                answers = {n: self._link.query(n) for n in QUERIES}
                break
            except LinkDown:
                # A stale connection (printer power-cycled) fails at first use: reconnect once.
                self._link.close()
                try:
                    if attempt:
                        raise
                    self._link.open()
                except LinkDown as final:
                    return _with_detail(Health.error(*message("disconnected", where)), final)
            except NoAnswer as exc:
                self._link.close()  # next call starts from a fresh connection
                return _with_detail(Health.error(*message("no_answer", where)), exc)
        assert answers is not None  # the loop either filled it or returned
        try:
            status = decode(answers)
        except ValueError as exc:
            self._link.close()
            return _with_detail(Health.error(*message("bad_answer", where)), exc)
        return to_health(status, where)


def _with_detail(health: Health, exc: BaseException) -> Health:
    return Health(health.level, health.message_zh, f"{health.message_en}: {exc}")
