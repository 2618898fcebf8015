"""Named errors of the identity card reader, so the kiosk and the technician can tell a broken
cable from a dirty card. Each carries the Health it leaves behind (see errors.CardError)."""

from __future__ import annotations

from hardware.cards.errors import CardError


class IdCardError(CardError):
    zh = "身份证读取失败，请重新放置身份证"


class IdCardPortError(IdCardError):
    """The serial port cannot be opened or vanished (reader unplugged)."""

    zh = "身份证阅读器未连接，请联系工作人员"

    def __init__(self, message_en: str):
        super().__init__(message_en, fatal=True)


class IdCardTimeoutError(IdCardError):
    """The reader sent nothing (or only noise) in time: powered off or a wrong baud rate."""

    zh = "身份证阅读器无响应，请联系工作人员"

    def __init__(self, message_en: str):
        super().__init__(message_en, fatal=True)


class IdCardFrameError(IdCardError):
    """Bytes that cannot be a frame: implausible length, or no header within the noise."""


class IdCardIncompleteFrameError(IdCardFrameError):
    """A frame started but stopped halfway (cable pulled, line noise)."""


class IdCardChecksumError(IdCardFrameError):
    """A whole frame whose XOR checksum does not match: the line corrupted it."""


class IdCardStatusError(IdCardError):
    """The SAM module answered with a failure status."""

    def __init__(self, command: str, status: int, meaning: str):
        super().__init__(f"{command}: SAM status {status:02X} ({meaning})")
        self.status = status
        self.meaning = meaning


class IdCardDataError(IdCardError):
    """The card's text does not hold together (e.g. a wrong GB 11643 check digit)."""

    zh = "身份证信息无法识别，请重新放置或到人工窗口办理"
