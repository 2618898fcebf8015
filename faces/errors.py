"""Errors of the face algorithms. Each carries a Chinese message a citizen can read on the kiosk
and an English one a technician (or the server's log) can act on."""

from __future__ import annotations


class ImageInputError(ValueError):
    """Bad input (an image, a face box, an embedding, a setting): rejected, nothing changed."""

    def __init__(self, message_en: str, message_zh: str = "图像无法处理"):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh


class FrameError(ImageInputError):
    """A frame or image that cannot be used (empty, wrong type or shape, absurd size, corrupt)."""


class NoFaceError(ImageInputError):
    """An embedding was asked for an image in which no face can be found."""

    def __init__(self, message_en: str = "no face found in the image",
                 message_zh: str = "未检测到人脸，请正对摄像头"):
        super().__init__(message_en, message_zh)


class ModelFilesError(ImageInputError):
    """Operator-supplied model files (YuNet, SFace) are missing or unreadable."""

    def __init__(self, message_en: str, message_zh: str = "人脸识别模型文件缺失，请联系工作人员"):
        super().__init__(message_en, message_zh)
