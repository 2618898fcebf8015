"""The kiosk camera: frames from a camera URI on a background thread, QR codes (鲁通码), faces
with a quality check that tells the citizen what to change, face embeddings with 1:1 and 1:N
matching, and a simple motion-based liveness check. docs/hardware-camera.md has the details."""

from .capture import CaptureState, CaptureStep, FaceCapture
from .embedding import FaceEmbedder, LbpEmbedder
from .errors import (CameraInputError, FrameError, ModelFilesError, NoFaceError,
                     QRPayloadError, SourceError)
from .faces import FaceBox, FaceDetector
from .frames import Frame, decode_image_bytes, load_image, validate_frame
from .grabber import FrameGrabber
from .liveness import LivenessVerdict, MotionLivenessCheck
from .matcher import FaceGallery, Match, verify
from .qr import QRDecoder, decode_qr
from .quality import QualityIssue, QualityThresholds, QualityVerdict, assess_quality
from .sface import SFaceEmbedder
from .sources import FrameSource, open_source

__all__ = [
    "CameraInputError", "CaptureState", "CaptureStep", "FaceBox", "FaceCapture", "FaceDetector",
    "FaceEmbedder", "FaceGallery", "Frame",
    "FrameError", "FrameGrabber", "FrameSource", "LbpEmbedder", "LivenessVerdict", "Match",
    "ModelFilesError", "MotionLivenessCheck", "NoFaceError", "QRDecoder", "QRPayloadError",
    "QualityIssue", "QualityThresholds", "QualityVerdict", "SFaceEmbedder", "SourceError",
    "assess_quality", "decode_image_bytes", "decode_qr", "load_image", "open_source",
    "validate_frame", "verify",
]
