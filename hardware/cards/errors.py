"""Errors of the social security card reader. Each carries the Health it leaves behind, so the
kiosk can show the Chinese message and report the English one without knowing the cause."""

from __future__ import annotations

from hardware.health import DeviceError, Health


class CardError(DeviceError):
    """Base class: something about the reader or the card stopped a read."""

    zh = "读卡失败，请重试或联系工作人员"

    def __init__(self, message_en: str, message_zh: str | None = None, *, fatal: bool = False):
        # A reader that is gone is an ERROR for the device; a bad card is only a WARNING: the
        # reader still works for the next citizen.
        make = Health.error if fatal else Health.warning
        super().__init__(make(message_zh or self.zh, message_en))


class ReaderServiceError(CardError):
    zh = "读卡器服务未启动，请联系工作人员"

    def __init__(self, message_en: str):
        super().__init__(message_en, fatal=True)


class NoReaderError(CardError):
    zh = "未连接读卡器，请联系工作人员"

    def __init__(self, message_en: str):
        super().__init__(message_en, fatal=True)


class NoCardError(CardError):
    zh = "请插入社会保障卡"


class CardRemovedError(CardError):
    zh = "读卡过程中卡片被拔出，请重新插卡并保持不动"


class NotSocialSecurityCardError(CardError):
    zh = "无法识别此卡，请插入社会保障卡"


class CardReadError(CardError):
    zh = "读卡失败，请重新插卡"
