"""Is this face good enough to take a ticket with? And if not, what should the citizen change?

Each check gives one instruction in plain Chinese (and English for the technician). The most
useful instruction comes first: there is no point asking someone to hold still while they are too
far away to be measured."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .detector import FaceBox
from .images import to_gray, validate_frame


@dataclass(frozen=True)
class QualityIssue:
    code: str
    message_zh: str
    message_en: str


TOO_SMALL = QualityIssue("too_small", "请靠近一些", "Please come closer")
TOO_LARGE = QualityIssue("too_large", "请稍微后退", "Please step back a little")
TOO_DARK = QualityIssue("too_dark", "光线太暗", "Too dark")
TOO_BRIGHT = QualityIssue("too_bright", "光线太亮", "Too bright")
NOT_FRONTAL = QualityIssue("not_frontal", "请正对摄像头", "Please face the camera")
BLURRED = QualityIssue("blurred", "请保持不动", "Please keep still")


@dataclass(frozen=True)
class QualityThresholds:
    # Calibrated on the package photos (docs/hardware-camera.md). Sharpness is the Laplacian
    # variance of the contrast-normalised face at 128 px (x100): sharp faces there measure 4.8-80,
    # the same faces blurred with sigma 1.5 measure 0.8-1.8 (except a very large face, 13).
    min_face_px: int = 80
    max_face_fraction: float = 0.9  # of the frame's shorter side
    min_sharpness: float = 3.0
    min_brightness: float = 60.0
    max_brightness: float = 200.0
    # Haar's frontal cascade already finds only roughly frontal faces; the eyes, when found,
    # add roll (tilted head) and yaw (eyes off-centre in the box: head turned).
    max_roll_degrees: float = 15.0
    max_eye_offset: float = 0.12  # of the face width
    # Left half vs mirrored right half (contrast-normalised, x100). Real frontal faces measure
    # 56-136 here (hair, side light), so this only catches a grossly lopsided face.
    max_asymmetry: float = 150.0


@dataclass(frozen=True)
class QualityVerdict:
    ok: bool
    issues: tuple[QualityIssue, ...]
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def message_zh(self) -> str:
        return self.issues[0].message_zh if self.issues else "请保持不动，正在识别"

    @property
    def message_en(self) -> str:
        return self.issues[0].message_en if self.issues else "Good: please keep still"


def face_metrics(gray: np.ndarray, face: FaceBox) -> dict[str, float]:
    """Size, brightness, sharpness and symmetry of one face, on a fixed-size crop so that the
    numbers do not depend on how far away the face is."""
    crop = face.crop(gray)
    norm = cv2.resize(crop, (128, 128), interpolation=cv2.INTER_AREA)
    # The inner face only: background and hair at the box edges would dominate every measure.
    inner = norm[16:112, 20:108]
    # Sharpness and symmetry on a contrast-normalised copy: a dim face is not a blurred one.
    z = inner.astype(np.float32)
    z = (z - z.mean()) / max(float(z.std()), 1.0)
    left, right = z[:, :44], np.fliplr(z[:, 44:])
    return {
        "face_px": float(min(face.w, face.h)),
        "face_fraction": float(min(face.w, face.h) / min(gray.shape[:2])),
        "brightness": float(inner.mean()),
        "sharpness": float(cv2.Laplacian(z, cv2.CV_32F).var() * 100.0),
        "asymmetry": float(np.abs(left - right).mean() * 100.0),
        "roll": float(face.eye_angle) if face.eye_angle is not None else float("nan"),
        "eye_offset": _eye_offset(face),
        "eyes_found": 1.0 if face.eyes is not None else 0.0,
    }


def assess_quality(image: object, face: FaceBox,
                   limits: QualityThresholds = QualityThresholds()) -> QualityVerdict:
    gray = to_gray(validate_frame(image))
    face.check_inside(gray)
    m = face_metrics(gray, face)
    issues: list[QualityIssue] = []
    if m["face_px"] < limits.min_face_px:
        issues.append(TOO_SMALL)
    elif m["face_fraction"] > limits.max_face_fraction:
        issues.append(TOO_LARGE)
    if m["brightness"] < limits.min_brightness:
        issues.append(TOO_DARK)
    elif m["brightness"] > limits.max_brightness:
        issues.append(TOO_BRIGHT)
    frontal = m["asymmetry"] <= limits.max_asymmetry
    if face.eyes is not None:
        frontal = (frontal and abs(m["roll"]) <= limits.max_roll_degrees
                   and abs(m["eye_offset"]) <= limits.max_eye_offset)
    if not frontal:
        issues.append(NOT_FRONTAL)
    if m["sharpness"] < limits.min_sharpness:
        issues.append(BLURRED)
    return QualityVerdict(not issues, tuple(issues), m)


def _eye_offset(face: FaceBox) -> float:
    """Horizontal distance of the eyes' midpoint from the box centre, in face widths."""
    if face.eyes is None:
        return float("nan")
    (lx, _), (rx, _) = face.eyes
    return float(((lx + rx) / 2 - (face.x + face.w / 2)) / face.w)
