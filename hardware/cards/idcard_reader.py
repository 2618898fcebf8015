"""The 二代身份证 reader on a serial (or USB-serial) SAM module: polls for a card, reads text and
photo, and keeps going through unplugging, noise and citizens who leave their card lying."""

from __future__ import annotations

import logging
import termios
import threading
from collections.abc import Callable
from typing import Any

import serial

from hardware.cards.idcard_errors import (
    IdCardError,
    IdCardFrameError,
    IdCardPortError,
    IdCardStatusError,
    IdCardTimeoutError,
)
from hardware.cards.idcard_frame import Answer, SerialLike, encode, parse_answer, read_frame
from hardware.cards.idcard_text import IdCardIdentity, parse_text
from hardware.health import Health

log = logging.getLogger(__name__)

# The modules are made for ≥ 300 ms between finds; faster polling makes some of them miss cards
# and keeps the RF field busy for nothing.
MIN_POLL_INTERVAL = 0.3
_BACKOFF_MAX = 5.0
_PORT_READ_TIMEOUT = 0.05  # one read() call; the frame deadline is enforced above it

SAM_STATUS = bytes([0x11, 0xFF])
SAM_RESET = bytes([0x10, 0xFF])
FIND_CARD = bytes([0x20, 0x01])
SELECT_CARD = bytes([0x20, 0x02])
READ_TEXT_PHOTO = bytes([0x30, 0x01])

ST_OK, ST_FOUND, ST_NOT_FOUND, ST_SELECT_FAILED = 0x90, 0x9F, 0x80, 0x81

PortOpener = Callable[..., Any]


