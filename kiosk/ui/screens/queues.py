"""Taking a ticket: the queues (业务类别), the optional exact item of the chosen queue, and the
confirmation (who is ahead, the estimated wait, the windows to watch, 取号并打印, other ways)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ...actions import Action
from ...flow import channel_options, item_name, queue_name, visible_queues, windows_text
from ...strings import wait_text
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Card, Txt
from .identification import ways_grid

if TYPE_CHECKING:
    from ...controller import Controller


def queues(kit: Kit, c: Controller) -> Widget:
    body = kit.page(spacing=20)
    title = kit.tr("queues.title")
    if c.flow.session.green:
        title = f"{kit.tr('green.title')} · {title}"
    body.add_widget(kit.title(title))
    shown = visible_queues(c.queues)
    if not shown:
        body.add_widget(Txt(kit.tr("queues.none"), size=kit.fs("body")))
        body.add_widget(Widget())
        return body
    grid = kit.grid(kit.cols(2, 3))
    # Queues whose tickets need an identity: open when this kiosk has a working way, else they
    # say where to go.
    ctx = c.context()
    needs_identity = frozenset() if any(o.enabled for o in channel_options(ctx)) else ctx.identity_queues()
    for q in shown:
        reason = "queues.limit_reached" if q.limit_reached else (
            "reason.identity_required" if q.id in needs_identity else None)
        sub = kit.tr("queues.waiting", waiting=q.waiting) + " · " + wait_text(q.estimated_wait_s, kit.lang)
        grid.add_widget(Btn(kit.option_text(f"{q.id}  {queue_name(q, kit.lang)}", sub,
                                            kit.tr(reason) if reason else None),
                            Action.QUEUE, q.id, ui=kit, bg=C["green"] if c.flow.session.green else C["primary"],
                            enabled=reason is None, size_hint_y=None, height=kit.target(220)))
    body.add_widget(kit.scroll(grid))
    return body


def items(kit: Kit, c: Controller) -> Widget:
    s = c.flow.session
    body = kit.page(spacing=20)
    body.add_widget(kit.title(f"{kit.tr('items.title')} · {queue_name(c.queue(s.queue), kit.lang)}"))
    grid = kit.grid(kit.cols(1, 2), spacing=16)
    grid.add_widget(Btn(kit.tr("items.skip"), Action.ITEMS_SKIP, ui=kit, bg=C["card"], fg=C["neutral_text"],
                        size_hint_y=None, height=kit.target(120)))
    of_queue = c.queue_items(s.queue)
    for item in of_queue:
        grid.add_widget(Btn(item_name(item, kit.lang), Action.ITEM, item.code, ui=kit, halign="left",
                            size_hint_y=None, height=kit.target(120), size=kit.fs("button")))
    if not of_queue:
        grid.add_widget(Txt(kit.tr("items.none"), size=kit.fs("body")))
    body.add_widget(kit.scroll(grid))
    return body


def confirm(kit: Kit, c: Controller) -> Widget:
    s = c.flow.session
    q = c.queue(s.queue)
    card = Card(kit)
    card.add_widget(Txt(kit.tr("confirm.queue", name=f"{q.id if q else ''} {queue_name(q, kit.lang)}"),
                        size=kit.fs("title"), bold=True))
    card.add_widget(Txt(kit.tr("confirm.item", name=item_name(s.item, kit.lang)) if s.item
                        else kit.tr("confirm.item_none"), size=kit.fs("body"), color=C["muted"]))
    card.add_widget(Txt(kit.tr("confirm.ahead", waiting=q.waiting if q else 0), size=kit.fs("tile"), bold=True,
                        color=C["primary"]))
    card.add_widget(Txt(kit.tr("confirm.wait", wait=wait_text(q.estimated_wait_s if q else None, kit.lang)),
                        size=kit.fs("tile"), bold=True, color=C["primary"]))
    card.add_widget(Txt(windows_text(q, c.windows, kit.lang), size=kit.fs("body"), color=C["muted"]))
    if q and not q.open_windows:
        card.add_widget(Txt(kit.tr("confirm.no_windows"), size=kit.fs("small"), color=C["warn_text"]))
    if s.green:
        card.add_widget(Txt(kit.tr("ticket.green"), size=kit.fs("body"), bold=True, color=C["green"]))
    actions = kit.column(22)
    print_key = "confirm.print_green" if s.green else "confirm.print"
    identify_first = s.id_session is None and s.queue in c.context().identity_queues()
    if identify_first:
        card.add_widget(Txt(kit.tr("confirm.identify_first"), size=kit.fs("body"), bold=True,
                            color=C["warn_text"]))
    else:  # a queue that needs an identity has no plain "take" button at all
        actions.add_widget(Btn(f"[b][size={int(kit.fs('big') * 0.8)}]{kit.tr(print_key)}[/size][/b]",
                               Action.CONFIRM_PRINT, ui=kit, bg=C["green"] if s.green else C["primary"],
                               size_hint_y=None, height=kit.target(240 if kit.landscape else 200)))
    if c.queue_items(s.queue) or not c.items:
        actions.add_widget(Btn(kit.tr("confirm.change_item" if s.item else "confirm.choose_item"),
                               Action.CONFIRM_CHOOSE_ITEM, ui=kit, bg=C["card"], fg=C["neutral_text"],
                               size_hint_y=None, height=kit.target(130)))
    details = kit.column(22)
    ways = ways_grid(kit, c) if s.id_session is None and not s.green else None
    if ways is not None:
        # A queue that needs an identity: the ways take the place of the "take" button.
        where = actions if identify_first else details
        where.add_widget(Txt(kit.tr("ways.title" if identify_first else "confirm.other_ways"),
                             size=kit.fs("tile" if identify_first else "body"), bold=True,
                             color=C["text"] if identify_first else C["muted"]), index=len(where.children))
        where.add_widget(ways, index=len(where.children) - 1)
    if kit.landscape:
        # Side by side: what the citizen is about to get, and the button to get it.
        body = kit.page(spacing=36, orientation="horizontal")
        left = kit.page(kit.tr("confirm.title"), 22)
        details.add_widget(card, index=len(details.children))
        left.add_widget(kit.scroll(details))
        body.add_widget(left)
        right = BoxLayout(orientation="vertical", size_hint_x=0.42, padding=(0, kit.px(80), 0, 0))
        right.add_widget(actions)
        right.add_widget(Widget())
        body.add_widget(right)
        return body
    body = kit.page(kit.tr("confirm.title"), 22)
    content = kit.column(22)
    content.add_widget(card)
    content.add_widget(actions)
    content.add_widget(details)
    body.add_widget(kit.scroll(content))
    return body
