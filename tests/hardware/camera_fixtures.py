"""Camera input for the camera-device tests (imported explicitly by them): QR codes, recorded
videos and the `python -m hardware` command line. The real face photos and their alterations live
in tests/faces/face_photos.py."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np
import qrcode

# The kiosk's identification tests take the photos from here; the camera tests import them from
# tests/faces/face_photos.py directly.
from tests.faces.face_photos import BLINK, astronaut, close_eyes, decode_bytes, grace_hopper, noisy, on_canvas  # noqa: F401


# -- QR codes ---------------------------------------------------------------------------------
def qr_image(payload: str | bytes, box_size: int = 8, border: int = 4,
             error_correction: int = qrcode.constants.ERROR_CORRECT_M) -> np.ndarray:
    """A QR code as a gray uint8 array, made by the `qrcode` package (as tickets print them)."""
    q = qrcode.QRCode(box_size=box_size, border=border, error_correction=error_correction)
    q.add_data(payload)
    q.make(fit=True)
    buf = io.BytesIO()
    q.make_image().save(buf, format="PNG")
    return decode_bytes(buf.getvalue(), cv2.IMREAD_GRAYSCALE)


def qr_png(path: Path, payload: str | bytes, **kwargs: int) -> Path:
    cv2.imwrite(str(path), qr_image(payload, **kwargs))
    return path


def perspective(img: np.ndarray, strength: float = 0.12) -> np.ndarray:
    """As a phone held at an angle to the camera shows it."""
    h, w = img.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    d = strength
    dst = np.array([[w * d, h * d * 0.5], [w * (1 - d * 0.3), 0], [w, h], [0, h * (1 - d)]],
                   np.float32)
    return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h),
                               borderValue=255)


# -- videos -----------------------------------------------------------------------------------
def write_video(path: Path, frames: Iterable[np.ndarray], fps: float = 10.0) -> Path:
    """An MJPG .avi (or mp4v .mp4) made with cv2.VideoWriter, as a camera recording would be."""
    frames = list(frames)
    h, w = frames[0].shape[:2]
    fourcc = cv2.VideoWriter.fourcc(*("mp4v" if path.suffix == ".mp4" else "MJPG"))
    writer = cv2.VideoWriter(str(path), fourcc, fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f"cv2.VideoWriter cannot write {path}")
    for frame in frames:
        writer.write(frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    writer.release()
    return path


# -- the command line -------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, in_process: bool = True) -> tuple[int, str, str]:
    """`python -m hardware ARGS` as (exit code, stdout, stderr). In process by default (the same
    `hardware.cli.main`, without paying for a new interpreter and OpenCV import each time)."""
    if not in_process:
        done = subprocess.run([sys.executable, "-m", "hardware", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout, done.stderr
    import contextlib

    from hardware.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()
