"""Face detection with the Haar cascades OpenCV ships (cv2.data), plus the eyes inside a face.

Haar is old and misses turned faces, but it needs no model download, and at a kiosk the citizen
looks straight at the camera from half a metre, which is what it is good at. Detection runs on a
downscaled copy: a kiosk face is large, and a 320-pixel-wide image is ~4x cheaper to scan."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .errors import ImageInputError
from .images import to_gray, validate_frame

FACE_CASCADE = "haarcascade_frontalface_alt2.xml"
EYE_CASCADE = "haarcascade_eye.xml"


@dataclass(frozen=True)
class FaceBox:
    """A face in full-frame pixel coordinates; eyes (image coordinates) when both were found,
    the one on the left of the image first."""

    x: int
    y: int
    w: int
    h: int
    eyes: tuple[tuple[float, float], tuple[float, float]] | None = None

    @property
    def area(self) -> int:
        return self.w * self.h

    @property
    def eye_angle(self) -> float | None:
        """Roll of the head in degrees (0: eyes level), from the eye centres."""
        if self.eyes is None:
            return None
        (lx, ly), (rx, ry) = self.eyes
        return math.degrees(math.atan2(ry - ly, rx - lx))

    def crop(self, image: np.ndarray) -> np.ndarray:
        return image[self.y:self.y + self.h, self.x:self.x + self.w]

    def check_inside(self, image: np.ndarray, min_side: int = 8) -> None:
        """ImageInputError unless the box lies in the image and is big enough to measure: boxes
        normally come from `FaceDetector`, but callers may pass their own."""
        height, width = image.shape[:2]
        if min(self.w, self.h) < min_side:
            raise ImageInputError(f"face box too small: {self.w}x{self.h}")
        if self.x < 0 or self.y < 0 or self.x + self.w > width or self.y + self.h > height:
            raise ImageInputError(f"face box {self.x},{self.y} {self.w}x{self.h} lies outside "
                                   f"the {width}x{height} image")


def _cascade(name: str) -> cv2.CascadeClassifier:
    path = Path(cv2.data.haarcascades) / name  # type: ignore[attr-defined]
    cascade = cv2.CascadeClassifier(str(path))
    if cascade.empty():
        raise RuntimeError(f"Haar cascade missing or unreadable: {path} "
                           "(install opencv-contrib-python-headless 4.x)")
    return cascade


class FaceDetector:
    """`detect(image) -> list[FaceBox]`, largest face first. Not thread-safe (OpenCV cascades are
    not): give each thread its own detector."""

    def __init__(self, detect_width: int = 320, min_face_fraction: float = 0.12,
                 find_eyes: bool = True):
        # min_face_fraction: faces narrower than this share of the frame are people passing by,
        # not the citizen at the kiosk; skipping them also makes the scan much cheaper.
        self.detect_width = detect_width
        self.min_face_fraction = min_face_fraction
        self.find_eyes = find_eyes
        self._faces = _cascade(FACE_CASCADE)
        self._eyes = _cascade(EYE_CASCADE)

    def detect(self, image: object) -> list[FaceBox]:
        gray = to_gray(validate_frame(image))
        height, width = gray.shape
        scale = min(1.0, self.detect_width / width)
        small = gray if scale == 1.0 else cv2.resize(
            gray, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        small = cv2.equalizeHist(small)  # Haar features are contrast-sensitive; halls vary
        min_side = max(20, round(min(small.shape) * self.min_face_fraction))
        found = self._faces.detectMultiScale(small, scaleFactor=1.1, minNeighbors=4,
                                             minSize=(min_side, min_side))
        boxes = []
        for (x, y, w, h) in (found if len(found) else []):
            box = FaceBox(round(x / scale), round(y / scale), round(w / scale), round(h / scale))
            box = _clip(box, width, height)
            if self.find_eyes:
                box = FaceBox(box.x, box.y, box.w, box.h, self._find_eyes(gray, box))
            boxes.append(box)
        return sorted(boxes, key=lambda b: b.area, reverse=True)

    def _find_eyes(self, gray: np.ndarray, box: FaceBox
                   ) -> tuple[tuple[float, float], tuple[float, float]] | None:
        # Eyes sit in the upper half of a Haar face box; searching only there avoids taking a
        # nostril or a mouth corner for an eye. A fixed-size crop keeps the cost constant.
        top = gray[box.y:box.y + box.h // 2 + box.h // 10, box.x:box.x + box.w]
        if top.size == 0:
            return None
        factor = 120.0 / box.w
        top = cv2.resize(top, (120, max(1, round(top.shape[0] * factor))))
        top = cv2.equalizeHist(top)
        eyes = self._eyes.detectMultiScale(top, scaleFactor=1.1, minNeighbors=3,
                                           minSize=(14, 14), maxSize=(50, 50))
        centres = sorted(((x + w / 2) / factor + box.x, (y + h / 2) / factor + box.y)
                         for (x, y, w, h) in (eyes if len(eyes) else []))
        left = [c for c in centres if c[0] < box.x + box.w / 2]
        right = [c for c in centres if c[0] >= box.x + box.w / 2]
        if not left or not right:
            return None
        pair = (left[-1], right[0])  # the two closest to the middle: outer hits are brows/hair
        spacing = pair[1][0] - pair[0][0]
        if not 0.2 * box.w <= spacing <= 0.65 * box.w:
            return None
        return pair


def _clip(box: FaceBox, width: int, height: int) -> FaceBox:
    x, y = max(0, box.x), max(0, box.y)
    return FaceBox(x, y, min(box.w, width - x), min(box.h, height - y), box.eyes)
