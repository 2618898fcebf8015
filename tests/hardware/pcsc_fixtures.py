"""A real PC/SC stack for tests: pcscd with vsmartcard's virtual reader (vpcd) inside a private
network namespace, and virtual social security cards (pcsc_virtual_card.py) that tests insert
and remove. Import the fixtures explicitly:

    from tests.hardware.pcsc_fixtures import pcsc_stack  # noqa: F401

Only one pcscd can run on a machine (it owns /run/pcscd). The session fixture takes a file lock
so two test runs on one machine take turns, and kills pcscd and card processes left behind by an
earlier, crashed run (recognised by the marker in their environment), never anybody else's.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from smartcard import scard

HERE = Path(__file__).resolve().parent
VENV_PYTHON = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "python"
EMULATOR_PATH = "/usr/lib/python3/site-packages/virtualsmartcard"
LOCK_FILE = Path(tempfile.gettempdir()) / "hall-tests-pcscd.lock"
PCSCD_DIR = Path("/run/pcscd")
MARKER = "HALL_TEST_PCSC"  # environment variable naming processes these fixtures started
VPCD_PORT = 35963  # vpcd's first slot, "Virtual PCD 00 00"
READER = "Virtual PCD 00 00"
SSSE_AID = "7378312E73682EC9E7BBE1B1A3D5CF"
WAIT = 15.0  # upper bound for things that take ≈ 0.2 s; reached only when something is broken


# --- the virtual card ---------------------------------------------------------------------


def tlv(tag: int, value: bytes) -> str:
    return (bytes([tag, len(value)]) + value).hex()


def bcd(digits: str) -> bytes:
    return bytes.fromhex(digits)


def text(value: str, length: int, encoding: str = "ascii") -> bytes:
    raw = value.encode(encoding)
    return raw + b"\x00" * (length - len(raw))


@dataclass
class VirtualSsCard:
    """The files of a social security card, as the issuing bureau would personalise them."""

    spec_version: str = "2.00"
    card_id_code: bytes = bytes.fromhex("370100D15600000500A1B2C3D4E5F6A7")
    card_type: str = "3"
    initialising_org: str = "370100000001"
    issue_date: str = "20210601"
    expiry_date: str = "20310601"
    card_number: str = "A12345678"
    social_security_number: str = "370102199001011231"
    name: str = "张三丰"
    sex: str = "1"
    nation: str = "03"
    birthplace: str = "370102"
    birth_date: str = "19900101"
    atr: str = "3B6C00000081311FE75A434C0000000000"
    aid: str = SSSE_AID  # another AID makes it some other card (a bank card, say)
    # Fields the card does not reveal: "refuse" (6982), "blank" (zero bytes), "empty" (length 0).
    withhold: dict[str, str] = field(default_factory=dict)
    refuse_files: list[str] = field(default_factory=list)
    le_mode: str = "exact"
    chained: bool = False
    chunk: int = 7
    die_on: str | None = None
    # Store the name in fewer bytes than the spec's 30 (cards do): triggers 6Cxx with le_mode.
    short_name_record: bool = False

    def definition(self) -> dict:
        values: dict[str, tuple[str, int, bytes]] = {
            "card_id_code": ("EF05", 0x01, self.card_id_code),
            "card_type": ("EF05", 0x02, text(self.card_type, 1)),
            "spec_version": ("EF05", 0x03, text(self.spec_version, 4)),
            "initialising_org": ("EF05", 0x04, text(self.initialising_org, 12)),
            "issue_date": ("EF05", 0x05, bcd(self.issue_date)),
            "expiry_date": ("EF05", 0x06, bcd(self.expiry_date)),
            "card_number": ("EF05", 0x07, text(self.card_number, 9)),
            "social_security_number": ("EF06", 0x08, text(self.social_security_number, 18)),
            "name": ("EF06", 0x09, text(self.name, 20 if self.short_name_record else 30, "gbk")),
            "sex": ("EF06", 0x0A, text(self.sex, 1)),
            "nation": ("EF06", 0x0B, bcd(self.nation)),
            "birthplace": ("EF06", 0x0C, bcd(self.birthplace)),
            "birth_date": ("EF06", 0x0D, bcd(self.birth_date)),
        }
        records: dict[str, dict[str, str]] = {"EF05": {}, "EF06": {}}
        refuse = list(self.refuse_files)
        for name, (ef, tag, value) in values.items():
            how = self.withhold.get(name)
            if how == "refuse":
                refuse.append(f"{ef}:{tag:02X}")
            elif how == "blank":
                value = b"\x00" * len(value)
            elif how == "empty":
                value = b""
            records[ef][str(tag)] = tlv(tag, value)
        return {
            "atr": self.atr,
            "aid": self.aid,
            "records": records,
            "refuse": refuse,
            "le_mode": self.le_mode,
            "chained": self.chained,
            "chunk": self.chunk,
            "die_on": self.die_on,
        }


def third_generation_card(**overrides: object) -> VirtualSsCard:
    """What a 3.00 card shows a kiosk with no PSAM: name, number and card number come empty."""
    values: dict = dict(
        spec_version="3.00",
        withhold={"name": "refuse", "social_security_number": "blank", "card_number": "empty"},
    )
    values.update(overrides)
    return VirtualSsCard(**values)


# --- processes ----------------------------------------------------------------------------


def _marked_processes() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"{MARKER}=".encode() in environ:
            found.append(int(entry.name))
    return found


def _pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _socket_served(path: Path) -> bool:
    """Whether a process listens on that unix socket (a dead pcscd leaves only the file)."""
    if not path.exists():
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def _wait_until(condition, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"test PC/SC stack: timed out waiting for {what}")
        time.sleep(0.02)


def _reader_state(reader: str) -> int:
    hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return 0
    try:
        hr, states = scard.SCardGetStatusChange(context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        return states[0][1] if hr == scard.SCARD_S_SUCCESS else 0
    finally:
        scard.SCardReleaseContext(context)


def card_present(reader: str = READER) -> bool:
    return bool(_reader_state(reader) & scard.SCARD_STATE_PRESENT)


def reader_listed(reader: str = READER) -> bool:
    hr, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return False
    try:
        hr, readers = scard.SCardListReaders(context, [])
        return hr == scard.SCARD_S_SUCCESS and reader in readers
    finally:
        scard.SCardReleaseContext(context)


class PcscStack:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.pcscd: subprocess.Popen | None = None
        self.cards: list[subprocess.Popen] = []
        self._lock_fd: int | None = None
        self._env = {**os.environ, MARKER: str(os.getpid())}

    def __enter__(self) -> PcscStack:
        self._lock()
        self._kill_stale()
        self.start_pcscd()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            for card in list(self.cards):
                self._end(card)
            self.stop_pcscd()
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)

    def _lock(self) -> None:
        self._lock_fd = os.open(LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o666)
        deadline = time.monotonic() + 300
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"another test run holds {LOCK_FILE} for too long") from None
                time.sleep(0.2)

    def _kill_stale(self) -> None:
        # We hold the lock, so any marked process is a leftover of a run that died.
        for pid in _marked_processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _wait_until(lambda: not [p for p in _marked_processes() if _pid_alive(p)], "stale exit")
        pid_file = PCSCD_DIR / "pcscd.pid"
        if pid_file.exists():
            try:
                pid = int(pid_file.read_text().strip() or 0)
            except ValueError:
                pid = 0
            if pid and _pid_alive(pid):
                raise RuntimeError(
                    f"a pcscd not started by the tests runs (pid {pid}); stop it "
                    "(e.g. `systemctl stop pcscd.socket pcscd`) and run the tests again"
                )
        comm = PCSCD_DIR / "pcscd.comm"
        try:
            # A pcscd just killed may still hold its socket for a moment while its threads end.
            _wait_until(lambda: not _socket_served(comm), "the old pcscd socket", timeout=5)
        except RuntimeError:
            raise RuntimeError(
                f"something not started by the tests serves {PCSCD_DIR / 'pcscd.comm'} "
                "(systemd's pcscd.socket?); stop it (`systemctl stop pcscd.socket pcscd`) "
                "and run the tests again"
            ) from None
        for leftover in ("pcscd.pid", "pcscd.comm"):
            (PCSCD_DIR / leftover).unlink(missing_ok=True)

    def start_pcscd(self) -> None:
        log = open(self.workdir / "pcscd.log", "ab")
        # `unshare -n` puts pcscd (and vpcd's TCP port 35963) in a network namespace of its
        # own: the tests can never meet a real card emulator or another machine's vpcd, and
        # clients still reach pcscd through its unix socket.
        self.pcscd = subprocess.Popen(
            ["unshare", "-n", "sh", "-c", "ip link set lo up && exec pcscd --foreground --error"],
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        _wait_until(lambda: reader_listed(READER), "pcscd and the virtual reader")

    def stop_pcscd(self) -> None:
        if self.pcscd is not None:
            self._end(self.pcscd)
            self.pcscd = None
        # pcscd removes these when it exits cleanly; a killed one leaves them behind.
        for leftover in ("pcscd.pid", "pcscd.comm"):
            (PCSCD_DIR / leftover).unlink(missing_ok=True)

    def restart_pcscd(self) -> None:
        """What unplugging and replugging the reader (or restarting the service) looks like to
        a client: the reader and its card vanish, then come back."""
        for card in list(self.cards):
            self._end(card)
        self.stop_pcscd()
        self.start_pcscd()

    def insert(self, card: VirtualSsCard) -> subprocess.Popen:
        if self.pcscd is None:
            raise RuntimeError("pcscd is not running")
        path = self.workdir / f"card-{len(self.cards)}-{time.monotonic_ns()}.json"
        path.write_text(json.dumps(card.definition()), encoding="utf-8")
        env = {**self._env, "PYTHONPATH": EMULATOR_PATH}
        log = open(self.workdir / "card.log", "ab")
        process = subprocess.Popen(
            ["nsenter", f"--net=/proc/{self.pcscd.pid}/ns/net", str(VENV_PYTHON),
             str(HERE / "pcsc_virtual_card.py"), str(path), "--port", str(VPCD_PORT)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.cards.append(process)
        _wait_until(lambda: card_present(READER) or process.poll() is not None, "card insertion")
        if process.poll() is not None:
            raise RuntimeError(f"virtual card exited at once; see {self.workdir / 'card.log'}")
        return process

    def remove(self, process: subprocess.Popen | None = None) -> None:
        for card in [process] if process else list(self.cards):
            self._end(card)
        _wait_until(lambda: not card_present(READER), "card removal")

    def _end(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process in self.cards:
            self.cards.remove(process)


@pytest.fixture(scope="session")
def pcsc_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscStack]:
    with PcscStack(tmp_path_factory.mktemp("pcsc")) as stack:
        yield stack


@pytest.fixture
def pcsc(pcsc_stack: PcscStack) -> Iterator[PcscStack]:
    """The session's stack with no card in the reader at the start and end of each test."""
    if pcsc_stack.pcscd is None or pcsc_stack.pcscd.poll() is not None:
        pcsc_stack.start_pcscd()
    pcsc_stack.remove()
    yield pcsc_stack
    pcsc_stack.remove()
