"""Message texts: the configured templates and the fields they may use. Texts carry the ticket's
number and window, never a citizen's personal data."""

from __future__ import annotations

import string
from typing import Any

# The fields a text template may name, with a sample value for checking templates at start.
FIELDS = {
    "number": "A012",
    "window": "W03",
    "window_name": "3号窗口",
    "hall_name": "济南市政务服务中心",
    "queue_name": "企业开办",
    "ahead": 3,
}


def check_template(key: str, template: str) -> None:
    """Raise ValueError naming the key when a template uses an unknown field or bad braces."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None
    unknown = sorted({n for n in names if n not in FIELDS})
    if unknown:
        raise ValueError(f"{key}: unknown field(s) {', '.join(unknown)} (known: {', '.join(FIELDS)})")


def render(template: str, **fields: Any) -> str:
    values = {**{k: "" for k in FIELDS}, **fields}
    return template.format(**values)


def fill_body(template: Any, phone: str, text: str, message_id: str) -> Any:
    """The gateway's JSON body: the template with {phone}, {text} and {id} replaced inside its
    strings (values are substituted as data, so a text with quotes cannot break the JSON)."""
    if isinstance(template, str):
        return template.replace("{phone}", phone).replace("{text}", text).replace("{id}", message_id)
    if isinstance(template, dict):
        return {k: fill_body(v, phone, text, message_id) for k, v in template.items()}
    if isinstance(template, list):
        return [fill_body(v, phone, text, message_id) for v in template]
    return template
