"""An alert in words, Chinese and English: for the console, the log, the webhook and the text
message. Names come from the hall's config; no citizen's data is ever part of an alert."""

from __future__ import annotations

from hall_common.vocabulary import AlertKind

from ..config import Hall
from ..core.alerts import Alert


def _duration(seconds: int, s: str, m: str, h: str, hm: str) -> str:
    if seconds < 60:
        return s.format(seconds)
    minutes = seconds // 60
    if minutes < 60:
        return m.format(minutes)
    return (hm if minutes % 60 else h).format(minutes // 60, minutes % 60)


def duration_zh(seconds: int) -> str:
    return _duration(seconds, "{} 秒", "{} 分钟", "{} 小时", "{} 小时 {} 分")


def duration_en(seconds: int) -> str:
    return _duration(seconds, "{} s", "{} min", "{} h", "{} h {} min")


def subject_names(hall: Hall, alert: Alert) -> tuple[str, str]:
    """(Chinese, English) name of the queue or window the alert is about."""
    if alert.kind in (AlertKind.WINDOW_PAUSED, AlertKind.WINDOW_SERVING):
        window = hall.window(alert.subject)
        name = window.name if window else alert.subject
        return name, f"window {alert.subject}" if name == alert.subject else f"{name} ({alert.subject})"
    queue = hall.queue(alert.subject)
    if queue is None:
        return alert.subject, f"queue {alert.subject}"
    return f"{queue.name}（{queue.id}）", f"{queue.name_en or queue.name} ({queue.id})"


def texts(hall: Hall, alert: Alert) -> tuple[str, str]:
    """(text_zh, text_en), e.g. 企业开办（A）最长等候 35 分钟，超过预警值 30 分钟."""
    zh_name, en_name = subject_names(hall, alert)
    if alert.kind is AlertKind.QUEUE_WAITING:
        return (
            f"{zh_name}等候 {alert.value} 人，达到预警值 {alert.threshold} 人",
            f"{en_name}: {alert.value} waiting, limit {alert.threshold}",
        )
    zh_value, zh_limit = duration_zh(alert.value), duration_zh(alert.threshold)
    en_value, en_limit = duration_en(alert.value), duration_en(alert.threshold)
    what_zh, what_en = {
        AlertKind.QUEUE_LONGEST_WAIT: ("最长等候", "longest wait"),
        AlertKind.QUEUE_ESTIMATE: ("预计等候", "estimated wait"),
        AlertKind.WINDOW_PAUSED: ("已暂停", "paused for"),
        AlertKind.WINDOW_SERVING: ("当前号已办理", "current ticket for"),
    }[alert.kind]
    return (
        f"{zh_name}{what_zh} {zh_value}，达到预警值 {zh_limit}",
        f"{en_name}: {what_en} {en_value}, limit {en_limit}",
    )


def text_message(hall: Hall, alert: Alert) -> str:
    """The text message and webhook text: both languages, with the hall's name."""
    zh, en = texts(hall, alert)
    return f"【{hall.name}】排队预警：{zh}。{en}."
