"""Scanners as devices: a serial scanner on a pseudo-terminal, a wedge scanner through a
stand-in for evdev's InputDevice (creating a real input device needs uinput privileges), both
unplugged and plugged back; the simulated twin; URIs."""

from __future__ import annotations

import errno
import os
import queue
import threading
import time
import tty
from collections import deque
from pathlib import Path

import pytest
from evdev import InputEvent
from test_scanner_decoders import typed

from hardware.health import Health, HealthLevel
from hardware.scanner import open_scanner
from hardware.scanner.evdev_scanner import EvdevScanner
from hardware.scanner.serial_scanner import SerialScanner

WAIT = 15  # bound for a broken test, not a timing check


def next_health(healths: queue.Queue[Health], level: HealthLevel) -> Health:
    while (health := healths.get(timeout=WAIT)).level is not level:
        pass
    return health


# --- serial -----------------------------------------------------------------------------------


class SerialLine:
    """The scanner's end of a pty; `link` plays /dev/serial/by-id/... and survives replugging."""

    def __init__(self, link: Path):
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(self._slave))

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def serial_link(tmp_path: Path) -> Path:
    return tmp_path / "ttyScanner"


def test_serial_scanner_delivers_scans_and_survives_replug(serial_link: Path) -> None:
    line = SerialLine(serial_link)
    scanner = open_scanner(f"scanner:serial:{serial_link}?baudrate=115200")
    assert isinstance(scanner, SerialScanner)
    scans: queue.Queue[str] = queue.Queue()
    healths: queue.Queue[Health] = queue.Queue()
    scanner.start(scans.put, healths.put)
    try:
        next_health(healths, HealthLevel.OK)
        line.send(b"LTM:3701:0f3c\r\n")
        line.send("济南".encode("gbk") + b"\r")
        assert scans.get(timeout=WAIT) == "LTM:3701:0f3c"
        assert scans.get(timeout=WAIT) == "济南"

        line.unplug()
        health = next_health(healths, HealthLevel.ERROR)
        assert health.message_zh == "扫码器未连接，请联系工作人员"
        assert str(serial_link) in health.message_en

        line = SerialLine(serial_link)
        next_health(healths, HealthLevel.OK)
        line.send(b"AFTER-REPLUG\n")
        assert scans.get(timeout=WAIT) == "AFTER-REPLUG"
        assert scanner.health().level is HealthLevel.OK
    finally:
        scanner.stop()
        line.unplug()


# --- evdev --------------------------------------------------------------------------------------


class FakeInputDevice:
    """What the scanner needs of evdev.InputDevice: a pollable fd, read(), grab(), close().
    Events go through a pipe so select() wakes up exactly as for a real device."""

    def __init__(self, board: FakeBoard):
        self.board = board
        self.fd, self._wake = os.pipe()
        self.events: deque[InputEvent] = deque()
        self.gone = False
        self.grabbed = False
        self.closed = False

    def push(self, events: list[tuple[int, int, int, float]]) -> None:
        for type_, code, value, at in events:
            sec = int(at)
            self.events.append(InputEvent(sec, int(round((at - sec) * 1e6)), type_, code, value))
        os.write(self._wake, b"!")

    def read(self):
        if self.gone:
            raise OSError(errno.ENODEV, "No such device")
        os.read(self.fd, 4096)
        events, self.events = list(self.events), deque()
        return iter(events)

    def grab(self) -> None:
        if self.board.grabbed_elsewhere:
            raise OSError(errno.EBUSY, "Device or resource busy")
        self.grabbed = True

    def ungrab(self) -> None:
        if self.gone:
            raise OSError(errno.ENODEV, "No such device")
        self.grabbed = False

    def unplug(self) -> None:
        self.gone = True
        os.write(self._wake, b"!")

    def close(self) -> None:
        self.closed = True
        os.close(self.fd)
        os.close(self._wake)


class FakeBoard:
    """The USB port: whether the scanner is plugged in, and the devices opened so far."""

    def __init__(self) -> None:
        self.plugged = True
        self.grabbed_elsewhere = False
        self.opened: queue.Queue[FakeInputDevice] = queue.Queue()

    def open(self, path: str) -> FakeInputDevice:
        if not self.plugged:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        device = FakeInputDevice(self)
        self.opened.put(device)
        return device


def test_wedge_scanner_grabs_delivers_and_survives_replug() -> None:
    board = FakeBoard()
    scanner = EvdevScanner("/dev/input/by-id/usb-Scanner-event-kbd", opener=board.open)
    scans: queue.Queue[str] = queue.Queue()
    healths: queue.Queue[Health] = queue.Queue()
    scanner.start(scans.put, healths.put)
    try:
        device = board.opened.get(timeout=WAIT)
        next_health(healths, HealthLevel.OK)
        assert device.grabbed
        device.push(typed("https://ltm.sd.gov.cn/c?id=A1", start=time.time()))
        assert scans.get(timeout=WAIT) == "https://ltm.sd.gov.cn/c?id=A1"

        board.plugged = False
        device.unplug()
        health = next_health(healths, HealthLevel.ERROR)
        assert health.message_zh == "扫码器未连接，请联系工作人员"
        assert "vanished" in health.message_en
        assert device.closed

        board.plugged = True
        device = board.opened.get(timeout=WAIT)
        next_health(healths, HealthLevel.OK)
        device.push(typed("SECOND", start=time.time()))
        assert scans.get(timeout=WAIT) == "SECOND"
    finally:
        scanner.stop()


