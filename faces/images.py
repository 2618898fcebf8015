"""Pictures as validated numpy arrays: every picture that reaches a face algorithm (a camera frame,
an image file, an upload) goes through `validate_frame`, `load_image` or `decode_image_bytes`, so
the detectors behind them never see a surprise."""

from __future__ import annotations

import io
import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .errors import FrameError

# A kiosk camera gives 640x480 to 1920x1080. Anything far outside this is a broken driver or a
# hostile file, and would make the detectors allocate gigabytes.
MIN_SIDE = 16
MAX_SIDE = 8192
MAX_PIXELS = 40_000_000
MAX_FILE_BYTES = 30 * 1024 * 1024

# Pillow refuses larger images by itself only with a warning; make it an error we can catch.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _check_size(height: int, width: int) -> None:
    if min(height, width) < MIN_SIDE:
        raise FrameError(f"image too small: {width}x{height} (minimum side {MIN_SIDE} px)")
    if max(height, width) > MAX_SIDE or height * width > MAX_PIXELS:
        raise FrameError(
            f"image too large: {width}x{height} (maximum side {MAX_SIDE} px, "
            f"{MAX_PIXELS} pixels)")


def validate_frame(image: object) -> np.ndarray:
    """Returns the image as a contiguous uint8 array, gray (H, W) or BGR (H, W, 3).

    BGRA is reduced to BGR; any other shape or type raises FrameError with the reason."""
    if image is None:
        raise FrameError("no image (None)")
    if not isinstance(image, np.ndarray):
        raise FrameError(f"image must be a numpy array, not {type(image).__name__}")
    if image.size == 0:
        raise FrameError(f"empty image (shape {image.shape})")
    if image.dtype != np.uint8:
        raise FrameError(f"image must be 8-bit (uint8), not {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]  # BGRA from some drivers: the alpha plane carries nothing
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise FrameError(f"image must be gray (H, W) or colour (H, W, 3), not shape {image.shape}")
    _check_size(image.shape[0], image.shape[1])
    return np.ascontiguousarray(image)


def to_gray(image: np.ndarray) -> np.ndarray:
    """Gray view of a validated frame (BGR weights as OpenCV uses them)."""
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Reads an image file into a validated BGR array.

    Pillow reads the header first, so an absurd size is refused before any pixel is decoded, and
    it raises on truncated files where OpenCV's imread would silently return a grey-padded one."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise FrameError(f"image file not found: {p}", "找不到图像文件") from None
    except OSError as exc:
        raise FrameError(f"cannot read image file {p}: {exc.strerror}") from None
    if not p.is_file():
        raise FrameError(f"not a file: {p}")
    if size == 0:
        raise FrameError(f"image file is empty: {p}")
    if size > MAX_FILE_BYTES:
        raise FrameError(f"image file too large: {size} bytes (maximum {MAX_FILE_BYTES})")
    return _decode(p, str(p))


def decode_image_bytes(data: bytes) -> np.ndarray:
    """Like load_image, for bytes (an upload, a snapshot from another process)."""
    if not data:
        raise FrameError("image data is empty")
    if len(data) > MAX_FILE_BYTES:
        raise FrameError(f"image data too large: {len(data)} bytes (maximum {MAX_FILE_BYTES})")
    return _decode(io.BytesIO(data), "image data")


def _decode(source: object, label: str) -> np.ndarray:
    try:
        with Image.open(source) as img:  # type: ignore[arg-type]
            _check_size(img.height, img.width)
            img.load()
            rgb = img.convert("RGB")
    except FrameError:
        raise
    except Image.DecompressionBombError:
        raise FrameError(f"image too large: {label} (more than {MAX_PIXELS} pixels)") from None
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow's ways of saying "corrupt"
        raise FrameError(f"image is corrupt or truncated: {label} ({exc})") from None
    return validate_frame(np.asarray(rgb)[:, :, ::-1].copy())
