"""好差评 (服务评价): the ticket and its five levels, a 差评's reasons, the refusals in plain words
(with 追评 where the server allows it) and the thank-you. The ticket is named on the scan screen
(kiosk.ui.screens.checkin.scan) or the keypad; what each answer means is kiosk.evaluation's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ...actions import Action
from ...evaluation import LEVELS, EvaluationVisit, Verdict, clerk_text, is_bad, level_key, refusal_texts
from ...flow import zone_of
from ...strings import pick
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Card, Txt

if TYPE_CHECKING:
    from ...controller import Controller

# Each level's colour, from the deep green of 非常满意 to the deep red of 非常不满意; the stars say
# the same for a citizen who does not tell the colours apart.
LEVEL_COLORS = {5: "ok_text", 4: "green", 3: "teal", 2: "orange", 1: "error_text"}


def _stars(level: int) -> str:
    return "★" * level + "☆" * (5 - level)


def _level_name(kit: Kit, level: int | None) -> str:
    return kit.tr(level_key(level)) if level else ""


def _ticket_card(kit: Kit, c: Controller, visit: EvaluationVisit) -> Widget:
    """The ticket as the citizen knows it: its number, the service, the window and who served
    (for a 追评: the first evaluation instead of the time it was served)."""
    ticket = visit.ticket
    card = Card(kit, orientation="horizontal", spacing=kit.px(30))
    if ticket is None:
        return card
    number = kit.column(4, size_hint_x=None, width=kit.px(300) * (1.3 if kit.large else 1))
    if not kit.landscape:  # landscape keeps its height for the level buttons
        number.add_widget(Txt(kit.tr("eval.number"), size=kit.fs("body"), color=C["muted"], halign="center"))
    number.add_widget(Txt(f"[b]{ticket.number}[/b]", size=kit.fs("big"), color=C["primary"], halign="center"))
    card.add_widget(number)
    lines = []
    queue = c.queue(ticket.queue)
    service = pick(queue.name, queue.name_en, kit.lang) if queue else ticket.queue_name
    if ticket.item_name:
        service = f"{service} · {ticket.item_name}" if service else ticket.item_name
    if service:
        lines.append(Txt(kit.tr("eval.queue", name=service), size=kit.fs("body")))
    window = ticket.window_name or ticket.window
    if window:
        lines.append(Txt(kit.tr("eval.window", window=window), size=kit.fs("body"), bold=True))
    clerk = clerk_text(ticket)
    if clerk:
        lines.append(Txt(kit.tr("eval.clerk", clerk=clerk), size=kit.fs("body")))
    if visit.followup and ticket.first_level:
        first = ticket.first_level
        lines.append(Txt(kit.tr("eval.earlier", level=_level_name(kit, first)), size=kit.fs("body"), color=C["muted"]))
    elif ticket.served_at is not None:
        served = ticket.served_at.astimezone(zone_of(c.hall))
        lines.append(Txt(kit.tr("eval.served_at", month=served.month, day=served.day, hm=f"{served:%H:%M}"),
                         size=kit.fs("body"), color=C["muted"]))
    # Landscape has the width and not the height: the lines in two columns.
    details = kit.grid(2, spacing=8) if kit.landscape else kit.column(8)
    for line in lines:
        details.add_widget(line)
    card.add_widget(details)
    return card


def evaluate(kit: Kit, c: Controller) -> Widget:
    """The ticket and five large level buttons: one touch records 基本满意 and above. The buttons
    share the height that is left (a column in portrait, a row in landscape), so 长辈模式 fits."""
    visit = c.flow.session.evaluation
    follow_up = bool(visit and visit.followup)
    body = kit.page(kit.tr("eval.followup_title" if follow_up else "eval.title"), 18)
    if visit is None or visit.ticket is None:
        body.add_widget(Widget())
        return body
    body.add_widget(_ticket_card(kit, c, visit))
    body.add_widget(Txt(kit.tr("eval.ask"), size=kit.fs("tile"), bold=True))
    levels = BoxLayout(orientation="horizontal" if kit.landscape else "vertical", spacing=kit.px(18))
    stars, small = int(kit.fs("body")), int(kit.fs("small"))
    # Five in a row leave a long English word ("Dissatisfied") no room at the tile size in 长辈模式.
    name_size = int(kit.fs("button") if kit.landscape and kit.large and kit.lang == "en" else kit.fs("tile"))
    for level in LEVELS:
        sub = kit.tr("eval.then_reasons" if is_bad(level) else "eval.one_touch")
        name = f"[b][size={name_size}]{kit.tr(level_key(level))}[/size][/b]"
        if kit.landscape and kit.large:  # the names only: English ones take two lines here
            text = f"[size={stars}]{_stars(level)}[/size]\n{name}"
        elif kit.landscape:
            text = f"[size={stars}]{_stars(level)}[/size]\n{name}\n[size={small}]{sub}[/size]"
        else:  # the stars beside the name, what a touch does under it
            text = f"[size={stars}]{_stars(level)}[/size]    {name}\n[size={small}]{sub}[/size]"
        button = Btn(text, Action.EVAL_LEVEL, level, ui=kit, bg=C[LEVEL_COLORS[level]])
        if kit.landscape:
            button.padding = (kit.px(10), kit.px(12))
        levels.add_widget(button)
    body.add_widget(levels)
    return body


def reasons(kit: Kit, c: Controller) -> Widget:
    """A 差评: at least one of the hall's reasons, then 提交评价. No typing needed."""
    visit = c.flow.session.evaluation
    body = kit.page(kit.tr("eval.reasons_title"), 18)
    if visit is None or visit.ticket is None or visit.level is None:
        body.add_widget(Widget())
        return body
    chosen = Card(kit, bg=C["warn"], padding=kit.px(20))
    chosen.add_widget(Txt(f"{kit.tr('eval.number')} {visit.ticket.number} · {_stars(visit.level)} "
                          f"{kit.tr('eval.your_level', level=_level_name(kit, visit.level))}",
                          size=kit.fs("body"), bold=True, color=C["warn_text"]))
    body.add_widget(chosen)
    # Two columns (three in landscape) even in 长辈模式: the reasons are short; scrolled if a hall lists many.
    grid = kit.grid(3 if kit.landscape else 2, spacing=18)
    for reason in visit.ticket.reasons:
        picked = reason in visit.reasons
        button = Btn(("✓ " if picked else "") + reason, Action.EVAL_REASON, reason, ui=kit,
                     bg=C["card"], fg=C["text"], size=kit.fs("tile") * 0.85, size_hint_y=None,
                     height=kit.target(110 if kit.landscape else 130))
        button.selected = picked
        grid.add_widget(button)
    ready = visit.ready
    submit = Btn(kit.option_text(kit.tr("eval.submit"), None, None if ready else kit.tr("eval.reasons_needed")),
                 Action.EVAL_SUBMIT, ui=kit, bg=C["green"], enabled=ready, size_hint_y=None, height=kit.target(160))
    note = Txt(kit.tr("eval.bad_note"), size=kit.fs("body"), color=C["muted"])
    # A hall's usual list fits whole (10 reasons in portrait, 9 in landscape, in 长辈模式 too); a
    # longer one scrolls.
    fits = len(visit.ticket.reasons) <= (9 if kit.landscape else 10)
    listed: Widget = grid if fits else kit.scroll(grid)
    if kit.landscape:
        row = BoxLayout(orientation="horizontal", spacing=kit.px(36))
        if fits:
            column = BoxLayout(orientation="vertical")
            column.add_widget(grid)
            column.add_widget(Widget())
            listed = column
        row.add_widget(listed)
        side = BoxLayout(orientation="vertical", size_hint_x=0.42, spacing=kit.px(20))
        side.add_widget(note)
        side.add_widget(submit)
        side.add_widget(Widget())
        row.add_widget(side)
        body.add_widget(row)
        return body
    body.add_widget(listed)
    body.add_widget(note)
    body.add_widget(submit)
    if fits:
        body.add_widget(Widget())
    return body


