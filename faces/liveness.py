"""A simple presentation-attack check: does the face move like a living one?

A living face is never perfectly still: eyes blink, lips and cheeks move a little. A printed photo
held in front of the camera is rigid: held still it does not change at all, and moved by the hand
it changes only by a shift. So, between consecutive frames, the face region is aligned for shift
(phase correlation), lightly blurred (sensor noise), and the share of its pixels that still
changed clearly is measured. Enough non-rigid change within the window means "live".

Limits (docs/hardware-camera.md): a video replayed on a phone or tablet passes, a photo bent or
waved (non-rigid in the picture) may pass, and a citizen who stares without blinking may fail and
must be asked to blink. This raises the cost of the simplest attack; it is no certified PAD."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from .detector import FaceBox
from .images import to_gray, validate_frame

PATCH = 96  # the face region is compared at a fixed size, so distance does not matter


@dataclass(frozen=True)
class LivenessVerdict:
    live: bool | None  # None: not enough frames yet
    score: float  # the largest share (0-1) of the face that changed non-rigidly between frames
    frames: int

    @property
    def message_zh(self) -> str:
        if self.live is None:
            return "请看向摄像头"
        return "验证通过" if self.live else "请眨眨眼"

    @property
    def message_en(self) -> str:
        if self.live is None:
            return "Please look at the camera"
        return "Verified" if self.live else "Please blink"


class MotionLivenessCheck:
    """Feed frames with the face found in each (`add`), then ask `verdict()`."""

    def __init__(self, window: int = 15, min_frames: int = 6, min_changed: float = 0.025,
                 pixel_threshold: float = 12.0, max_shift_fraction: float = 0.15):
        # Calibration (synthetic sequences from the package photos, tests/faces): a still
        # photo with sensor noise sigma 3 changes 0% of the patch, one shifted by up to 3.6 px
        # between frames at most 1.4% (interpolation at sharp edges), a blink 3.7-6.6%.
        self.window = window
        self.min_frames = min_frames
        self.min_changed = min_changed
        self.pixel_threshold = pixel_threshold
        self.max_shift_fraction = max_shift_fraction  # more is walking, not micro-motion
        self.max_shift = max_shift_fraction * PATCH
        self._patches: deque[np.ndarray] = deque(maxlen=window)
        self._changes: deque[float] = deque(maxlen=window)
        # The region compared is anchored at the first frame's face box: Haar boxes jitter by a
        # few pixels from frame to frame, and cropping at a jittering box would itself look like
        # motion. Phase correlation then follows the small real shifts inside the region.
        self._anchor: tuple[int, int, int] | None = None  # centre x, centre y, side
        self._hann = cv2.createHanningWindow((PATCH, PATCH), cv2.CV_32F)

    def reset(self) -> None:
        self._patches.clear()
        self._changes.clear()
        self._anchor = None

    def add(self, image: object, face: FaceBox) -> None:
        gray = to_gray(validate_frame(image))
        face.check_inside(gray)
        cx, cy = face.x + face.w // 2, face.y + face.h // 2
        if self._anchor is not None:
            ax, ay, side = self._anchor
            if max(abs(cx - ax), abs(cy - ay)) > self.max_shift_fraction * side:
                self.reset()  # the citizen moved: start a new window where the face is now
        if self._anchor is None:
            self._anchor = (cx, cy, max(face.w, face.h))
        ax, ay, side = self._anchor
        half = side // 2
        crop = gray[max(0, ay - half):ay + half, max(0, ax - half):ax + half]
        if crop.shape[0] < 16 or crop.shape[1] < 16:
            return
        small = cv2.resize(crop, (PATCH, PATCH), interpolation=cv2.INTER_AREA)
        patch = np.asarray(cv2.GaussianBlur(small.astype(np.float32), (0, 0), 1.5), np.float32)
        if self._patches:
            change = self._nonrigid_change(self._patches[-1], patch)
            if change is not None:
                self._changes.append(change)
        self._patches.append(patch)

    def _nonrigid_change(self, prev: np.ndarray, cur: np.ndarray) -> float | None:
        # Copies: with a window, phaseCorrelate multiplies its inputs in place (OpenCV 4.14).
        (dx, dy), _response = cv2.phaseCorrelate(prev.copy(), cur.copy(), self._hann)
        if abs(dx) > self.max_shift or abs(dy) > self.max_shift:
            return None
        back = np.array([[1, 0, -dx], [0, 1, -dy]], np.float32)
        aligned = cv2.warpAffine(cur, back, (PATCH, PATCH), borderMode=cv2.BORDER_REPLICATE)
        # Brightness may drift (auto exposure): compare after matching the means.
        diff = np.abs((aligned - aligned.mean()) - (prev - prev.mean()))
        inner = diff[8:-8, 8:-8]  # the borders hold interpolation and background, not the face
        return float((inner > self.pixel_threshold).mean())

    def verdict(self) -> LivenessVerdict:
        frames = len(self._patches)
        score = max(self._changes, default=0.0)
        if frames < self.min_frames:
            return LivenessVerdict(None, score, frames)
        return LivenessVerdict(score >= self.min_changed, score, frames)
