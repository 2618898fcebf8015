"""Device health as data (the Home Assistant way): every device can say how it is, in words a
citizen understands (Chinese) and words a technician can act on (English)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from hall_common.vocabulary import HealthLevel

# One vocabulary with the server's health reports: WARNING still works but needs attention soon
# (paper near its end), ERROR does not work now (paper out, unplugged).
__all__ = ["Health", "HealthLevel"]


@dataclass(frozen=True)
class Health:
    level: HealthLevel
    message_zh: str = ""
    message_en: str = ""
    checked_at: float = field(default_factory=time.time)

    @property
    def usable(self) -> bool:
        return self.level is not HealthLevel.ERROR

    @classmethod
    def ok(cls, message_zh: str = "正常", message_en: str = "ok") -> Health:
        return cls(HealthLevel.OK, message_zh, message_en)

    @classmethod
    def warning(cls, message_zh: str, message_en: str) -> Health:
        return cls(HealthLevel.WARNING, message_zh, message_en)

    @classmethod
    def error(cls, message_zh: str, message_en: str) -> Health:
        return cls(HealthLevel.ERROR, message_zh, message_en)

    def as_dict(self) -> dict[str, str | float]:
        """The shape the queue server's device-health endpoint takes for one device."""
        return {
            "level": self.level.value,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "checked_at": self.checked_at,
        }


class DeviceError(Exception):
    """A device failed in a way the caller must handle; carries the health it leaves behind."""

    def __init__(self, health: Health):
        super().__init__(health.message_en)
        self.health = health
