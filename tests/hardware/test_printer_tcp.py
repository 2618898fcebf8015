"""A network printer over a real TCP socket: a fake ESC/POS printer on 127.0.0.1 answers DLE EOT
with status bytes as the ESC/POS reference defines them, and keeps every other byte it receives."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from hardware.health import HealthLevel
from hardware.printer import PrinterError, build_ticket, open_printer
from hardware.printer.commands import sample_slip

# Status bytes written out from the reference, not taken from hardware.printer.status.
READY = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}
PAPER_OUT = {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E}  # offline; stopped by paper end; sensor: no paper
NEAR_END = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E}  # near-end sensor bits 2-3
COVER_OPEN = {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12}  # offline; cover open (bit 2)


class FakeNetworkPrinter:
    """One client at a time, like a real printer's raw port 9100."""

    def __init__(self, port: int = 0) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.status = dict(READY)
        self.printed = bytearray()
        self.queries: list[int] = []
        self.connections = 0
        self.silent = False  # never answer DLE EOT
        self.paper_runs_out_while_printing = False
        self.client: socket.socket | None = None
        self.ended = 0  # client connections that have ended, every byte of them read
        self._changed = threading.Condition()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # listener closed: the printer was switched off
            self.client = client
            self.connections += 1
            self._talk(client)
            with self._changed:
                self.ended += 1
                self._changed.notify_all()

    def wait_until_ended(self, connections: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.ended >= connections, timeout=30)

    def _talk(self, client: socket.socket) -> None:
        pending = b""
        with client:
            while True:
                try:
                    chunk = client.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                pending += chunk
                while pending:
                    if pending.startswith(b"\x10\x04"):
                        if len(pending) < 3:
                            break
                        n, pending = pending[2], pending[3:]
                        self.queries.append(n)
                        if not self.silent:
                            client.sendall(bytes([self.status[n]]))
                        continue
                    cut = pending.find(b"\x10\x04")
                    data, pending = (pending, b"") if cut < 0 else (pending[:cut], pending[cut:])
                    self.printed += data
                    if self.paper_runs_out_while_printing:
                        self.status = dict(PAPER_OUT)

    def unplug(self) -> None:
        """Power cycle: the connection dies without the client being told."""
        if self.client is not None:
            try:
                self.client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone
            self.client.close()

    def switch_off(self) -> None:
        self.unplug()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.listener.close()
        self.thread.join(timeout=10)


@pytest.fixture
def fake() -> Iterator[FakeNetworkPrinter]:
    printer = FakeNetworkPrinter()
    yield printer
    printer.switch_off()


def uri(fake: FakeNetworkPrinter, options: str = "") -> str:
    return f"tcp:127.0.0.1:{fake.port}" + (f"?{options}" if options else "")


def test_prints_exactly_the_ticket_bytes_after_checking_status(fake: FakeNetworkPrinter) -> None:
    slip = sample_slip("zh")
    with open_printer(uri(fake)) as printer:
        assert printer.health().level is HealthLevel.OK
        printer.print_ticket(slip)
        # The status asked after printing is answered only once everything before it was read.
        assert bytes(fake.printed) == build_ticket(slip)
    assert fake.queries[:3] == [1, 2, 4]


@pytest.mark.parametrize(
    "status, zh",
    [(PAPER_OUT, "打印机缺纸，请联系工作人员"), (COVER_OPEN, "打印机盖未合好，请联系工作人员")],
)
def test_paper_out_or_cover_open_refuses_to_print(fake: FakeNetworkPrinter, status: dict[int, int],
                                                  zh: str) -> None:
    fake.status = dict(status)
    with open_printer(uri(fake)) as printer:
        health = printer.health()
        assert health.level is HealthLevel.ERROR and health.message_zh == zh
        with pytest.raises(PrinterError) as refused:
            printer.print_ticket(sample_slip("zh"))
        assert refused.value.health.message_zh == zh
    assert fake.printed == b""  # not half a ticket: nothing at all


def test_paper_near_end_warns_but_prints(fake: FakeNetworkPrinter) -> None:
    fake.status = dict(NEAR_END)
    with open_printer(uri(fake)) as printer:
        health = printer.health()
        assert health.level is HealthLevel.WARNING and health.usable
        assert "near end" in health.message_en and "tcp:127.0.0.1" in health.message_en
        printer.print_ticket(sample_slip("en"))
    assert fake.printed.endswith(b"\x1dVA\x18")


def test_paper_running_out_during_the_ticket_is_reported(fake: FakeNetworkPrinter) -> None:
    fake.paper_runs_out_while_printing = True
    with open_printer(uri(fake)) as printer, pytest.raises(PrinterError) as failed:
        printer.print_ticket(sample_slip("zh"))
    assert "未打印完整" in failed.value.health.message_zh
    assert "paper out" in failed.value.health.message_en


def test_a_power_cycled_printer_is_reconnected_without_a_restart(fake: FakeNetworkPrinter) -> None:
    with open_printer(uri(fake)) as printer:
        printer.print_ticket(sample_slip("zh"))
        fake.unplug()
        fake.printed.clear()
        assert printer.health().level is HealthLevel.OK
        printer.print_ticket(replace(sample_slip("zh"), number="A013"))
        assert b"A013" in fake.printed
    assert fake.connections == 2


def test_switched_off_then_on_again(fake: FakeNetworkPrinter) -> None:
    port = fake.port
    with open_printer(uri(fake)) as printer:
        assert printer.health().usable
        fake.switch_off()
        health = printer.health()
        assert health.level is HealthLevel.ERROR and health.message_zh == "打印机未连接，请联系工作人员"
        with pytest.raises(PrinterError):
            printer.print_ticket(sample_slip("zh"))
        again = FakeNetworkPrinter(port)
        try:
            printer.print_ticket(sample_slip("zh"))
            assert again.printed.endswith(b"\x1dVA\x18")
        finally:
            again.switch_off()


def test_a_printer_that_never_answers_is_an_error_unless_status_is_off(fake: FakeNetworkPrinter) -> None:
    fake.silent = True
    slip = sample_slip("zh")
    with open_printer(uri(fake, "timeout=0.2")) as printer:
        health = printer.health()
        assert health.level is HealthLevel.ERROR and "does not answer" in health.message_en
        with pytest.raises(PrinterError):
            printer.print_ticket(slip)
    assert fake.printed == b""
    with open_printer(uri(fake, "status=0")) as printer:
        printer.print_ticket(slip)
    assert fake.wait_until_ended(3)  # health, refused print, then the status=0 printer
    assert fake.printed == build_ticket(slip)


def test_noise_instead_of_a_status_byte_is_not_trusted(fake: FakeNetworkPrinter) -> None:
    fake.status = {1: 0xFF, 2: 0x12, 3: 0x12, 4: 0x12}
    with open_printer(uri(fake)) as printer:
        health = printer.health()
    assert health.level is HealthLevel.ERROR and "unexpected bytes" in health.message_en
