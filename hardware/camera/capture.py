"""Face pickup (人脸取号) at the kiosk, frame by frame: find the face, tell the citizen what to
change, wait for natural motion, then give one embedding to match. The kiosk calls `feed` with
each new frame from the grabber and shows `message_zh` until `done`."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from faces.detector import FaceBox, FaceDetector
from faces.embedding import FaceEmbedder, LbpEmbedder
from faces.images import validate_frame
from faces.liveness import LivenessVerdict, MotionLivenessCheck
from faces.quality import QualityThresholds, QualityVerdict, assess_quality

from .frames import Frame


class CaptureState(enum.StrEnum):
    NO_FACE = "no_face"  # nobody (or nobody facing the camera)
    ADJUST = "adjust"  # a face, but the citizen must change something (closer, light, ...)
    CHECKING = "checking"  # a good face; collecting frames for the liveness check
    NOT_LIVE = "not_live"  # enough frames and no natural motion: ask for a blink
    DONE = "done"  # `embedding` is ready


@dataclass(frozen=True)
class CaptureStep:
    state: CaptureState
    message_zh: str
    message_en: str
    face: FaceBox | None = None
    quality: QualityVerdict | None = None
    liveness: LivenessVerdict | None = None
    embedding: np.ndarray | None = None
    # DONE only: the sharpest good frame, for a server that verifies the face itself. Held in
    # memory for the one request; never written anywhere.
    image: np.ndarray | None = None

    @property
    def done(self) -> bool:
        return self.state is CaptureState.DONE


class FaceCapture:
    """One citizen's capture. Not thread-safe; `reset()` for the next citizen."""

    def __init__(self, embedder: FaceEmbedder | None = None,
                 detector: FaceDetector | None = None,
                 liveness: MotionLivenessCheck | None = None,
                 limits: QualityThresholds | None = None,
                 require_liveness: bool = True):
        self.detector = detector or FaceDetector()
        self.embedder = embedder or LbpEmbedder(detector=self.detector)
        self.liveness = liveness or MotionLivenessCheck()
        self.limits = limits or QualityThresholds()
        self.require_liveness = require_liveness
        self._best: tuple[float, np.ndarray, FaceBox] | None = None  # sharpest good frame

    def reset(self) -> None:
        self.liveness.reset()
        self._best = None

    def feed(self, frame: Frame | np.ndarray) -> CaptureStep:
        image = validate_frame(frame.image if isinstance(frame, Frame) else frame)
        faces = self.detector.detect(image)
        if not faces:
            self.reset()
            return CaptureStep(CaptureState.NO_FACE, "请正对摄像头", "Please face the camera")
        face = faces[0]
        quality = assess_quality(image, face, self.limits)
        # Motion is judged on every frame with a face: a blink itself may fail the quality
        # check (eyes not found), and it is exactly the frame the liveness check needs.
        self.liveness.add(image, face)
        if not quality.ok:
            return CaptureStep(CaptureState.ADJUST, quality.message_zh, quality.message_en,
                               face, quality)
        sharpness = quality.metrics["sharpness"]
        if self._best is None or sharpness > self._best[0]:
            self._best = (sharpness, image, face)
        live = self.liveness.verdict()
        if self.require_liveness and not live.live:
            state = CaptureState.CHECKING if live.live is None else CaptureState.NOT_LIVE
            return CaptureStep(state, live.message_zh if live.live is False else "请保持不动",
                               live.message_en if live.live is False else "Please keep still", face, quality, live)
        _, best_image, best_face = self._best
        embedding = self.embedder.embed(best_image, best_face)
        return CaptureStep(CaptureState.DONE, "识别中，请稍候", "Checking, please wait", face, quality,
                           live, embedding, best_image)
