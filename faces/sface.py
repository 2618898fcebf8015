"""The strong option: YuNet (detection, 5 landmarks) + SFace (128-d embedding), through OpenCV's
cv2.FaceDetectorYN and cv2.FaceRecognizerSF. No package ships the ONNX model files, and nothing
here downloads them: the operator puts them on the kiosk and names their paths."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .detector import FaceBox
from .errors import ModelFilesError, NoFaceError
from .images import validate_frame

# OpenCV's published cosine threshold for SFace (LFW, 99.6% accuracy).
SFACE_COSINE_THRESHOLD = 0.363


def _model_path(path: str | Path, what: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise ModelFilesError(f"{what} model file not found: {p} (the operator must install it; "
                              "nothing is downloaded at run time)")
    if p.stat().st_size == 0:
        raise ModelFilesError(f"{what} model file is empty: {p}")
    if p.suffix.lower() != ".onnx":
        raise ModelFilesError(f"{what} model file must be an .onnx file: {p}")
    return p


class SFaceEmbedder:
    """FaceEmbedder over YuNet + SFace. Raises ModelFilesError at construction when the files are
    missing or unreadable, so a misconfigured kiosk says so at start-up, not at the first face."""

    name = "sface"
    dim = 128

    def __init__(self, yunet_path: str | Path, sface_path: str | Path,
                 threshold: float = SFACE_COSINE_THRESHOLD, score_threshold: float = 0.8):
        yunet = _model_path(yunet_path, "YuNet face detector")
        sface = _model_path(sface_path, "SFace face recognizer")
        self.threshold = threshold
        try:
            self._detector = cv2.FaceDetectorYN.create(str(yunet), "", (320, 320),
                                                       score_threshold)
        except cv2.error as exc:
            raise ModelFilesError(f"YuNet model unreadable: {yunet} ({exc.err})") from None
        try:
            self._recognizer = cv2.FaceRecognizerSF.create(str(sface), "")
        except cv2.error as exc:
            raise ModelFilesError(f"SFace model unreadable: {sface} ({exc.err})") from None

    def detect(self, image: np.ndarray) -> np.ndarray:
        """YuNet's rows: box (4), 5 landmarks (10), score; largest face first."""
        frame = validate_frame(image)
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        self._detector.setInputSize((frame.shape[1], frame.shape[0]))
        _, faces = self._detector.detect(frame)
        if faces is None or len(faces) == 0:
            return np.zeros((0, 15), np.float32)
        return faces[np.argsort(-(faces[:, 2] * faces[:, 3]))]

    def embed(self, image: np.ndarray, face: FaceBox | None = None) -> np.ndarray:
        # SFace needs YuNet's landmarks to align, so a Haar FaceBox only selects which face.
        frame = validate_frame(image)
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        faces = self.detect(frame)
        if len(faces) == 0:
            raise NoFaceError()
        row = faces[0]
        if face is not None:
            centres = faces[:, :2] + faces[:, 2:4] / 2
            target = np.array([face.x + face.w / 2, face.y + face.h / 2], np.float32)
            row = faces[int(np.argmin(np.linalg.norm(centres - target, axis=1)))]
        aligned = self._recognizer.alignCrop(frame, row)
        vec = self._recognizer.feature(aligned).reshape(-1).astype(np.float32)
        return vec / max(float(np.linalg.norm(vec)), 1e-12)
