"""Every word the display apps show, in one place: Chinese first, English beside it."""

from __future__ import annotations

import datetime as dt

NOW_CALLING = "正在呼叫"
NOW_CALLING_EN = "Now calling"
RECALL = "再次呼叫"
RECALL_EN = "Calling again"
GO_TO = "请到 {window_name} 办理"
RECENT = "最近呼叫"
RECENT_EN = "Recent calls"
WINDOWS = "窗口服务状态"
WINDOWS_EN = "Windows"
WAITING = "等候人数"
WAITING_EN = "Waiting"
WAITING_COUNT = "{count}人"
PAGE = "第 {page}/{pages} 页"
NO_CALL_YET = "暂无呼叫"

# Window states as shown in a cell of the hall screen and on the window screen.
STATE_CALLED = "呼叫中"
STATE_SERVING = "办理中"
STATE_IDLE = "空闲"
STATE_PAUSED = "暂停服务"
STATE_CLOSED = "暂停办理"  # nobody is signed in at the window

WINDOW_CALLED = "请 {number} 号到本窗口办理"
WINDOW_SERVING = "正在办理 {number} 号"
WINDOW_IDLE = "欢迎光临"
WINDOW_PAUSED_HINT = "请稍候"
WINDOW_CURRENT = " · 当前 {number} 号"
WINDOW_CLOSED_HINT = "本窗口暂停办理"
STAFF = "工作人员  {name}"
STAFF_ID = "工号  {id}"
NO_STAFF = "—"

CONNECTING = "正在连接服务器…"
CONNECTION_LOST = "连接中断 · 正在重连"
UNKNOWN_WINDOW = "未找到窗口 {window}"

_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def clock_line(now: dt.datetime) -> str:
    # Minutes, not seconds: redrawing a CJK label every second costs a software-rendered screen
    # a visible share of its time, and nobody in a waiting room needs the seconds.
    return f"{now.year}年{now.month}月{now.day}日 {_WEEKDAYS[now.weekday()]}  {now:%H:%M}"
