"""Errors of the camera family. Each carries a Chinese message a citizen can read on the kiosk
and an English one a technician can act on, like `hardware.health.Health` does."""

from __future__ import annotations


class CameraInputError(ValueError):
    """Bad input (a frame, an image file, a QR payload, a setting): rejected, nothing changed."""

    def __init__(self, message_en: str, message_zh: str = "图像无法处理"):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh


class FrameError(CameraInputError):
    """A frame or image that cannot be used (empty, wrong type or shape, absurd size, corrupt)."""


class QRPayloadError(CameraInputError):
    """A QR code was read but its content is not acceptable (not UTF-8, too large)."""

    def __init__(self, message_en: str, message_zh: str = "二维码内容无法识别，请出示正确的二维码"):
        super().__init__(message_en, message_zh)


class NoFaceError(CameraInputError):
    """An embedding was asked for an image in which no face can be found."""

    def __init__(self, message_en: str = "no face found in the image",
                 message_zh: str = "未检测到人脸，请正对摄像头"):
        super().__init__(message_en, message_zh)


class ModelFilesError(CameraInputError):
    """Operator-supplied model files (YuNet, SFace) are missing or unreadable."""

    def __init__(self, message_en: str, message_zh: str = "人脸识别模型文件缺失，请联系工作人员"):
        super().__init__(message_en, message_zh)


class SourceError(RuntimeError):
    """A camera source cannot be opened or has stopped delivering frames."""
