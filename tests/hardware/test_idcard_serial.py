"""The identity card reader against a pseudo-terminal peer that speaks the SAM protocol like a
reader module: real serial I/O through pyserial, broken frames, noise, silence, unplugging."""

from __future__ import annotations

import os
import queue
import select
import threading
import tty
from collections import deque
from pathlib import Path

import pytest

from hardware.cards import open_idcard_reader
from hardware.cards.idcard_errors import (
    IdCardChecksumError,
    IdCardDataError,
    IdCardError,
    IdCardIncompleteFrameError,
    IdCardPortError,
    IdCardStatusError,
    IdCardTimeoutError,
)
from hardware.cards.idcard_frame import HEADER, checksum, encode
from hardware.cards.idcard_reader import SerialIdCardReader
from hardware.cards.idcard_text import IdCardIdentity, build_text
from hardware.health import Health, HealthLevel

TEXT = build_text(
    name="王小红",
    sex_code="2",
    nation_code="03",
    birth_date="19951120",
    address="山东省淄博市张店区人民西路6号",
    id_number="370303199511200021",
    authority="淄博市公安局张店分局",
    valid_from="20160101",
    valid_to="长期",
)
PHOTO = bytes(range(256)) * 4
SILENT = b""  # a scripted answer of nothing: the module does not reply


