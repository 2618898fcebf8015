"""Where frames come from, named by a URI so a hall's configuration is one string:

- `cam:0`                     a local camera (V4L2 device index)
- `/path/video.mp4`           a video file, played in a loop at its own frame rate (demos, tests)
- `rtsp://user:pw@host/...`   a network camera
- `sim:/a.jpg,/b.jpg`, `sim:/dir`  still images shown in turn (the simulated twin for demos/tests)

A source only opens, reads and closes; threading, reconnecting and health live in `grabber`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from faces.errors import FrameError
from faces.images import load_image

from .errors import SourceError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
NETWORK_SCHEMES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://")
# Network cameras hang for ~30 s by default when the far end is gone; a kiosk must know sooner.
NETWORK_TIMEOUT_MS = 5000


class Pacer:
    """Sleeps so reads come at most `fps` times a second (0: no pacing), without drifting."""

    def __init__(self, fps: float):
        self._interval = 1.0 / fps if fps > 0 else 0.0
        self._next_at = time.monotonic()

    def wait(self) -> None:
        if not self._interval:
            return
        delay = self._next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        # After a long stall, start afresh instead of bursting to catch up.
        self._next_at = max(self._next_at + self._interval, time.monotonic())


class FrameSource(Protocol):
    """One camera-like thing. `read` returns None when the source has stopped (unplugged, network
    gone); a frame may still be invalid, the grabber validates it."""

    uri: str

    def open(self) -> None: ...

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


def redact_uri(uri: str) -> str:
    """A URI fit for logs and health messages: a camera's password never leaves the kiosk."""
    for scheme in NETWORK_SCHEMES:
        if uri.startswith(scheme) and "@" in uri:
            rest = uri[len(scheme):]
            return scheme + "***@" + rest.split("@", 1)[1]
    return uri


class CaptureSource:
    """cv2.VideoCapture behind the FrameSource protocol (cameras, files, network streams)."""

    def __init__(self, uri: str, target: int | str, *, is_file: bool = False,
                 api: int = cv2.CAP_ANY, pace: bool = True):
        self.uri = uri
        self._target = target
        self._is_file = is_file
        self._api = api
        self._pace = pace  # a file would otherwise be read as fast as the disk allows
        self._cap: cv2.VideoCapture | None = None
        self._pacer = Pacer(0.0)

    def open(self) -> None:
        self.close()
        if self._is_file and not Path(str(self._target)).is_file():
            raise SourceError(f"video file not found: {self._target}")
        params: list[int] = []
        if self._api == cv2.CAP_FFMPEG:
            params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, NETWORK_TIMEOUT_MS,
                      cv2.CAP_PROP_READ_TIMEOUT_MSEC, NETWORK_TIMEOUT_MS]
        cap = cv2.VideoCapture(self._target, self._api, params)
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open {redact_uri(self.uri)}")
        fps = cap.get(cv2.CAP_PROP_FPS) if self._is_file else 0.0
        self._pacer = Pacer(fps if self._pace and 1.0 <= fps <= 120.0 else 0.0)
        self._cap = cap

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        self._pacer.wait()
        ok, frame = self._cap.read()
        if not ok and self._is_file:
            # End of a demo video: play it again. A file that vanished fails on reopen instead.
            if not Path(str(self._target)).is_file():
                return None
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class SimSource:
    """Still images shown in turn, as a camera would show them, at `fps` frames per second.

    Files are read once, at open. Removing the folder (or a file) and reopening is how a test or
    a demo simulates an unplugged camera."""

    def __init__(self, uri: str, paths: list[Path] | None = None, directory: Path | None = None,
                 fps: float = 15.0):
        self.uri = uri
        self._paths = paths
        self._directory = directory
        self._fps = fps
        self._pacer = Pacer(0.0)
        self._images: list[np.ndarray] = []
        self._index = 0

    def _list_paths(self) -> list[Path]:
        if self._directory is not None:
            if not self._directory.is_dir():
                raise SourceError(f"simulated camera folder not found: {self._directory}")
            return sorted(p for p in self._directory.iterdir()
                          if p.suffix.lower() in IMAGE_SUFFIXES)
        return list(self._paths or [])

    def open(self) -> None:
        paths = self._list_paths()
        if not paths:
            raise SourceError(f"simulated camera has no images: {self.uri}")
        images = []
        for path in paths:
            try:
                images.append(load_image(path))
            except FrameError as exc:
                raise SourceError(f"simulated camera image unusable: {exc}") from None
        self._images = images
        self._index = 0
        self._pacer = Pacer(self._fps)

    def read(self) -> np.ndarray | None:
        if not self._images:
            return None
        self._pacer.wait()
        image = self._images[self._index % len(self._images)]
        self._index += 1
        return image.copy()  # callers may draw on their frame

    def close(self) -> None:
        self._images = []


def open_source(uri: str, *, fps: float = 15.0) -> FrameSource:
    """Builds (does not open) the source a URI names; raises ValueError for a malformed URI."""
    if not isinstance(uri, str) or not uri.strip():
        raise ValueError("camera URI is empty")
    uri = uri.strip()
    if uri.startswith("cam:"):
        index = uri[4:]
        if not index.isdigit() or int(index) > 63:
            raise ValueError(f"camera URI must be cam:N with N a device number 0-63, not {uri!r}")
        return CaptureSource(uri, int(index))
    if uri.startswith("sim:"):
        spec = uri[4:]
        if not spec:
            raise ValueError("sim: URI needs image files or a folder, e.g. sim:/path/a.jpg,b.jpg")
        parts = [Path(p) for p in spec.split(",") if p]
        if len(parts) == 1 and parts[0].is_dir():
            return SimSource(uri, directory=parts[0], fps=fps)
        return SimSource(uri, paths=parts, fps=fps)
    if uri.lower().startswith(NETWORK_SCHEMES):
        return CaptureSource(uri, uri, api=cv2.CAP_FFMPEG)
    if "://" in uri:
        raise ValueError(f"unsupported camera URI scheme: {redact_uri(uri)}")
    return CaptureSource(uri, uri, is_file=True, api=cv2.CAP_FFMPEG)
