"""Errors of the camera device. Bad pictures and faces are the algorithms' errors
(`faces.errors`: ImageInputError, FrameError, ...); these are the camera's own."""

from __future__ import annotations

from faces.errors import ImageInputError


class QRPayloadError(ImageInputError):
    """A QR code was read but its content is not acceptable (not UTF-8, too large)."""

    def __init__(self, message_en: str, message_zh: str = "二维码内容无法识别，请出示正确的二维码"):
        super().__init__(message_en, message_zh)


class SourceError(RuntimeError):
    """A camera source cannot be opened or has stopped delivering frames."""
