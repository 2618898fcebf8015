"""好差评 service verbs: find the ticket a citizen evaluates, take an evaluation (one writer job:
the evaluation row, a case for a 差评, the upload record, the audit row; the uploader is woken
after the commit), and what a window's evaluator shows next.

Who may evaluate: the window's evaluator device (channel window), a kiosk (kiosk: by the slip's
QR or by number), or anyone holding the slip's link (phone: the track secret `k`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Connection, insert, select

from hall_common.vocabulary import EvaluationChannel, EvaluationKind, TicketStatus

from ..config import Hall
from ..core import evaluation as core
from ..core.errors import Invalid, NotFound
from ..core.model import Ticket
from ..core.numbering import service_day
from ..core.working_days import deadline_after
from ..runtime import Runtime
from ..storage import repository
from ..storage import schema as s
from ..storage.writer import WriteTx
from . import records
from .tables import evaluation_cases, evaluations

# The evaluator at a window shows a ticket finished there at most this long ago.
EVALUATOR_RECENT = dt.timedelta(minutes=10)
_after_commit: list[Callable[[], None]] = []  # the uploader's wake-up (evaluation/upload.py)


def on_commit(callback: Callable[[], None]) -> Callable[[], None]:
    _after_commit.append(callback)
    return lambda: _after_commit.remove(callback)


def published() -> None:
    for callback in tuple(_after_commit):
        callback()


@dataclasses.dataclass(frozen=True, slots=True)
class Served:
    """A ticket with what its evaluation is tied to: window, clerk, queue, item."""

    ticket: Ticket
    clerk_id: str | None
    clerk_name: str | None
    kinds: tuple[EvaluationKind, ...]  # evaluations stored so far
    first_level: int | None = None  # the first evaluation's level


def ticket_ref_from_link(link: str) -> tuple[str, str]:
    """(ticket id, secret) from the slip's QR payload: the track URL (…/api/v1/track/{id}?k=…)
    or the phone page's (…/t/{id}?k=…)."""
    try:
        parts = urlsplit(link.strip())
    except ValueError:
        raise Invalid("not a ticket link", "无法识别的号票二维码") from None
    path = parts.path.rstrip("/").split("/")
    secret = parse_qs(parts.query).get("k", [""])[0]
    if len(path) < 2 or path[-2] not in ("track", "t") or not path[-1] or not secret:
        raise Invalid("not a ticket link", "无法识别的号票二维码")
    return path[-1], secret


def _clerk(conn: Connection, hall_id: str, ticket: Ticket) -> str | None:
    """Who pressed 办结: the audit row of the finish."""
    a = s.audit_log
    query = select(a.c.actor).where(a.c.hall_id == hall_id, a.c.action == "finish", a.c.target == f"ticket:{ticket.id}")
    if ticket.finished_at is not None:
        # Both bounds: a phone evaluating hours later must not scan every audit row written since.
        margin = dt.timedelta(seconds=5)
        query = query.where(a.c.at >= ticket.finished_at - margin, a.c.at <= ticket.finished_at + margin)
    actor = conn.execute(query.order_by(a.c.id.desc()).limit(1)).scalar()
    return actor.split(":", 1)[1] if actor and ":" in actor else None


def _kinds(conn: Connection, ticket_id: str) -> tuple[EvaluationKind, ...]:
    rows = conn.execute(select(evaluations.c.kind).where(evaluations.c.ticket_id == ticket_id))
    return tuple(EvaluationKind(r.kind) for r in rows)


def _served(conn: Connection, hall: Hall, ticket: Ticket) -> Served:
    staff_id = _clerk(conn, hall.id, ticket)
    person = hall.person(staff_id) if staff_id else None
    rows = conn.execute(select(evaluations.c.kind, evaluations.c.level).where(evaluations.c.ticket_id == ticket.id)).all()
    first = next((r.level for r in rows if r.kind == EvaluationKind.FIRST), None)
    kinds = tuple(EvaluationKind(r.kind) for r in rows)
    return Served(ticket, staff_id, person.name if person else None, kinds, first)