def refused(kit: Kit, c: Controller) -> Widget:
    """Why this ticket cannot be evaluated now, in large plain words; 追评 when it is allowed."""
    visit = c.flow.session.evaluation
    body = kit.page(spacing=16 if kit.landscape else 28)
    if not kit.landscape:
        body.add_widget(Widget(size_hint_y=0.15))
    if visit is None:
        body.add_widget(Widget())
        return body
    title, text, hint, values = refusal_texts(visit, zone_of(c.hall))
    follow_up = visit.verdict is Verdict.FOLLOW_UP
    body.add_widget(Txt(kit.tr(title, **values), size=kit.fs("title"), bold=True, halign="center",
                        color=C["warn_text"] if follow_up or visit.verdict is Verdict.ALREADY else C["error_text"]))
    card = Card(kit)
    if values["number"]:
        card.add_widget(Txt(f"[b]{kit.tr('eval.number')} {values['number']}[/b]", size=kit.fs("tile"),
                            color=C["primary"], halign="center"))
    card.add_widget(Txt(kit.tr(text, **values), size=kit.fs("tile"), halign="center"))
    if visit.ticket is not None and visit.ticket.first_level and visit.verdict in (Verdict.FOLLOW_UP, Verdict.ALREADY):
        level = visit.ticket.first_level
        card.add_widget(Txt(kit.tr("eval.followup_first", level=f"{_stars(level)} {_level_name(kit, level)}"),
                            size=kit.fs("body"), color=C["muted"], halign="center"))
    body.add_widget(card)
    if follow_up:
        body.add_widget(Btn(f"[b]{kit.tr('eval.follow_up')}[/b]", Action.EVAL_FOLLOW_UP, ui=kit, bg=C["purple"],
                            size=kit.fs("tile"), size_hint_y=None, height=kit.target(110 if kit.landscape else 170)))
    body.add_widget(Txt(kit.tr(hint), size=kit.fs("body"), color=C["muted"], halign="center"))
    body.add_widget(Widget())
    return body