class SerialIdCardReader:
    def __init__(
        self,
        port: str,
        baudrate: int = 115200,
        *,
        poll_interval: float = MIN_POLL_INTERVAL,
        response_timeout: float = 2.0,
        opener: PortOpener = serial.Serial,
    ):
        if poll_interval < MIN_POLL_INTERVAL:
            log.warning("poll interval %.3f s raised to %.1f s", poll_interval, MIN_POLL_INTERVAL)
        self.port_name = port
        self.baudrate = baudrate
        self.poll_interval = max(poll_interval, MIN_POLL_INTERVAL)
        self.response_timeout = response_timeout
        self._opener = opener
        self._port: SerialLike | None = None
        self._lock = threading.Lock()  # one exchange at a time: the protocol has no ids
        self._card_left = True  # a card must leave the field before it is read again
        # Unknown until the first exchange: opening the port is left to the first poll, so a
        # kiosk starts even with the reader unplugged and reports it then.
        self._health = Health.warning("身份证阅读器正在启动", f"{port}: not polled yet")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one-shot operations ------------------------------------------------------------

    def health(self) -> Health:
        return self._health

    def sam_status(self) -> Health:
        """Ask the SAM module whether it is fit (technician's check)."""
        answer = self._command(SAM_STATUS, "SAM status")
        if answer.sw3 != ST_OK:
            raise IdCardStatusError("SAM status", answer.sw3, answer.meaning)
        return self._set_health(Health.ok())

    def reset_sam(self) -> None:
        answer = self._command(SAM_RESET, "SAM reset")
        if answer.sw3 != ST_OK:
            raise IdCardStatusError("SAM reset", answer.sw3, answer.meaning)

    def poll_once(self) -> IdCardIdentity | None:
        """Find, select and read one card. None when no card is there, or when the card just
        read has not left the field yet (so a resting card is read once, not every poll)."""
        found = self._command(FIND_CARD, "find card")
        if found.sw3 == ST_NOT_FOUND:
            self._card_left = True
            return self._quiet(None)
        if found.sw3 != ST_FOUND:
            raise IdCardStatusError("find card", found.sw3, found.meaning)
        if not self._card_left:
            return self._quiet(None)
        selected = self._command(SELECT_CARD, "select card")
        if selected.sw3 == ST_SELECT_FAILED:
            return self._quiet(None)  # the card moved away between find and select
        if selected.sw3 != ST_OK:
            raise IdCardStatusError("select card", selected.sw3, selected.meaning)
        answer = self._command(READ_TEXT_PHOTO, "read card")
        if answer.sw3 != ST_OK:
            raise IdCardStatusError("read card", answer.sw3, answer.meaning)
        identity = _identity_from(answer.data)
        self._card_left = False
        return self._quiet(identity)

    def close(self) -> None:
        self.stop()
        self._close_port()

    # --- background polling ---------------------------------------------------------------

    def start(
        self,
        on_card: Callable[[IdCardIdentity], None],
        on_health: Callable[[Health], None] | None = None,
        on_error: Callable[[IdCardError], None] | None = None,
    ) -> None:
        if self._thread is not None:
            raise RuntimeError("identity card polling already started")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(on_card, on_health, on_error), name="idcard-poll", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def _run(
        self,
        on_card: Callable[[IdCardIdentity], None],
        on_health: Callable[[Health], None] | None,
        on_error: Callable[[IdCardError], None] | None,
    ) -> None:
        backoff = self.poll_interval
        while not self._stop.is_set():
            before = self._health
            pause = self.poll_interval
            try:
                identity = self.poll_once()
                backoff = self.poll_interval
                if identity is not None:
                    _call(on_card, identity)
            except IdCardPortError:
                pause, backoff = backoff, min(backoff * 2, _BACKOFF_MAX)
            except IdCardError as exc:
                log.warning("identity card poll failed: %s", exc)
                if on_error is not None:
                    _call(on_error, exc)
            except Exception as exc:  # never let the polling thread die silently
                log.exception("identity card polling hit an unexpected error")
                self._close_port()
                self._fail(IdCardPortError(f"unexpected {type(exc).__name__}: {exc}"))
                pause, backoff = backoff, min(backoff * 2, _BACKOFF_MAX)
            if on_health is not None and self._health != before:
                _call(on_health, self._health)
            self._pause(pause)

    def _pause(self, seconds: float) -> None:
        self._stop.wait(seconds)

    # --- the wire -------------------------------------------------------------------------

    def _command(self, command: bytes, what: str) -> Answer:
        with self._lock:
            port = self._open()
            try:
                port.reset_input_buffer()  # drop leftovers of an earlier broken answer
                port.write(encode(command))
                payload = read_frame(port, self.response_timeout)
            except (serial.SerialException, OSError, termios.error) as exc:
                # termios.error is what an unplugged USB-serial adapter gives on tcflush.
                self._close_port()
                raise self._fail(IdCardPortError(f"{self.port_name}: {exc}")) from None
            except IdCardTimeoutError as exc:
                raise self._fail(IdCardTimeoutError(f"{what}: {exc.health.message_en}")) from None
            except IdCardFrameError as exc:
                raise self._fail(type(exc)(f"{what}: {exc.health.message_en}")) from None
            return parse_answer(payload)

    def _open(self) -> SerialLike:
        if self._port is None:
            try:
                self._port = self._opener(
                    self.port_name, self.baudrate, timeout=_PORT_READ_TIMEOUT, write_timeout=1.0
                )
            except (serial.SerialException, OSError, ValueError) as exc:
                raise self._fail(IdCardPortError(f"cannot open {self.port_name}: {exc}")) from None
        return self._port

    def _close_port(self) -> None:
        # After losing the line we cannot know whether the card left the field meanwhile; a
        # citizen presenting it again must not be ignored.
        self._card_left = True
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()  # type: ignore[attr-defined]
            except (serial.SerialException, OSError):
                pass

    def _fail(self, error: IdCardError) -> IdCardError:
        self._health = error.health
        return error

    def _quiet(self, result: IdCardIdentity | None) -> IdCardIdentity | None:
        # A complete, understood exchange: the reader works, whatever the card did.
        self._set_health(Health.ok())
        return result

    def _set_health(self, health: Health) -> Health:
        if (health.level, health.message_en) != (self._health.level, self._health.message_en):
            self._health = health
        return self._health


def _identity_from(data: bytes) -> IdCardIdentity:
    # Read answer data: text length (2, BE), photo length (2, BE), text, photo.
    if len(data) < 4:
        raise IdCardFrameError(f"read answer of {len(data)} bytes lacks the block lengths")
    text_length = int.from_bytes(data[0:2], "big")
    photo_length = int.from_bytes(data[2:4], "big")
    if len(data) < 4 + text_length + photo_length:
        raise IdCardFrameError(
            f"read answer announces {text_length}+{photo_length} bytes, carries {len(data) - 4}"
        )
    text = data[4 : 4 + text_length]
    photo = data[4 + text_length : 4 + text_length + photo_length]
    return parse_text(text, photo)


def _call(callback: Callable[[Any], None], value: Any) -> None:
    # The kiosk's callback failing must not stop the polling.
    try:
        callback(value)
    except Exception:
        log.exception("identity card callback failed")
