"""Every word the printer part shows to people, in one place: ticket labels (zh/en) and health
messages (Chinese for citizens, English for technicians)."""

from __future__ import annotations

TICKET_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "green": "绿色通道  优先办理",
        "queue": "业务类别",
        "item": "办理事项",
        "ahead": "前面等候",
        "ahead_value": "{n} 人",
        "wait": "预计等待",
        "issued": "取号时间",
        "holder": "取号人",
        "channel": "取号方式",
        "scan": "扫码查看排队进度，办结后评价",
        "sep": "：",
    },
    "en": {
        "green": "GREEN CHANNEL  PRIORITY",
        "queue": "Service",
        "item": "Matter",
        "ahead": "Waiting ahead",
        "ahead_value": "{n}",
        "wait": "Estimated wait",
        "issued": "Issued",
        "holder": "Holder",
        "channel": "Taken by",
        "scan": "Scan to follow your ticket and rate us",
        "sep": ": ",
    },
}

CHANNEL_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "walkin": "现场取号",
        "nocard": "无卡取号",
        "lutong": "鲁通码取号",
        "face": "人脸取号",
        "card": "社保卡取号",
        "reservation": "预约签到",
    },
    "en": {
        "walkin": "Walk-in",
        "nocard": "No card",
        "lutong": "Lutong code",
        "face": "Face",
        "card": "Social security card",
        "reservation": "Reservation check-in",
    },
}


def wait_text(seconds: int, language: str) -> str:
    """Round up to whole minutes: a citizen told "about 0 minutes" and then waiting is worse."""
    minutes = max(1, -(-seconds // 60))
    hours, rest = divmod(minutes, 60)
    if language == "zh":
        if seconds < 60:
            return "不到 1 分钟"
        if hours:
            return f"约 {hours} 小时" + (f" {rest} 分钟" if rest else "")
        return f"约 {minutes} 分钟"
    if seconds < 60:
        return "under 1 min"
    if hours:
        return f"about {hours} h" + (f" {rest} min" if rest else "")
    return f"about {minutes} min"


# Health messages: (citizen, technician). The technician text gets the link appended.
HEALTH_MESSAGES: dict[str, tuple[str, str]] = {
    "ok": ("正常", "ok"),
    "ok_one_way": ("正常", "ok (one-way link: paper and cover status cannot be read)"),
    "paper_out": ("打印机缺纸，请联系工作人员", "paper out: load a new roll"),
    "cover_open": ("打印机盖未合好，请联系工作人员", "cover open: close the printer cover"),
    "paper_near_end": ("打印纸即将用完", "paper near end: replace the roll soon"),
    "error": (
        "打印机故障，请联系工作人员",
        "printer reports an error (cutter jam, head too hot or unrecoverable): check the printer",
    ),
    "offline": ("打印机暂不可用，请联系工作人员", "printer is offline (feeding, or waiting after an error)"),
    "disconnected": ("打印机未连接，请联系工作人员", "cannot reach the printer: check cable, power and address"),
    "no_answer": ("打印机无响应，请联系工作人员", "printer does not answer status requests (DLE EOT)"),
    "bad_answer": ("打印机无响应，请联系工作人员", "printer answered status requests with unexpected bytes"),
    "write_failed": (
        "号票打印失败，请联系工作人员",
        "connection lost while sending the ticket; it may be incomplete",
    ),
    "after_print": (
        "号票可能未打印完整，请联系工作人员",
        "printer reported a problem right after the ticket was sent; it may be incomplete",
    ),
    "closed": ("打印机已关闭", "printer was closed by the program"),
}