def thanks(kit: Kit, c: Controller) -> Widget:
    """Recorded: thank you, what was recorded, and home after the ticket screen's timeout."""
    visit = c.flow.session.evaluation
    result = visit.result if visit else None
    body = kit.page(spacing=28)
    if not kit.landscape:
        body.add_widget(Widget(size_hint_y=0.2))
    followup = bool(result and result.kind == "followup")
    body.add_widget(Txt(f"[b]{kit.tr('eval.thanks_followup' if followup else 'eval.thanks_title')}[/b]",
                        size=kit.fs("big"), color=C["ok_text"], halign="center"))
    if result is not None:
        card = Card(kit)
        card.add_widget(Txt(f"{kit.tr('eval.number')} {result.number}", size=kit.fs("tile"), halign="center"))
        card.add_widget(Txt(f"{_stars(result.level)}  {kit.tr('eval.your_level', level=_level_name(kit, result.level))}",
                            size=kit.fs("tile"), bold=True, color=C[LEVEL_COLORS.get(result.level, "text")],
                            halign="center"))
        if result.reasons:
            card.add_widget(Txt(kit.tr("sessions.sep").join(result.reasons), size=kit.fs("body"), color=C["muted"],
                                halign="center"))
        card.add_widget(Txt(kit.tr("eval.thanks_bad" if result.bad else "eval.thanks_good"), size=kit.fs("body"),
                            halign="center"))
        body.add_widget(card)
    body.add_widget(kit.centred(Btn(f"[b]{kit.tr('eval.done')}[/b]", Action.EVAL_DONE, ui=kit, bg=C["green"],
                                    size=kit.fs("tile"), size_hint_x=None, width=kit.px(520)),
                                kit.target(150)))
    body.add_widget(Widget())
    return body
