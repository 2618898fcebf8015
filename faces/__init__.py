"""The face algorithms, for the kiosk's camera and the server's local face verifier alike:
Haar face detection with the eyes, a quality verdict that tells the citizen what to change, a
motion-based liveness check, LBP embeddings (or SFace with operator-supplied models), 1:1 and 1:N
matching, and the picture checks all of them rely on. OpenCV and numpy only; no device, server or
screen code. docs/hardware-camera.md has the details and figures.

    detector = FaceDetector()
    face = detector.detect(image)[0]                  # FaceBox, largest first
    assess_quality(image, face).message_zh            # what the citizen should change, or OK
    vector = LbpEmbedder(detector=detector).embed(image, face)
    verify(reference, vector, threshold=0.73).accepted
"""

from .detector import FaceBox, FaceDetector
from .embedding import FaceEmbedder, LbpEmbedder
from .errors import FrameError, ImageInputError, ModelFilesError, NoFaceError
from .images import decode_image_bytes, load_image, validate_frame
from .liveness import LivenessVerdict, MotionLivenessCheck
from .matcher import FaceGallery, Match, verify
from .quality import QualityIssue, QualityThresholds, QualityVerdict, assess_quality
from .sface import SFaceEmbedder

__all__ = [
    "FaceBox", "FaceDetector", "FaceEmbedder", "FaceGallery", "FrameError", "ImageInputError",
    "LbpEmbedder", "LivenessVerdict", "Match", "ModelFilesError", "MotionLivenessCheck",
    "NoFaceError", "QualityIssue", "QualityThresholds", "QualityVerdict", "SFaceEmbedder",
    "assess_quality", "decode_image_bytes", "load_image", "validate_frame", "verify",
]
