"""The window screen (窗口屏): a small landscape screen above one window showing its name, the
number called or served there, a paused or closed state, and who serves (name and 工号)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hall_common.vocabulary import TicketStatus, WindowStatus

from . import texts
from .board import HallBoard, WindowBoard
from .widgets import Palette, Panel, Text, set_unit_everywhere


class WindowView(Panel):
    def __init__(self, window_id: str, highlight_seconds: float, **kwargs):
        super().__init__(orientation="horizontal", bg=Palette.background, padding=(14, 14), spacing=14, **kwargs)
        self.window_id = window_id
        self.highlight_seconds = highlight_seconds
        self.highlighted = False

        left = Panel(orientation="vertical", bg=Palette.panel, radius=12, size_hint_x=0.36, padding=(14, 10))
        self.name = Text(rel=14.0, bold=True, halign="center", size_hint_y=0.34, fit=1, shorten=True)
        self.state = Text(rel=9.0, halign="center", size_hint_y=0.2, bold=True)
        self.staff_name = Text(rel=9.0, halign="center", size_hint_y=0.24, fit=1, shorten=True)
        self.staff_id = Text(rel=7.5, halign="center", size_hint_y=0.22, color=Palette.dim, fit=1)
        for widget in (self.name, self.state, self.staff_name, self.staff_id):
            left.add_widget(widget)

        self.main = Panel(orientation="vertical", bg=Palette.panel, radius=12, padding=(14, 6))
        self.headline = Text(rel=8.0, halign="center", size_hint_y=0.2)
        self.number = Text(rel=44.0, halign="center", bold=True, color=Palette.number, size_hint_y=0.6, fit=1)
        self.footline = Text(rel=8.0, halign="center", size_hint_y=0.2, color=Palette.dim)
        for widget in (self.headline, self.number, self.footline):
            self.main.add_widget(widget)
        self.add_widget(left)
        self.add_widget(self.main)

    def set_unit(self, unit: float) -> None:
        set_unit_everywhere(self, unit)

    def animate(self, dt_s: float) -> bool:
        return False  # nothing moves on a window screen

    def next_page(self) -> None:
        pass

    def render(self, board: HallBoard, now: float, wall: dt.datetime, connected: bool, stale: bool) -> None:
        window = board.windows.get(self.window_id)
        if window is None:
            self.name.text = self.window_id
            self._show_main("", texts.CONNECTING if not board.synced else texts.UNKNOWN_WINDOW.format(window=self.window_id), "", Palette.dim)
            self._show_staff(None)
            self.state.text = ""
            self.highlighted = False
            self._render_connection(board, stale)
            return
        self.name.text = window.name
        self._show_staff(window)
        current = window.current
        fresh = board.highlighted(now, self.highlight_seconds)
        self.highlighted = bool(
            fresh and window.status is WindowStatus.OPEN and fresh.window == window.id and current and current.number == fresh.number
            and not stale  # the connection-lost mark must stay readable
        )
        if window.status is WindowStatus.CLOSED:
            self._set_state(texts.STATE_CLOSED, Palette.closed)
            self._show_main("", texts.STATE_CLOSED, texts.WINDOW_CLOSED_HINT, Palette.closed, big_text=True)
        elif window.status is WindowStatus.PAUSED:
            self._set_state(texts.STATE_PAUSED, Palette.paused)
            hint = texts.WINDOW_PAUSED_HINT + (texts.WINDOW_CURRENT.format(number=current.number) if current else "")
            self._show_main("", texts.STATE_PAUSED, hint, Palette.paused, big_text=True)
        elif current is None:
            self._set_state(texts.STATE_IDLE, Palette.dim)
            self._show_main("", texts.WINDOW_IDLE, "", Palette.text, big_text=True)
        elif current.status is TicketStatus.SERVING:
            self._set_state(texts.STATE_SERVING, Palette.serving)
            self._show_main(texts.STATE_SERVING, current.number, "", Palette.number)
        else:
            self._set_state(texts.STATE_CALLED, Palette.called)
            top, _, bottom = texts.WINDOW_CALLED.partition(" {number} ")
            self._show_main(top, current.number, bottom, Palette.number)
        self.main.bg = Palette.highlight if self.highlighted else Palette.panel
        self.footline.color = Palette.highlight_text if self.highlighted else Palette.dim
        if self.highlighted:
            self.number.color = Palette.highlight_text
        self._render_connection(board, stale)

    def _render_connection(self, board: HallBoard, stale: bool) -> None:
        if stale and board.synced:
            self.headline.text = texts.CONNECTION_LOST
            self.headline.color = Palette.alarm
            self.number.opacity = 0.35
        else:
            self.number.opacity = 1.0
            self.headline.color = Palette.text

    def _set_state(self, text: str, color: tuple[float, ...]) -> None:
        self.state.text = text
        self.state.color = color

    def _show_main(self, top: str, number: str, bottom: str, color: tuple[float, ...], big_text: bool = False) -> None:
        self.headline.text = top
        self.number.text = number
        self.number.rel = 22.0 if big_text else 44.0  # words are wider than a ticket number
        self.number.color = color
        self.footline.text = bottom

    def _show_staff(self, window: WindowBoard | None) -> None:
        staff = window.staff if window is not None and window.status is not WindowStatus.CLOSED else None
        if staff is None:
            self.staff_name.text = texts.NO_STAFF
            self.staff_id.text = ""
        else:
            self.staff_name.text = texts.STAFF.format(name=staff.name)
            self.staff_id.text = texts.STAFF_ID.format(id=staff.id)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "window",
            "name": self.name.text,
            "state": self.state.text,
            "staff_name": self.staff_name.text,
            "staff_id": self.staff_id.text,
            "headline": self.headline.text,
            "number": self.number.text,
            "footline": self.footline.text,
            "highlighted": self.highlighted,
            "dimmed": self.number.opacity < 1,
            "status": self.headline.text if self.headline.text == texts.CONNECTION_LOST else "",
        }