class SamPeer:
    """A reader module on the far end of a pty. A card lies in the field or not; after a read
    the card is "used" and find fails until it is taken away and presented again."""

    def __init__(self, link: Path):
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        # pyserial opens the slave by name, like a real /dev/ttyUSB0. Our own slave descriptor
        # stays open until unplug: with no slave open, reading the master fails with EIO.
        self.slave_path = os.ttyname(self._slave)
        link.unlink(missing_ok=True)
        link.symlink_to(self.slave_path)
        self.text = TEXT
        self.card = False
        self.used = False
        self.refind_used_card = False  # some modules keep finding a card lying on them
        self.scripted: deque[bytes] = deque()  # raw answers replacing the next real ones
        self.commands: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def present(self, text: bytes = TEXT) -> None:
        self.text, self.card, self.used = text, True, False

    def take_away(self) -> None:
        self.card = False

    def unplug(self) -> None:
        self._stop.set()
        self._thread.join(5)
        os.close(self.master)
        os.close(self._slave)

    def _serve(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                buffer += os.read(self.master, 4096)
            except OSError:
                return
            while (start := buffer.find(HEADER)) >= 0 and len(buffer) >= start + 10:
                frame, buffer = buffer[start : start + 10], buffer[start + 10 :]
                assert checksum(frame[5:-1]) == frame[-1], "host sent a bad checksum"
                self.commands.append(frame[7:9])
                answer = self.scripted.popleft() if self.scripted else self._answer(frame[7:9])
                if answer:
                    os.write(self.master, answer)

    def _answer(self, command: bytes) -> bytes:
        if command in (b"\x11\xff", b"\x10\xff"):
            return encode(b"\x00\x00\x90")
        if command == b"\x20\x01":
            found = self.card and (not self.used or self.refind_used_card)
            return encode(b"\x00\x00\x9f\x00\x00\x00\x00" if found else b"\x00\x00\x80")
        if command == b"\x20\x02":
            return encode(b"\x00\x00\x90" + bytes(8) if self.card else b"\x00\x00\x81")
        if command == b"\x30\x01":
            if not self.card:
                return encode(b"\x00\x00\x41")
            self.used = True
            lengths = len(self.text).to_bytes(2, "big") + len(PHOTO).to_bytes(2, "big")
            return encode(b"\x00\x00\x90" + lengths + self.text + PHOTO)
        return encode(b"\x00\x00\x21")


@pytest.fixture
def link(tmp_path: Path) -> Path:
    return tmp_path / "ttyIDCARD"


@pytest.fixture
def peer(link: Path):
    peer = SamPeer(link)
    yield peer
    if not peer._stop.is_set():
        peer.unplug()


def reader_for(link: Path, **options: str) -> SerialIdCardReader:
    query = "&".join(f"{k}={v}" for k, v in {"timeout": "0.5", **options}.items())
    reader = open_idcard_reader(f"idcard:serial:{link}?{query}")
    assert isinstance(reader, SerialIdCardReader)
    return reader


def test_card_is_read(peer: SamPeer, link: Path) -> None:
    reader = reader_for(link)
    peer.present()
    try:
        identity = reader.poll_once()
    finally:
        reader.close()
    assert isinstance(identity, IdCardIdentity)
    assert identity.name == "王小红" and identity.sex == "女" and identity.nation == "回"
    assert identity.id_number == "370303199511200021"
    assert identity.valid_to is None
    assert identity.photo == PHOTO
    assert peer.commands == [b"\x20\x01", b"\x20\x02", b"\x30\x01"]
    assert "王*" in repr(identity) and "3703**********0021" in str(identity)
    assert reader.health().level is HealthLevel.OK


def test_no_card_gives_none(peer: SamPeer, link: Path) -> None:
    reader = reader_for(link)
    try:
        assert reader.poll_once() is None
        assert reader.sam_status().level is HealthLevel.OK
        reader.reset_sam()
    finally:
        reader.close()


@pytest.mark.parametrize("refinds", [False, True], ids=["module-hides-used-card", "module-refinds"])
def test_card_must_leave_the_field_before_the_next_read(
    peer: SamPeer, link: Path, refinds: bool
) -> None:
    # Most modules stop finding a card once read until it leaves the field; some keep finding
    # it. Either way a card lying on the reader is read once.
    peer.refind_used_card = refinds
    reader = reader_for(link)
    try:
        peer.present()
        assert reader.poll_once() is not None
        assert reader.poll_once() is None
        assert reader.poll_once() is None
        peer.take_away()
        assert reader.poll_once() is None
        peer.present()
        assert reader.poll_once() is not None
    finally:
        reader.close()
    assert peer.commands.count(b"\x30\x01") == 2


def test_noise_before_the_header_is_skipped(peer: SamPeer, link: Path) -> None:
    reader = reader_for(link)
    peer.scripted.append(b"\x00\x13\xfe\xaa\xaa\x96" + encode(b"\x00\x00\x80"))
    try:
        assert reader.poll_once() is None
        assert reader.health().level is HealthLevel.OK
    finally:
        reader.close()


@pytest.mark.parametrize(
    "answer, error, text",
    [
        (SILENT, IdCardTimeoutError, "did not answer"),
        (encode(b"\x00\x00\x80")[:-4], IdCardIncompleteFrameError, "stopped after"),
        (encode(b"\x00\x00\x80")[:-1] + b"\x00", IdCardChecksumError, "checksum"),
        (b"\x13\x37" * 40, IdCardTimeoutError, "noise"),
        (encode(b"\x00\x00\x60"), IdCardStatusError, "SAM self test failed"),
    ],
)
def test_broken_answers_are_named(
    peer: SamPeer, link: Path, answer: bytes, error: type[IdCardError], text: str
) -> None:
    reader = reader_for(link)
    peer.scripted.append(answer)
    try:
        with pytest.raises(error, match=text) as caught:
            reader.poll_once()
        assert caught.value.health.message_zh
        # The next exchange works again: leftovers of the broken one are dropped.
        peer.present()
        assert reader.poll_once() is not None
    finally:
        reader.close()


def test_read_failure_status_is_named(peer: SamPeer, link: Path) -> None:
    reader = reader_for(link)
    peer.present()
    answers = [b"\x00\x00\x9f", b"\x00\x00\x90", b"\x00\x00\x41"]  # found, selected, read fails
    peer.scripted.extend(encode(answer) for answer in answers)
    try:
        with pytest.raises(IdCardStatusError) as caught:
            reader.poll_once()
    finally:
        reader.close()
    assert caught.value.status == 0x41 and "reading the card failed" in str(caught.value)


def test_card_with_bad_check_digit_is_refused(peer: SamPeer, link: Path) -> None:
    reader = reader_for(link)
    peer.present(TEXT.replace("370303199511200021".encode("utf-16-le"),
                              "370303199511200022".encode("utf-16-le")))
    try:
        with pytest.raises(IdCardDataError, match="check digit"):
            reader.poll_once()
    finally:
        reader.close()


def test_missing_port_is_an_error_health(link: Path) -> None:
    reader = reader_for(link)
    assert reader.health().level is HealthLevel.WARNING  # not polled yet: nothing known
    with pytest.raises(IdCardPortError):
        reader.poll_once()
    health = reader.health()
    assert health.level is HealthLevel.ERROR
    assert health.message_zh == "身份证阅读器未连接，请联系工作人员"
    assert str(link) in health.message_en


class RecordingReader(SerialIdCardReader):
    """Records the pauses the polling loop asks for instead of measuring time."""

    pauses: list[float]

    def _pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        super()._pause(seconds)


def test_polling_is_never_faster_than_300_ms(peer: SamPeer, link: Path) -> None:
    reader = RecordingReader(str(link), poll_interval=0.01, response_timeout=0.5)
    reader.pauses = []
    cards: queue.Queue[IdCardIdentity] = queue.Queue()
    peer.present()
    reader.start(cards.put)
    try:
        cards.get(timeout=10)
    finally:
        reader.stop()
    assert reader.poll_interval == 0.3
    assert reader.pauses and min(reader.pauses) >= 0.3


def test_polling_survives_unplug_and_replug(peer: SamPeer, link: Path) -> None:
    reader = reader_for(link)
    cards: queue.Queue[IdCardIdentity] = queue.Queue()
    healths: queue.Queue[Health] = queue.Queue()
    peer.present()
    reader.start(cards.put, healths.put)
    try:
        assert cards.get(timeout=10).name == "王小红"
        peer.unplug()
        while (health := healths.get(timeout=10)).level is not HealthLevel.ERROR:
            pass
        assert health.message_zh == "身份证阅读器未连接，请联系工作人员"

        second = SamPeer(link)  # plugged in again, perhaps as another /dev/pts: same link
        try:
            second.present()
            assert cards.get(timeout=15).id_number == "370303199511200021"
            while healths.get(timeout=10).level is not HealthLevel.OK:
                pass
        finally:
            reader.stop()
            second.unplug()
    finally:
        reader.close()


def test_polling_reports_errors_and_goes_on(peer: SamPeer, link: Path) -> None:
    reader = reader_for(link)
    cards: queue.Queue[IdCardIdentity] = queue.Queue()
    errors: queue.Queue[IdCardError] = queue.Queue()
    peer.scripted.append(encode(b"\x00\x00\x80")[:-1] + b"\x00")
    peer.present()
    reader.start(cards.put, on_error=errors.put)
    try:
        assert isinstance(errors.get(timeout=10), IdCardChecksumError)
        assert cards.get(timeout=10).name == "王小红"
    finally:
        reader.close()


def test_sim_twin_delivers_cards_and_failures() -> None:
    sim = open_idcard_reader("sim")
    cards: list[IdCardIdentity] = []
    errors: list[IdCardError] = []
    healths: list[Health] = []
    sim.start(cards.append, healths.append, errors.append)
    sim.present_card()
    sim.fail_next_read(IdCardTimeoutError("simulated"))
    sim.unplug()
    sim.replug()
    assert len(cards) == 1 and cards[0].name == "李明"
    assert isinstance(errors[0], IdCardTimeoutError)
    assert [h.level for h in healths] == [HealthLevel.ERROR, HealthLevel.OK]
    assert sim.poll_once() is None  # the card lying there was read already


@pytest.mark.parametrize(
    "uri, message",
    [
        ("idcard:serial:", "needs a device path"),
        ("idcard:usb:/dev/x", "unknown transport"),
        ("scanner:serial:/dev/x", "names a scanner device"),
        ("idcard:serial:/dev/x?baudrate=fast", "not a number"),
        ("idcard:serial:/dev/x?parity=E", "unknown option"),
    ],
)
def test_bad_uris_are_clear_errors(uri: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_idcard_reader(uri)


def test_cli_reads_the_identity_card_masked(
    peer: SamPeer, link: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hardware.cli import main

    peer.present()
    assert main(["read-idcard", "--port", str(link), "--wait", "10"]) == 0
    out = capsys.readouterr().out
    assert "王*" in out and "3703**********0021" in out and "长期" in out
    assert "王小红" not in out and "370303199511200021" not in out


def test_cli_without_a_reader_fails_clearly(link: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hardware.cli import main

    assert main(["read-idcard", "--port", f"idcard:serial:{link}", "--wait", "0"]) == 2
    captured = capsys.readouterr()
    assert "身份证阅读器未连接" in captured.out and "cannot open" in captured.err
