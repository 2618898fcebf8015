"""What frames every screen: the header (the hall, the clock, 长辈模式, 中文/English), the banners
under it (busy, offline, printer, closed), the footer (返回, 首页, the idle countdown; on home the
supervision phone and the hall's notice), and the plain page shown if a screen cannot be built."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ..actions import Action
from ..flow import Screen, hall_open, zone_of
from ..strings import pick, t, weekday
from .kit import Kit
from .theme import C
from .widgets import Btn, Filled, Txt

if TYPE_CHECKING:
    from ..controller import Controller


def header(kit: Kit, c: Controller) -> Widget:
    grow = 1.15 if kit.large else 1
    bar = Filled(C["header"], orientation="horizontal", size_hint_y=None,
                 height=kit.px(124 if kit.landscape else 150) * grow,
                 padding=(kit.px(30), kit.px(18)), spacing=kit.px(20))
    hall = c.hall
    name = (pick(hall.name, hall.name_en, kit.lang) if hall else "") or t("app.title", kit.lang)
    # The header's own text does not grow in large mode (its toggles do): one line each, always.
    titles = BoxLayout(orientation="vertical")
    titles.add_widget(Txt(name, size=kit.px(44), color=C["header_text"], bold=True,
                          shorten=True, shorten_from="right", max_lines=1))
    kit.live.clock = Txt(clock_text(kit, c), size=kit.px(28), color=C["header_text"], shorten=True,
                         shorten_from="right", max_lines=1)
    titles.add_widget(kit.live.clock)
    bar.add_widget(titles)
    toggle_w = kit.px(250 if not kit.landscape else 270) * grow
    bar.add_widget(Btn(kit.tr("toggle.large_off" if kit.large else "toggle.large_on"), Action.TOGGLE_LARGE,
                       ui=kit, bg=C["selected"] if not kit.large else C["neutral"],
                       fg=C["text"] if not kit.large else C["neutral_text"], size=kit.fs("button"),
                       size_hint_x=None, width=toggle_w))
    bar.add_widget(Btn(kit.tr("toggle.lang"), Action.TOGGLE_LANG, ui=kit, bg=C["neutral"], fg=C["neutral_text"],
                       size=kit.fs("button"), size_hint_x=None, width=kit.px(210) * grow))
    return bar


def clock_text(kit: Kit, c: Controller) -> str:
    now = dt.datetime.now(zone_of(c.hall))
    return kit.tr("time.clock", year=now.year, month=now.month, day=now.day,
                  weekday=weekday(now.weekday(), kit.lang), hm=f"{now:%H:%M}")


def banner(kit: Kit, c: Controller) -> Widget | None:
    lines: list[tuple[str, list[float], list[float]]] = []
    if c.flow.busy:
        lines.append((kit.tr("msg.busy"), C["ok"], C["ok_text"]))
    if not c.online and not c.connected_once and c.next_retry_at is None:
        lines.append((kit.tr("banner.connecting"), C["ok"], C["ok_text"]))
    elif not c.online and c.flow.screen is not Screen.OFFLINE:
        lines.append((kit.tr("banner.offline"), C["error"], C["error_text"]))
    problem = c.printer_problem()
    if problem and c.flow.screen in (Screen.HOME, Screen.CONFIRM, Screen.QUEUES):
        reason = problem[1] if kit.lang == "en" else problem[0]
        lines.append((kit.tr("banner.printer", reason=reason), C["warn"], C["warn_text"]))
    if c.online and c.hall and not hall_open(c.hall) and c.flow.screen is Screen.HOME:
        lines.append((kit.tr("banner.closed"), C["warn"], C["warn_text"]))
    if not lines:
        return None
    box = BoxLayout(orientation="vertical", size_hint_y=None)
    box.bind(minimum_height=box.setter("height"))
    for text, bg, fg in lines:
        strip = Filled(bg, size_hint_y=None, padding=(kit.px(36), kit.px(14)))
        label = Txt(text, size=kit.fs("body"), color=fg, bold=True)
        strip.add_widget(label)
        label.bind(height=lambda w, h, s=strip: setattr(s, "height", h + kit.px(28)))
        box.add_widget(strip)
    return box


def footer(kit: Kit, c: Controller) -> Widget:
    bar = Filled(C["neutral"], orientation="horizontal", size_hint_y=None,
                 height=kit.target(110 if kit.landscape else 130) + kit.px(24),
                 padding=(kit.px(30), kit.px(12)), spacing=kit.px(24))
    if c.flow.screen is Screen.HOME:
        hall = c.hall
        info = []
        if hall and hall.supervision_phone:
            info.append(kit.tr("saver.supervision", phone=hall.supervision_phone))
        if hall and hall.notice:
            info.append(hall.notice)
        bar.add_widget(Txt("\n".join(info), size=kit.fs("small"), color=C["muted"]))
        return bar
    width = kit.px(260) * (1.2 if kit.large else 1)
    bar.add_widget(Btn("‹ " + kit.tr("nav.back"), Action.NAV_BACK, ui=kit, bg=C["card"], fg=C["neutral_text"],
                       size_hint_x=None, width=width))
    bar.add_widget(Btn(kit.tr("nav.home"), Action.NAV_HOME, ui=kit, bg=C["card"], fg=C["neutral_text"],
                       size_hint_x=None, width=width))
    kit.live.idle = Txt("", size=kit.fs("small"), color=C["muted"], halign="right")
    bar.add_widget(kit.live.idle)
    return bar


def fallback(kit: Kit) -> Widget:
    """Never an empty screen: if a view cannot be built, a plain message and the way home."""
    box = BoxLayout(orientation="vertical", padding=kit.px(60))
    box.add_widget(Txt(kit.tr("msg.unexpected"), size=kit.fs("title"), halign="center"))
    box.add_widget(Btn(kit.tr("nav.home"), Action.NAV_HOME, ui=kit, size_hint_y=None, height=kit.target()))
    return box
