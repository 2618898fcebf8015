"""The printer interface: URIs, the `file:` printer, a serial printer on a pseudo-terminal, the
simulated twin and its conditions, and the technician's print-test command."""

from __future__ import annotations

import os
import threading
import tty
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from hardware.cli import main as cli_main
from hardware.health import DeviceError, HealthLevel
from hardware.printer import (
    EscposTicketPrinter,
    LayoutOptions,
    PrinterConfigError,
    PrinterError,
    SimPrinter,
    build_ticket,
    open_printer,
)
from hardware.printer.commands import sample_slip

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


# -- URIs --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "uri, complaint",
    [
        ("", "empty printer URI"),
        ("lpt:1", "unknown printer kind 'lpt'"),
        ("tcp:", "tcp:HOST"),
        ("tcp:printer:0", "port must be 1-65535"),
        ("tcp:printer:99999", "port must be 1-65535"),
        ("tcp:print er:9100", "tcp:HOST"),
        ("tcp:10.0.0.5:9100?timeout=abc", "timeout must be a number"),
        ("tcp:10.0.0.5:9100?speed=fast", "unknown option"),
        ("tcp:10.0.0.5?paper=60", "paper must be 80 or 58"),
        ("tcp:10.0.0.5?qr=bitmap", "qr must be native, raster or none"),
        ("tcp:10.0.0.5?status=yes", "status must be 0 or 1"),
        ("tcp:10.0.0.5?cut=half", "cut must be full or partial"),
        ("tcp:10.0.0.5?qr=native&qr=raster", "given twice"),
        ("serial:ttyS0", "absolute device path"),
        ("serial:/dev/ttyS0?baudrate=12345", "baudrate must be one of"),
        ("serial:/dev/ttyS0?parity=X", "parity"),
        ("usb:04b8", "usb:VID:PID"),
        ("usb:xyz:0e15", "usb:VID:PID"),
        ("usb:0000:0e15", "must not be 0"),
        ("file:", "file:PATH"),
        ("sim:extra", "sim"),
        ("sim?color=red", "unknown option"),
    ],
)
def test_bad_uris_are_refused_with_a_clear_message(uri: str, complaint: str) -> None:
    with pytest.raises(PrinterConfigError, match=complaint.replace("?", r"\?")):
        open_printer(uri)


def test_good_uris_open_without_connecting(tmp_path: Path) -> None:
    # Nothing listens on these: opening must not connect, so a kiosk starts with its printer off.
    for uri in ("tcp:192.0.2.1", "tcp:[::1]:9100", "serial:/dev/ttyS9?baudrate=115200&parity=E",
                f"file:{tmp_path}/lp0?paper=58&qr=raster&cut=partial", f"{tmp_path}/lp1", "sim"):
        printer = open_printer(uri)
        assert isinstance(printer, EscposTicketPrinter) and printer.uri == uri
        printer.close()
    layout = open_printer(f"file:{tmp_path}/lp0?paper=58&qr=raster&cut=partial").layout  # type: ignore[attr-defined]
    assert layout == LayoutOptions(paper_dots=384, qr_mode="raster", partial_cut=True)


def test_usb_uri_needs_pyusb_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from escpos.printer import Usb

    monkeypatch.setattr(Usb, "is_usable", staticmethod(lambda: False))
    with pytest.raises(PrinterConfigError, match="pyusb.*file:/dev/usb/lp0"):
        open_printer("usb:04b8:0e15")
    monkeypatch.setattr(Usb, "is_usable", staticmethod(lambda: True))
    printer = open_printer("usb:0x04b8:0e15?in_ep=0x81")
    assert printer.uri == "usb:0x04b8:0e15?in_ep=0x81"


# -- file: -------------------------------------------------------------------------------------
def test_file_printer_writes_exactly_the_ticket_bytes(tmp_path: Path) -> None:
    path = tmp_path / "lp0"
    slip = sample_slip("zh")
    with open_printer(f"file:{path}") as printer:
        health = printer.health()
        assert health.level is HealthLevel.OK and "one-way" in health.message_en
        printer.print_ticket(slip)
        assert path.read_bytes() == build_ticket(slip)  # flushed at once, like /dev/usb/lp0
        printer.print_ticket(slip)
    assert path.read_bytes() == build_ticket(slip) * 2


def test_file_printer_whose_device_is_missing_is_unplugged(tmp_path: Path) -> None:
    with open_printer(f"file:{tmp_path}/no-such-dir/lp0") as printer:
        health = printer.health()
        assert health.level is HealthLevel.ERROR and health.message_zh == "打印机未连接，请联系工作人员"
        with pytest.raises(PrinterError) as failed:
            printer.print_ticket(sample_slip("zh"))
        assert isinstance(failed.value, DeviceError)
        (tmp_path / "no-such-dir").mkdir()  # plugged in: the next call works without a restart
        printer.print_ticket(sample_slip("zh"))
    assert (tmp_path / "no-such-dir" / "lp0").stat().st_size > 0


