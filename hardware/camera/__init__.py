"""The kiosk camera, the device side: frames from a camera URI on a background thread, QR codes
(鲁通码), and face pickup frame by frame (`FaceCapture`). The face algorithms it uses (detection,
quality, liveness, embeddings, matching) live in the top-level `faces` package.
docs/hardware-camera.md has the details."""

from .capture import CaptureState, CaptureStep, FaceCapture
from .errors import QRPayloadError, SourceError
from .frames import Frame
from .grabber import FrameGrabber
from .qr import QRDecoder, decode_qr
from .sources import FrameSource, open_source

__all__ = [
    "CaptureState", "CaptureStep", "FaceCapture", "Frame", "FrameGrabber", "FrameSource",
    "QRDecoder", "QRPayloadError", "SourceError", "decode_qr", "open_source",
]
