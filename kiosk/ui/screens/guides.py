"""办事指南 without pinyin: browse by queue, a keyboard of common words, or an item code; the list
of matching items; one item's guide, with 办理此事项：取号."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ...actions import Action
from ...flow import common_words, guide_rows, item_name, queue_name, visible_queues
from ...replies import QueueInfo
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Card, Txt

if TYPE_CHECKING:
    from ...controller import Controller


def guide_home(kit: Kit, c: Controller) -> Widget:
    body = kit.page(kit.tr("guide.title"), 20)
    if not c.online and c.items:
        body.add_widget(Txt(kit.tr("reason.cached"), size=kit.fs("body"), color=C["warn_text"]))
    row = BoxLayout(size_hint_y=None, height=kit.target(170), spacing=kit.px(24))
    row.add_widget(Btn(kit.option_text(kit.tr("guide.search"), kit.tr("guide.search.sub"), title_size="button"),
                       Action.GUIDE_SEARCH, ui=kit, bg=C["green"]))
    row.add_widget(Btn(kit.option_text(kit.tr("guide.search_code"), None, title_size="button"),
                       Action.GUIDE_CODE, ui=kit, bg=C["teal"]))
    body.add_widget(row)
    body.add_widget(Txt(kit.tr("guide.browse"), size=kit.fs("body"), bold=True, color=C["muted"]))
    # Offline with saved guides: the queues as the items name them.
    queues = visible_queues(c.queues) or [QueueInfo(q, q) for q in sorted({i.queue for i in c.items if i.queue})]
    grid = kit.grid(kit.cols(2, 3))
    for q in queues:
        count = len(c.queue_items(q.id))
        grid.add_widget(Btn(kit.option_text(f"{q.id}  {queue_name(q, kit.lang)}",
                                            kit.tr("guide.results", count=count), title_size="button"),
                            Action.GUIDE_QUEUE, q.id, ui=kit, bg=C["primary"], size_hint_y=None,
                            height=kit.target(170), enabled=count > 0))
    body.add_widget(kit.scroll(grid))
    return body


def guide_search(kit: Kit, c: Controller) -> Widget:
    s = c.flow.session
    body = kit.page(kit.tr("guide.search_words"), 20)
    query = " + ".join(s.search_terms)
    body.add_widget(Txt(kit.tr("guide.search_query", query=query) if query else kit.tr("guide.search.sub"),
                        size=kit.fs("body"), color=C["muted"]))
    grid = kit.grid(kit.cols(4, 7), spacing=14)
    for word in common_words(c.items):
        b = Btn(word, Action.WORD, word, ui=kit, bg=C["card"], fg=C["text"], size=kit.fs("tile") * 0.9,
                size_hint_y=None, height=kit.target(115))
        b.selected = word in s.search_terms
        grid.add_widget(b)
    body.add_widget(kit.scroll(grid))
    count = c.search_count() if s.search_terms else 0
    body.add_widget(Btn(f"[b]{kit.tr('guide.results', count=count)}[/b]", Action.GUIDE_RESULTS, ui=kit,
                        bg=C["green"], enabled=count > 0, size=kit.fs("tile"), size_hint_y=None,
                        height=kit.target(140)))
    return body


def guide_items(kit: Kit, c: Controller) -> Widget:
    s = c.flow.session
    body = kit.page(spacing=18)
    if s.guide_queue:
        title = f"{kit.tr('guide.title')} · {queue_name(c.queue(s.guide_queue), kit.lang) or s.guide_queue}"
    elif s.search_terms:
        title = kit.tr("guide.search_query", query=" + ".join(s.search_terms))
    else:
        title = kit.tr("guide.search_query", query=s.keypad_text or "")
    body.add_widget(kit.title(title))
    body.add_widget(Txt(kit.tr("guide.results", count=len(s.guide_items)) if s.guide_items
                        else kit.tr("guide.no_results"), size=kit.fs("body"), color=C["muted"]))
    grid = kit.grid(kit.cols(1, 2), spacing=16)
    for item in s.guide_items:
        grid.add_widget(Btn(kit.option_text(item_name(item, kit.lang), f"{item.queue_name} · …{item.code[-8:]}",
                                            title_size="button"),
                            Action.GUIDE_ITEM, item.code, ui=kit, bg=C["card"], fg=C["text"], halign="left",
                            size_hint_y=None, height=kit.target(150)))
    body.add_widget(kit.scroll(grid))
    return body


def guide(kit: Kit, c: Controller) -> Widget:
    item = c.flow.session.guide_item
    if item is None:
        return kit.page(kit.tr("guide.title"), 18)
    body = kit.page(item_name(item, kit.lang), 18)
    body.add_widget(Txt(kit.tr("guide.code", code=item.code) + "    " + kit.tr("guide.scroll"),
                        size=kit.fs("small"), color=C["muted"]))
    content = BoxLayout(orientation="vertical", spacing=kit.px(16), size_hint_y=None)
    content.bind(minimum_height=content.setter("height"))
    for heading, value in guide_rows(item, kit.lang):
        card = Card(kit, padding=kit.px(22), spacing=kit.px(8))
        card.add_widget(Txt(heading, size=kit.fs("button"), bold=True, color=C["primary"]))
        if isinstance(value, list):
            text = "\n".join(f"{n}. {v}" for n, v in enumerate(value, 1))
        else:
            text = str(value)
        card.add_widget(Txt(text, size=kit.fs("body")))
        content.add_widget(card)
    body.add_widget(kit.scroll(content))
    if c.online and c.queue(item.queue) is not None:
        body.add_widget(Btn(f"[b]{kit.tr('guide.take')}[/b]", Action.GUIDE_TAKE, ui=kit, bg=C["primary"],
                            size=kit.fs("tile"), size_hint_y=None, height=kit.target(140)))
    return body