# -- serial: on a pseudo-terminal -----------------------------------------------------------------
class PtyPrinter:
    """The far end of a pseudo-terminal acting as an RS-232 printer with paper near its end."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.printed = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        buffer = bytearray()
        while True:
            try:
                buffer += os.read(self.master, 4096)
            except OSError:
                return  # the test closed the terminal
            while True:
                # Bytes before a DLE EOT are print data: keep them before answering, so the
                # answer proves they arrived.
                start = buffer.find(b"\x10\x04")
                if start < 0:
                    self.printed += buffer
                    buffer.clear()
                    break
                self.printed += buffer[:start]
                del buffer[:start]
                if len(buffer) < 3:
                    break
                near_end = buffer[2] == 4
                del buffer[:3]
                os.write(self.master, b"\x1e" if near_end else b"\x12")

    def close(self) -> None:
        os.close(self.slave)
        os.close(self.master)


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    printer = PtyPrinter()
    yield printer
    printer.close()


def test_serial_printer_reports_status_and_prints(pty_printer: PtyPrinter) -> None:
    slip = sample_slip("en")
    with open_printer(f"serial:{pty_printer.path}?baudrate=115200") as printer:
        health = printer.health()
        assert health.level is HealthLevel.WARNING and health.message_zh == "打印纸即将用完"
        printer.print_ticket(slip)
        # The status asked after printing was answered, so every ticket byte had arrived.
        assert bytes(pty_printer.printed) == build_ticket(slip)


# -- sim ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "condition, level, zh",
    [
        ("ok", HealthLevel.OK, "正常"),
        ("paper_near_end", HealthLevel.WARNING, "打印纸即将用完"),
        ("paper_out", HealthLevel.ERROR, "打印机缺纸，请联系工作人员"),
        ("cover_open", HealthLevel.ERROR, "打印机盖未合好，请联系工作人员"),
        ("error", HealthLevel.ERROR, "打印机故障，请联系工作人员"),
        ("disconnected", HealthLevel.ERROR, "打印机未连接，请联系工作人员"),
        ("no_answer", HealthLevel.ERROR, "打印机无响应，请联系工作人员"),
    ],
)
def test_sim_conditions(condition: str, level: HealthLevel, zh: str) -> None:
    printer = SimPrinter()
    printer.set_condition(condition)
    health = printer.health()
    assert (health.level, health.message_zh) == (level, zh)
    if health.usable:
        printer.print_ticket(sample_slip("zh"))
        assert printer.writes == 1 and len(printer.jobs) == 1
    else:
        with pytest.raises(PrinterError) as refused:
            printer.print_ticket(sample_slip("zh"))
        assert refused.value.health.message_zh == zh
        assert printer.jobs == [] and printer.writes == 0


def test_sim_recovers_when_the_condition_clears_and_writes_pngs(tmp_path: Path) -> None:
    printer = open_printer(f"sim?png_dir={tmp_path}")
    assert isinstance(printer, SimPrinter)
    printer.set_condition("disconnected")
    with pytest.raises(PrinterError):
        printer.print_ticket(sample_slip("zh"))
    printer.set_condition("ok")  # plugged back in
    slip = replace(sample_slip("zh", green=True), number="A101")
    printer.print_ticket(slip)
    assert printer.jobs == [build_ticket(slip)] and printer.writes == 1
    assert (tmp_path / "ticket-0001.png").is_file()
    assert printer.render_last().cuts == 1
    with pytest.raises(ValueError, match="unknown condition"):
        printer.set_condition("on_fire")


def test_a_bad_slip_fails_before_the_printer_is_touched() -> None:
    printer = SimPrinter(layout=LayoutOptions(paper_dots=192, qr_mode="raster", qr_module_dots=16))
    with pytest.raises(ValueError, match="wider than the paper"):
        printer.print_ticket(sample_slip("zh"))
    assert printer.writes == 0


def test_closed_printer_refuses() -> None:
    printer = SimPrinter()
    printer.close()
    assert printer.health().level is HealthLevel.ERROR
    with pytest.raises(PrinterError):
        printer.print_ticket(sample_slip("zh"))


# -- the technician's command ------------------------------------------------------------------
def test_print_test_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = ARTIFACTS / "print-test-sim.png"
    assert cli_main(["print-test", "--printer", "sim", "--png", str(png)]) == 0
    assert png.is_file() and "printed sample ticket A012" in capsys.readouterr().out
    out = tmp_path / "lp0"
    assert cli_main(["print-test", "--printer", f"file:{out}", "--language", "en", "--green"]) == 0
    assert out.read_bytes().endswith(b"\x1dVA\x18")
    assert cli_main(["print-test", "--printer", "lpt:1"]) == 2
    assert "unknown printer kind" in capsys.readouterr().err
    assert cli_main(["printer-health", "--printer", f"file:{tmp_path}/missing/lp0"]) == 1
    assert "cannot reach the printer" in capsys.readouterr().out