async def find(
    rt: Runtime, hall: Hall, *, ticket_id: str | None = None, secret: str | None = None, number: str | None = None,
    link: str | None = None,
) -> Served:
    """The ticket to evaluate: by id (with its secret when `secret` is given), by the slip's
    link, or by today's number. A wrong secret looks exactly like no ticket."""
    if link is not None:
        ticket_id, secret = ticket_ref_from_link(link)
    today = service_day(rt.now(), hall.zone)

    def read(conn: Connection) -> Served | None:
        t = s.tickets
        query = select(t).where(t.c.hall_id == hall.id)
        if ticket_id is not None:
            query = query.where(t.c.id == ticket_id)
        elif number is not None:
            query = query.where(t.c.number == number.strip().upper(), t.c.service_day == today)
        else:
            raise Invalid("give ticket_id, link or number", "请扫描号票二维码或输入号码")
        row = conn.execute(query.limit(1)).first()
        return _served(conn, hall, repository.ticket_from_row(row)) if row else None

    if ticket_id is not None and (len(ticket_id) > 64 or (secret is not None and not rt.keys.track_secret_ok(ticket_id, secret))):
        raise NotFound("no such ticket", "没有这张号票")
    found = await rt.read(read)
    if found is None:
        raise NotFound("no such ticket", "没有这张号票")
    live = rt.store.view(hall.id).tickets.get(found.ticket.id)
    return dataclasses.replace(found, ticket=live) if live is not None else found


def open_until(hall: Hall, ticket: Ticket) -> dt.datetime | None:
    if ticket.status is not TicketStatus.DONE or ticket.finished_at is None:
        return None
    return deadline_after(hall.hours, ticket.finished_at, hall.evaluation.open_working_days, hall.zone)


def status(rt: Runtime, hall: Hall, served: Served) -> dict[str, Any]:
    """What a form needs to show: the ticket, what may be given now, the reasons, the levels."""
    ticket = served.ticket
    until = open_until(hall, ticket)
    now = rt.now()
    is_open = until is not None and now < until
    may_first = is_open and EvaluationKind.FIRST not in served.kinds
    may_followup = is_open and EvaluationKind.FIRST in served.kinds and EvaluationKind.FOLLOWUP not in served.kinds
    window = hall.window(ticket.window) if ticket.window else None
    queue = hall.queue(ticket.queue)
    item = hall.item(ticket.item_code) if ticket.item_code else None
    return {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "status": ticket.status.value,
        "hall": hall.id,
        "hall_name": hall.name,
        "queue": ticket.queue,
        "queue_name": queue.name if queue else ticket.queue,
        "item_code": ticket.item_code,
        "item_name": item.name if item else None,
        "window": ticket.window,
        "window_name": window.name if window else None,
        "clerk_id": served.clerk_id,
        "clerk_name": served.clerk_name,
        "served_at": ticket.finished_at.isoformat() if ticket.finished_at else None,
        "open_until": until.isoformat() if until else None,
        "evaluated": EvaluationKind.FIRST in served.kinds,
        "first_level": served.first_level,
        "followed_up": EvaluationKind.FOLLOWUP in served.kinds,
        "may_evaluate": may_first,
        "may_follow_up": may_followup,
        "reasons": list(hall.evaluation.reasons),
        "levels": [{"level": int(level), "name": zh, "name_en": en} for level, (zh, en) in core.LEVEL_NAMES.items()],
    }


