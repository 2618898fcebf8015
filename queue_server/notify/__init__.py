"""Silent-call text messages (无声叫号短信): "please go to window N" when a ticket that gave a
phone is called, and "3 ahead" when it is nearly its turn. An outbox table makes every message
go out at most once, across restarts. See docs/config.md ([server.sms]) and docs/api.md.

    notifier = notify.start(rt)   # in the app's lifespan, on the running loop
    ...
    await notifier.stop()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..runtime import Runtime
    from .service import Notifier


def start(rt: Runtime) -> Notifier:
    from .service import Notifier

    return Notifier(rt)
