"""QR codes (鲁通码, reservation codes) from a camera frame or an image, with the best reader the
installed OpenCV has.

Order, from the field notes (40 hard, distorted QR images): WeChat's reader 35/40, the ArUco-based
detector 22/40, the classic detector 12/40. WeChat's reader works without its CNN model files:
it then uses its classic locator, which still beats the others. Each reader is tried in turn until
one finds a code, so a frame costs little more than the first reader when all goes well."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from faces.images import validate_frame

from .errors import QRPayloadError

log = logging.getLogger(__name__)

# A 鲁通码 or a reservation code is a few hundred bytes; 4 KB is generous and bounds what any
# later layer (logs, the server API) has to carry.
MAX_PAYLOAD_BYTES = 4096

# A reader returns the payload as bytes, or None when it finds no code. WeChat's binding returns
# str and raises UnicodeDecodeError itself on bytes that are not UTF-8.
Reader = Callable[[np.ndarray], "bytes | str | None"]


def _wechat_reader() -> Reader:
    # No model paths: its non-CNN locator. (OpenCV's type stubs do not list contrib modules.)
    reader = cv2.wechat_qrcode_WeChatQRCode()  # type: ignore[attr-defined]

    def read(image: np.ndarray) -> str | None:
        texts, _points = reader.detectAndDecode(image)
        return next((t for t in texts if t), None)

    return read


def _bytes_reader(detector: Any) -> Reader:
    def read(image: np.ndarray) -> bytes | None:
        data, _points, _straight = detector.detectAndDecodeBytes(image)
        return undo_latin1(bytes(data)) if data else None

    return read


def undo_latin1(data: bytes) -> bytes:
    """OpenCV's own decoders hand back a byte payload that is not valid UTF-8 re-encoded as if it
    were Latin-1 (b"\xff" comes back as "ÿ"), which would hide the problem. A text made only of
    Latin-1 characters with some beyond ASCII is taken as such a payload and turned back into the
    original bytes, which then fail the UTF-8 check. Cost: a genuine Latin-1-only text such as
    "café" is refused too; hall codes are ASCII or Chinese."""
    try:
        text = data.decode("utf-8")
        raw = text.encode("latin-1")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return data  # not UTF-8 at all, or has characters beyond Latin-1 (Chinese): as it is
    if raw.isascii():
        return data
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw  # exactly what OpenCV does to invalid UTF-8
    return data


def available_readers() -> list[tuple[str, Reader]]:
    """The readers this OpenCV build offers, best first."""
    readers: list[tuple[str, Reader]] = []
    factories: list[tuple[str, Callable[[], Reader]]] = [
        ("wechat", _wechat_reader),
        ("aruco", lambda: _bytes_reader(cv2.QRCodeDetectorAruco())),
        ("classic", lambda: _bytes_reader(cv2.QRCodeDetector())),
    ]
    for name, factory in factories:
        try:
            readers.append((name, factory()))
        except (AttributeError, cv2.error) as exc:  # plain (non-contrib) or older builds
            log.info("QR reader %s not available: %s", name, exc)
    return readers


def check_payload(payload: bytes | str, max_bytes: int = MAX_PAYLOAD_BYTES) -> str:
    """The payload as text, or QRPayloadError saying why it is refused."""
    if isinstance(payload, str):
        raw = payload.encode("utf-8", "surrogatepass")
    else:
        raw = payload
    if len(raw) > max_bytes:
        raise QRPayloadError(f"QR payload too large: {len(raw)} bytes (maximum {max_bytes})",
                             "二维码内容过长，请出示正确的二维码")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QRPayloadError(f"QR payload is not UTF-8 text (bad byte at {exc.start})") from None
    if "\x00" in text:
        raise QRPayloadError("QR payload contains a NUL character")
    return text


class QRDecoder:
    """`decode(image) -> str | None`: the text of the first QR code found, None when there is
    none; QRPayloadError when one is found but its content is not acceptable."""

    def __init__(self, max_bytes: int = MAX_PAYLOAD_BYTES,
                 readers: list[tuple[str, Reader]] | None = None):
        self.max_bytes = max_bytes
        self.readers = readers if readers is not None else available_readers()
        if not self.readers:
            raise RuntimeError("this OpenCV build has no QR reader")

    @property
    def reader_names(self) -> list[str]:
        return [name for name, _ in self.readers]

    def decode(self, image: object) -> str | None:
        frame = validate_frame(image)
        refused: QRPayloadError | None = None
        for name, read in self.readers:
            try:
                payload = read(frame)
            except UnicodeDecodeError as exc:
                refused = QRPayloadError(f"QR payload is not UTF-8 text (bad byte at {exc.start})")
                continue
            except cv2.error as exc:  # a reader choking on one frame is not fatal: try the next
                log.debug("QR reader %s failed: %s", name, exc)
                continue
            if payload is None:
                continue
            try:
                return check_payload(payload, self.max_bytes)
            except QRPayloadError as exc:
                refused = exc
        if refused is not None:
            raise refused
        return None


_default: QRDecoder | None = None


def decode_qr(image: object) -> str | None:
    """Module-level convenience over one shared QRDecoder."""
    global _default
    if _default is None:
        _default = QRDecoder()
    return _default.decode(image)