def _new_case(tx: WriteTx, hall: Hall, evaluation: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    case = {
        "id": uuid.uuid4().hex, "hall_id": hall.id, "ticket_id": evaluation["ticket_id"],
        "evaluation_id": evaluation["id"], "number": evaluation["number"], "level": evaluation["level"],
        "real_name": evaluation["real_name"], "queue": evaluation["queue"], "item_code": evaluation["item_code"],
        "window": evaluation["window"], "clerk_id": evaluation["clerk_id"],
        "lead": hall.evaluation.lead_for(evaluation["window"], evaluation["queue"]),
        "state": "pending", "appeal": "none", "appealed_by": None, "opened_at": now,
        "deadline": deadline_after(hall.hours, now, hall.evaluation.case_deadline_working_days, hall.zone),
        "closed_at": None, "updated_at": now, "result": None,
    }
    tx.conn.execute(insert(evaluation_cases).values(**case))
    repository.audit(tx.conn, hall.id, now, "system", "case_open", f"case:{case['id']}",
                     {"number": case["number"], "lead": case["lead"], "deadline": case["deadline"].isoformat()})
    return case


async def submit(
    rt: Runtime, hall: Hall, served: Served, *, channel: EvaluationChannel, source: str, level: int,
    reasons: tuple[str, ...], text: str, followup: bool,
) -> dict[str, Any]:
    """Store one evaluation (and its 差评 case); refusals change nothing."""
    ticket = served.ticket

    def job(tx: WriteTx) -> dict[str, Any]:
        now = rt.now()
        kinds = _kinds(tx.conn, ticket.id)  # again inside the transaction: two phones at once
        accepted = core.accept(
            core.Served(ticket.status.value, ticket.channel, ticket.finished_at, ticket.identity_hash is not None),
            kinds, level=level, reasons=reasons, text=text, allowed_reasons=hall.evaluation.reasons,
            followup=followup, now=now, open_until=open_until(hall, ticket),
        )
        assert ticket.finished_at is not None
        row = {
            "id": uuid.uuid4().hex, "hall_id": hall.id, "ticket_id": ticket.id, "kind": accepted.kind.value,
            "level": int(accepted.level), "reasons": list(accepted.reasons), "text": accepted.text,
            "channel": channel.value, "real_name": accepted.real_name, "service_day": ticket.service_day,
            "number": ticket.number, "queue": ticket.queue, "item_code": ticket.item_code, "window": ticket.window,
            "clerk_id": served.clerk_id, "clerk_name": served.clerk_name, "served_at": ticket.finished_at,
            "created_at": now, "source": source,
        }
        tx.conn.execute(insert(evaluations).values(**row))
        repository.audit(tx.conn, hall.id, now, source, "evaluate", f"ticket:{ticket.id}",
                         {"number": ticket.number, "kind": row["kind"], "level": row["level"], "channel": row["channel"]})
        case = None
        if accepted.bad:
            has_case = tx.conn.execute(
                select(evaluation_cases.c.id).where(evaluation_cases.c.ticket_id == ticket.id)
            ).first()
            if has_case is None:
                case = _new_case(tx, hall, row, now)
        records.enqueue_evaluation(tx, hall, row, now)
        return evaluation_json(row, case_id=case["id"] if case else None)

    result = await rt.write(job)
    published()
    return result


def evaluation_json(row: Any, *, case_id: str | None = None) -> dict[str, Any]:
    data: Mapping[str, Any] = row if isinstance(row, dict) else row._mapping  # a dict or a Row
    get = data.__getitem__
    level = int(get("level"))
    return {
        "id": get("id"),
        "ticket_id": get("ticket_id"),
        "number": get("number"),
        "kind": get("kind"),
        "level": level,
        "level_name": core.level_name(level),
        "bad": core.is_bad(level),
        "reasons": list(get("reasons")),
        "text": get("text"),
        "channel": get("channel"),
        "real_name": get("real_name"),
        "queue": get("queue"),
        "item_code": get("item_code"),
        "window": get("window"),
        "clerk_id": get("clerk_id"),
        "clerk_name": get("clerk_name"),
        "served_at": get("served_at").isoformat(),
        "created_at": get("created_at").isoformat(),
        "case_id": case_id,
    }


async def pending_at_window(rt: Runtime, hall: Hall, window: str) -> Served | None:
    """The ticket the window's evaluator should ask about: the latest finished there today, in
    the last minutes, not evaluated yet."""
    now = rt.now()
    today = service_day(now, hall.zone)

    def read(conn: Connection) -> Served | None:
        t = s.tickets
        row = conn.execute(
            select(t).where(t.c.hall_id == hall.id, t.c.window == window, t.c.status == TicketStatus.DONE.value,
                            t.c.service_day == today, t.c.finished_at >= now - EVALUATOR_RECENT)
            .order_by(t.c.finished_at.desc()).limit(1)
        ).first()
        if row is None:
            return None
        served = _served(conn, hall, repository.ticket_from_row(row))
        return None if EvaluationKind.FIRST in served.kinds else served

    return await rt.read(read)


async def evaluated(rt: Runtime, hall: Hall, ticket_ids: list[str]) -> dict[str, dict[str, Any] | None]:
    """For the staff console: each ticket's first evaluation (level, channel) or None."""
    def read(conn: Connection) -> dict[str, dict[str, Any] | None]:
        e = evaluations
        rows = conn.execute(select(e).where(e.c.hall_id == hall.id, e.c.ticket_id.in_(ticket_ids), e.c.kind == "first"))
        found: dict[str, dict[str, Any] | None] = {t: None for t in ticket_ids}
        for row in rows:
            found[row.ticket_id] = {"level": row.level, "level_name": core.level_name(row.level),
                                    "bad": core.is_bad(row.level), "channel": row.channel}
        return found

    return await rt.read(read)
