"""The hall screen (综合屏): the newest call large and highlighted, recent calls, every window's
number and state (paged when the hall has many windows), waiting counts, date and time, the hall's
name and its scrolling notice. Every size is a fraction of the screen height."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from hall_common.vocabulary import TicketStatus, WindowStatus

from . import texts
from .board import HallBoard, QueueBoard, WindowBoard, page_count, page_of
from .widgets import FrameCache, Marquee, Palette, Panel, Text, set_unit_everywhere

# Grid shapes (columns, rows) for the windows area, smallest first; the last one pages.
GRID_SHAPES = ((2, 2), (2, 3), (3, 3), (3, 4), (4, 4), (4, 5))
QUEUES_PER_PAGE = 8
RECENT_SHOWN = 4
# The windows grid's height in screen-height percent (body 72 % minus heading and padding).
GRID_HEIGHT_PCT = 60.0
# The notice strip's height in screen-height percent; the cached picture is all the rest (92 %).
NOTICE_PCT = 8.0
CACHED = 1.0 - NOTICE_PCT / 100


def grid_shape(count: int) -> tuple[int, int]:
    for cols, rows in GRID_SHAPES:
        if cols * rows >= count:
            return cols, rows
    return GRID_SHAPES[-1]


def window_state(window: WindowBoard) -> tuple[str, str]:
    """(number shown, state label) of one window."""
    number = window.current.number if window.current else ""
    if window.status is WindowStatus.CLOSED:
        return "", texts.STATE_CLOSED
    if window.status is WindowStatus.PAUSED:
        return number, texts.STATE_PAUSED
    if window.current is None:
        return "", texts.STATE_IDLE
    return number, texts.STATE_SERVING if window.current.status is TicketStatus.SERVING else texts.STATE_CALLED


class WindowCell(Panel):
    def __init__(self, rows: int, **kwargs):
        super().__init__(orientation="vertical", radius=8, padding=(12, 6), **kwargs)
        row_pct = GRID_HEIGHT_PCT / rows
        self.name = Text(rel=min(3.4, row_pct * 0.22), size_hint_y=0.36, bold=True, shorten=True)
        lower = BoxLayout(orientation="horizontal", size_hint_y=0.64)
        self.number = Text(rel=min(9.0, row_pct * 0.48), bold=True, color=Palette.number, size_hint_x=0.58, fit=1)
        self.state = Text(rel=min(3.2, row_pct * 0.2), halign="right", size_hint_x=0.42)
        lower.add_widget(self.number)
        lower.add_widget(self.state)
        self.add_widget(self.name)
        self.add_widget(lower)

    def show(self, window: WindowBoard | None) -> None:
        if window is None:
            self.opacity = 0
            return
        self.opacity = 1
        number, state = window_state(window)
        self.name.text = window.name
        self.number.text = number
        self.state.text = state
        if window.status is WindowStatus.CLOSED:
            self.bg, self.state.color, self.name.color = Palette.closed_bg, Palette.closed, Palette.closed
        elif window.status is WindowStatus.PAUSED:
            self.bg, self.state.color, self.name.color = Palette.paused_bg, Palette.paused, Palette.text
        else:
            self.bg, self.name.color = Palette.panel_edge, Palette.text
            self.state.color = {
                texts.STATE_CALLED: Palette.called,
                texts.STATE_SERVING: Palette.serving,
            }.get(state, Palette.dim)

    def describe(self) -> dict[str, str]:
        return {"name": self.name.text, "number": self.number.text, "state": self.state.text}

    def font_px(self) -> dict[str, float]:
        return {"name": self.name.font_size, "number": self.number.font_size, "state": self.state.font_size}


class QueueCell(BoxLayout):
    def __init__(self, **kwargs):
        super().__init__(orientation="vertical", **kwargs)
        self.name = Text(rel=2.6, halign="center", size_hint_y=0.45, color=Palette.dim, shorten=True)
        self.count = Text(rel=4.2, halign="center", size_hint_y=0.55, bold=True, color=Palette.number)
        self.add_widget(self.name)
        self.add_widget(self.count)

    def show(self, queue: QueueBoard | None) -> None:
        self.opacity = 0 if queue is None else 1
        self.size_hint_x = 0 if queue is None else 1  # unused cells take no room
        if queue is not None:
            self.name.text = f"{queue.id} {queue.name}"
            self.count.text = texts.WAITING_COUNT.format(count=queue.waiting)


class HallView(BoxLayout):
    """Everything but the scrolling notice is drawn into one cached picture (`FrameCache`), so the
    notice's frames do not redraw the panels (see docs/display.md, performance notes)."""

    covers_window = True  # the cached picture and the notice strip paint every pixel

    def __init__(self, highlight_seconds: float, **kwargs):
        super().__init__(orientation="vertical", **kwargs)
        self.highlight_seconds = highlight_seconds
        self.page = 0
        self.queue_page = 0
        self.unit = 10.8
        self._shape: tuple[int, int] | None = None
        self._cells: list[WindowCell] = []

        # Header: the hall's name, the connection mark, date and time.
        header = Panel(orientation="horizontal", bg=Palette.header, size_hint_y=0.09 / CACHED, padding=(24, 0))
        self.hall_name = Text(rel=4.4, bold=True, size_hint_x=0.42, shorten=True)
        self.status = Text(rel=3.2, bold=True, halign="center", color=Palette.highlight_text, size_hint_x=0.22)
        self.status_panel = Panel(bg=(0, 0, 0, 0), radius=10, padding=(6, 0))
        self.status_panel.add_widget(self.status)
        # A margin above and below the red connection mark, so that it does not touch the edges.
        self.status_box = BoxLayout(size_hint_x=0.24)
        self.status_box.add_widget(self.status_panel)
        self.clock = Text(rel=3.2, halign="right", size_hint_x=0.34, color=Palette.dim)
        header.add_widget(self.hall_name)
        header.add_widget(self.status_box)
        header.add_widget(self.clock)

        # Body: the call and recent calls on the left, the windows on the right.
        self.body = BoxLayout(orientation="horizontal", size_hint_y=0.72 / CACHED, padding=(16, 14), spacing=16)
        left = BoxLayout(orientation="vertical", size_hint_x=0.37, spacing=14)
        self.call_panel = Panel(orientation="vertical", bg=Palette.panel, radius=14, size_hint_y=0.6, padding=(16, 8))
        self.call_heading = Text(rel=3.4, halign="center", size_hint_y=0.2, color=Palette.dim)
        self.call_number = Text(rel=19.0, halign="center", bold=True, color=Palette.number, size_hint_y=0.55, fit=1)
        self.call_where = Text(rel=4.6, halign="center", size_hint_y=0.25)
        for widget in (self.call_heading, self.call_number, self.call_where):
            self.call_panel.add_widget(widget)
        recent_panel = Panel(orientation="vertical", bg=Palette.panel, radius=14, size_hint_y=0.4, padding=(20, 8))
        recent_panel.add_widget(
            Text(rel=2.8, text=f"{texts.RECENT}  {texts.RECENT_EN}", size_hint_y=0.2, color=Palette.dim)
        )
        self.recent_grid = GridLayout(cols=1, rows=RECENT_SHOWN, size_hint_y=0.8)
        self.recent_rows: list[tuple[Text, Text]] = []
        for _ in range(RECENT_SHOWN):
            row = BoxLayout(orientation="horizontal")
            number = Text(rel=4.2, bold=True, color=Palette.number, size_hint_x=0.4, fit=1)
            where = Text(rel=3.4, size_hint_x=0.6, color=Palette.text, fit=1, shorten=True)
            row.add_widget(number)
            row.add_widget(where)
            self.recent_grid.add_widget(row)
            self.recent_rows.append((number, where))
        recent_panel.add_widget(self.recent_grid)
        left.add_widget(self.call_panel)
        left.add_widget(recent_panel)

        right = Panel(orientation="vertical", bg=Palette.panel, radius=14, padding=(16, 8), spacing=10)
        heading = BoxLayout(orientation="horizontal", size_hint_y=None, height=60)
        self.windows_heading = heading
        heading.add_widget(Text(rel=2.8, text=f"{texts.WINDOWS}  {texts.WINDOWS_EN}", color=Palette.dim))
        self.page_label = Text(rel=2.6, halign="right", color=Palette.dim, size_hint_x=0.4)
        heading.add_widget(self.page_label)
        self.grid = GridLayout(cols=4, spacing=10)
        right.add_widget(heading)
        right.add_widget(self.grid)
        self.body.add_widget(left)
        self.body.add_widget(right)

        # Waiting counts per queue.
        queues = Panel(orientation="horizontal", bg=Palette.header, size_hint_y=0.11 / CACHED, padding=(24, 6), spacing=8)
        waiting = BoxLayout(orientation="vertical", size_hint_x=None, width=200)
        waiting.add_widget(Text(rel=3.0, text=texts.WAITING, bold=True, color=Palette.dim))
        waiting.add_widget(Text(rel=2.2, text=texts.WAITING_EN, color=Palette.dim))
        self.waiting_heading = waiting
        queues.add_widget(waiting)
        self.queue_cells = [QueueCell() for _ in range(QUEUES_PER_PAGE)]
        for cell in self.queue_cells:
            queues.add_widget(cell)

        # The hall's notice, scrolling.
        # Whole pixels: the strip and the cached picture meet exactly (nothing else paints there).
        self.notice_strip = notice = Panel(bg=Palette.header, size_hint_y=None, padding=(24, 0))
        self.notice = Marquee(rel=3.2)
        notice.add_widget(self.notice)

        self.cached = FrameCache(orientation="vertical", bg=Palette.background)
        for widget in (header, self.body, queues):
            self.cached.add_widget(widget)
        self.add_widget(self.cached)
        self.add_widget(notice)
        self.set_unit(self.unit)

    # -- sizing and animation ------------------------------------------------------------------

    def set_unit(self, unit: float) -> None:
        self.unit = unit
        self.windows_heading.height = 5.0 * unit
        self.status_box.padding = (0, 1.2 * unit)
        self.notice_strip.height = round(NOTICE_PCT * unit)
        self.waiting_heading.width = 15.0 * unit
        set_unit_everywhere(self, unit)

    def animate(self, dt_s: float) -> bool:
        return self.notice.step(dt_s)

    def next_page(self) -> None:
        self.page += 1
        self.queue_page += 1

    # -- rendering -----------------------------------------------------------------------------

    def render(self, board: HallBoard, now: float, wall: dt.datetime, connected: bool, stale: bool) -> None:
        self.hall_name.text = board.hall_name
        self.clock.text = texts.clock_line(wall)
        self.notice.set_text(board.notice)
        self._render_status(board, stale)
        self._render_call(board, now)
        self._render_recent(board)
        self._render_windows(board.window_list())
        self._render_queues(board.queue_list())

    def _render_status(self, board: HallBoard, stale: bool) -> None:
        if stale or not board.synced:
            self.status.text = texts.CONNECTION_LOST if board.synced else texts.CONNECTING
            self.status_panel.bg = Palette.alarm
            self.body.opacity = 0.35 if board.synced else 1.0  # stale numbers are visibly stale
        else:
            self.status.text = ""
            self.status_panel.bg = (0, 0, 0, 0)
            self.body.opacity = 1.0

    def _render_call(self, board: HallBoard, now: float) -> None:
        latest = board.latest
        fresh = board.highlighted(now, self.highlight_seconds)
        if latest is None:
            self.call_heading.text = f"{texts.NOW_CALLING}  {texts.NOW_CALLING_EN}"
            self.call_number.text = ""
            self.call_where.text = texts.NO_CALL_YET if board.synced else ""
        else:
            heading = f"{texts.RECALL}  {texts.RECALL_EN}" if latest.recall else f"{texts.NOW_CALLING}  {texts.NOW_CALLING_EN}"
            self.call_heading.text = heading
            self.call_number.text = latest.number
            self.call_where.text = texts.GO_TO.format(window_name=latest.window_name)
        on = fresh is not None
        self.call_panel.bg = Palette.highlight if on else Palette.panel
        self.call_number.color = Palette.highlight_text if on else Palette.number
        self.call_heading.color = Palette.highlight_text if on else Palette.dim
        self.highlighted = fresh is not None

    def _render_recent(self, board: HallBoard) -> None:
        calls = board.recent
        if board.latest is not None and calls and calls[0].number == board.latest.number:
            calls = calls[1:]
        for i, (number, where) in enumerate(self.recent_rows):
            call = calls[i] if i < len(calls) else None
            number.text = call.number if call else ""
            where.text = call.window_name if call else ""

    def _render_windows(self, windows: list[WindowBoard]) -> None:
        shape = grid_shape(len(windows))
        if shape != self._shape:
            self._shape = shape
            cols, rows = shape
            self.grid.clear_widgets()
            self.grid.cols = cols
            self._cells = [WindowCell(rows) for _ in range(cols * rows)]
            for cell in self._cells:
                self.grid.add_widget(cell)
            set_unit_everywhere(self.grid, self.unit)
        per_page = len(self._cells)
        pages = page_count(len(windows), per_page)
        self.page %= pages
        shown = page_of(windows, self.page, per_page)
        for i, cell in enumerate(self._cells):
            cell.show(shown[i] if i < len(shown) else None)
        self.pages = pages
        self.page_label.text = texts.PAGE.format(page=self.page + 1, pages=pages) if pages > 1 else ""

    def _render_queues(self, queues: list[QueueBoard]) -> None:
        pages = page_count(len(queues), QUEUES_PER_PAGE)
        self.queue_page %= pages
        shown = page_of(queues, self.queue_page, QUEUES_PER_PAGE)
        for i, cell in enumerate(self.queue_cells):
            cell.show(shown[i] if i < len(shown) else None)

    # -- what is on screen, for tests ----------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "hall",
            "hall_name": self.hall_name.text,
            "clock": self.clock.text,
            "status": self.status.text,
            "dimmed": self.body.opacity < 1,
            "call": {
                "heading": self.call_heading.text,
                "number": self.call_number.text,
                "where": self.call_where.text,
                "highlighted": getattr(self, "highlighted", False),
            },
            "recent": [n.text for n, _ in self.recent_rows if n.text],
            "page": self.page,
            "pages": getattr(self, "pages", 1),
            "grid": list(self._shape or (0, 0)),
            "windows": [cell.describe() for cell in self._cells if cell.opacity > 0],
            "window_font_px": self._cells[0].font_px() if self._cells else {},
            "call_font_px": self.call_number.font_size,
            "queues": [f"{c.name.text} {c.count.text}" for c in self.queue_cells if c.opacity > 0],
            "notice": self.notice.text,
        }
