"""A background thread that keeps the newest frame of a source at hand.

Camera drivers buffer frames; a kiosk that reads only when it needs a picture gets an old one. So
one thread reads all the time and keeps only the latest, and anyone asks `latest()` without
waiting. When the source dies (cable pulled, network camera rebooted) the thread closes it and
tries again with a growing pause, so a replugged camera comes back by itself."""

from __future__ import annotations

import logging
import threading
import time

from faces.errors import FrameError
from faces.images import validate_frame

from ..health import Health
from .errors import SourceError
from .frames import Frame
from .sources import FrameSource, open_source, redact_uri

log = logging.getLogger(__name__)

MSG_UNAVAILABLE_ZH = "摄像头不可用"
MSG_DEGRADED_ZH = "摄像头画面异常"


class FrameGrabber:
    """Reads `source` on a daemon thread. Thread-safe: `latest`, `wait_for_frame`, `health`."""

    def __init__(self, source: FrameSource | str, *, backoff_initial: float = 0.5,
                 backoff_max: float = 10.0, stale_after: float = 2.0, fps: float = 15.0):
        if backoff_initial <= 0 or backoff_max < backoff_initial:
            raise ValueError("need 0 < backoff_initial <= backoff_max")
        self.source = open_source(source, fps=fps) if isinstance(source, str) else source
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.stale_after = stale_after
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._latest: Frame | None = None
        self._seq = 0
        self._opened = False
        self._last_error = "not started"
        self._attempts = 0  # failed opens since the last good frame
        self._invalid_in_row = 0
        self.frames_total = 0
        self.frames_invalid = 0
        self.reconnects = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FrameGrabber:
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._last_error = "starting"
        self._thread = threading.Thread(target=self._run, name=f"camera:{self.uri}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> FrameGrabber:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def uri(self) -> str:
        return redact_uri(self.source.uri)

    # -- what callers use ------------------------------------------------------------------
    def latest(self, max_age: float | None = None) -> Frame | None:
        """The newest valid frame, or None if there is none (or none younger than max_age)."""
        with self._cond:
            frame = self._latest
        if frame is not None and max_age is not None and frame.age > max_age:
            return None
        return frame

    def wait_for_frame(self, timeout: float, after_seq: int = 0) -> Frame | None:
        """Blocks until a frame newer than `after_seq` exists (or timeout): the next fresh one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._latest is None or self._latest.seq <= after_seq:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stop.is_set():
                    return None
                self._cond.wait(remaining)
            return self._latest

    def health(self) -> Health:
        with self._cond:
            frame, opened, error = self._latest, self._opened, self._last_error
            attempts, invalid_in_row = self._attempts, self._invalid_in_row
        fresh = frame is not None and frame.age <= self.stale_after
        if not fresh:
            if opened and invalid_in_row:
                why = f"source delivers only unusable frames: {error}"
            elif opened:
                why = "no frame for a while"
            else:
                why = f"{error}; retrying (attempt {attempts})" if attempts else error
            return Health.error(MSG_UNAVAILABLE_ZH, f"camera {self.uri} unavailable: {why}")
        if invalid_in_row:
            return Health.warning(MSG_DEGRADED_ZH,
                                  f"camera {self.uri}: dropping unusable frames: {error}")
        return Health.ok("摄像头正常", f"camera {self.uri} ok")

    # -- the thread ------------------------------------------------------------------------
    def _run(self) -> None:
        backoff = self.backoff_initial
        while not self._stop.is_set():
            if not self._opened and not self._try_open():
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.backoff_max)
                continue
            try:
                image = self.source.read()
            except Exception as exc:  # a driver's failure must not kill the thread
                log.warning("camera %s read failed: %s", self.uri, exc)
                image = None
            if image is None:
                self._lost("source stopped delivering frames")
                # Also pause here: a source that opens but never gives a frame must not spin.
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.backoff_max)
                continue
            if self._accept(image):
                backoff = self.backoff_initial
        self._close()

    def _try_open(self) -> bool:
        try:
            self.source.open()
        except (SourceError, OSError) as exc:
            self._set_error(str(exc), opened=False, failed_open=True)
            log.warning("camera %s: %s", self.uri, exc)
            return False
        except Exception as exc:  # unknown driver trouble: report it, keep trying
            self._set_error(f"{type(exc).__name__}: {exc}", opened=False, failed_open=True)
            log.exception("camera %s open failed", self.uri)
            return False
        with self._cond:
            self._opened = True
            if self.frames_total:
                self.reconnects += 1
        return True

    def _accept(self, image: object) -> bool:
        try:
            valid = validate_frame(image)
        except FrameError as exc:
            with self._cond:
                self.frames_invalid += 1
                self._invalid_in_row += 1
                self._last_error = str(exc)
            return False
        # Every caller gets the same array: read-only, so one cannot draw on another's picture.
        valid.flags.writeable = False
        with self._cond:
            self._seq += 1
            self._latest = Frame(valid, time.time(), self._seq)
            self.frames_total += 1
            self._attempts = 0
            self._invalid_in_row = 0
            self._cond.notify_all()
        return True

    def _lost(self, why: str) -> None:
        self._close()
        self._set_error(why, opened=False, failed_open=False)
        log.warning("camera %s lost: %s", self.uri, why)

    def _set_error(self, message: str, *, opened: bool, failed_open: bool) -> None:
        with self._cond:
            self._last_error = message
            self._opened = opened
            if failed_open:
                self._attempts += 1

    def _close(self) -> None:
        try:
            self.source.close()
        except Exception:  # closing a dead device can fail too; nothing left to do about it
            log.debug("camera %s close failed", self.uri, exc_info=True)
        with self._cond:
            self._opened = False