def test_wedge_scanner_that_cannot_be_grabbed_warns() -> None:
    board = FakeBoard()
    board.grabbed_elsewhere = True
    scanner = EvdevScanner("/dev/input/event7", opener=board.open)
    healths: queue.Queue[Health] = queue.Queue()
    scans: queue.Queue[str] = queue.Queue()
    scanner.start(scans.put, healths.put)
    try:
        health = next_health(healths, HealthLevel.WARNING)
        while "grab" not in health.message_en:
            health = next_health(healths, HealthLevel.WARNING)
        board.opened.get(timeout=WAIT).push(typed("STILL-READ", start=time.time()))
        assert scans.get(timeout=WAIT) == "STILL-READ"
    finally:
        scanner.stop()


def test_wedge_scanner_handler_failure_does_not_stop_scanning() -> None:
    board = FakeBoard()
    scanner = EvdevScanner("/dev/input/event7", opener=board.open)
    scans: queue.Queue[str] = queue.Queue()

    def fussy(scan: str) -> None:
        if scan == "BAD":
            raise RuntimeError("kiosk handler bug")
        scans.put(scan)

    scanner.start(fussy)
    try:
        device = board.opened.get(timeout=WAIT)
        device.push(typed("BAD", start=time.time()) + typed("GOOD", start=time.time() + 0.1))
        assert scans.get(timeout=WAIT) == "GOOD"
    finally:
        scanner.stop()


@pytest.mark.parametrize("transport", ["serial", "evdev"])
def test_missing_device_is_an_error_health(tmp_path: Path, transport: str) -> None:
    scanner = open_scanner(f"scanner:{transport}:{tmp_path}/gone99")
    healths: queue.Queue[Health] = queue.Queue()
    scanner.start(lambda _scan: None, healths.put)
    try:
        health = next_health(healths, HealthLevel.ERROR)
    finally:
        scanner.stop()
    assert health.message_zh == "扫码器未连接，请联系工作人员"
    assert "cannot open" in health.message_en and "gone99" in health.message_en


# --- the twin and the URIs ------------------------------------------------------------------


def test_sim_scanner() -> None:
    sim = open_scanner("sim")
    scans: list[str] = []
    healths: list[Health] = []
    sim.start(scans.append, healths.append)
    sim.present_scan("R-20261122-0042")
    sim.unplug()
    sim.present_scan("lost while unplugged")
    sim.replug()
    sim.present_scan()
    assert scans[0] == "R-20261122-0042" and len(scans) == 2
    assert [h.level for h in healths] == [HealthLevel.ERROR, HealthLevel.OK]


def test_uri_options_reach_the_scanner() -> None:
    scanner = open_scanner("scanner:evdev:/dev/input/event3?grab=0&max_length=64&char_timeout=0.5")
    assert isinstance(scanner, EvdevScanner)
    assert not scanner.grab
    assert scanner.decoder.buffer.max_length == 64
    assert scanner.decoder.buffer.char_timeout == 0.5
    serial_scanner = open_scanner("serial:/dev/ttyACM0")
    assert isinstance(serial_scanner, SerialScanner) and serial_scanner.baudrate == 9600


@pytest.mark.parametrize(
    "uri, message",
    [
        ("scanner:usb:1234", "unknown transport"),
        ("scanner:evdev:", "needs a device path"),
        ("idcard:serial:/dev/ttyUSB0", "names a idcard device"),
        ("scanner:evdev:/dev/input/event3?grab=maybe", "yes/no"),
        ("scanner:serial:/dev/ttyACM0?max_length=-1", "positive"),
        ("scanner:serial:/dev/ttyACM0?parity=E", "unknown option"),
        ("", "empty"),
    ],
)
def test_bad_uris_are_clear_errors(uri: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_scanner(uri)


def test_cli_prints_scans_masked(serial_link: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hardware.cli import main

    line = SerialLine(serial_link)
    # pyserial drops what waits in the line when it opens the port, as it would with a real
    # scanner: keep scanning until the command has printed one.
    finished = threading.Event()

    def keep_scanning() -> None:
        while not finished.wait(0.1):
            line.send(b"ID:370102199001011231 TEL:13800001234\r\n")

    scanning = threading.Thread(target=keep_scanning, daemon=True)
    scanning.start()
    try:
        assert main(["scan", "--scanner", f"scanner:serial:{serial_link}", "--count", "1"]) == 0
    finally:
        finished.set()
        scanning.join()
        line.unplug()
    out = capsys.readouterr().out
    assert "scan 1: ID:3701**********1231 TEL:138****1234" in out
