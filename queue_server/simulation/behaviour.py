"""What citizens and staff do, as the simulator asks it: how long a call keeps a window, whether
the citizen came (过号), comes back (requeue), is sent on (transfer) or gives up while waiting, and
how long staff take between one citizen and the next call.

`ServiceModel` holds the distributions (per queue, per item where history has enough of them),
learnt from history (learning.py) or taken from the hall's configured `default_service_s`.
`Sampler` draws from it: every draw comes from a generator seeded by (seed, ticket, turn), so a
ticket gets the same service under every plan (plans are compared on the same citizens) and a
run is the same for the same seed. `Replay` gives each recorded ticket its recorded visits.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Mapping
from typing import Any, Protocol

from ..config import Hall
from ..core.estimates import MAX_DURATION_S, MIN_DURATION_S
from .clock import US
from .day import Arrival, Visit, VisitEnd
from .problems import Collector, Locate, open_document

FALLBACK_SERVICE_S = 600.0  # a queue with no default_service_s and no history
DEFAULT_SIGMA = 0.5  # spread of a log-normal service time when history does not tell


@dataclasses.dataclass(frozen=True, slots=True)
class Duration:
    """A duration: log-normal (half the cases take less than `median_s`; `sigma` is the spread of
    its logarithm, 0.5: the slowest tenth take over 1.9 × the median), or, when history gave
    enough cases, as they were: `quantiles_s` at even steps from the fastest to the slowest,
    drawn between by straight lines (a long tail of hard cases stays a long tail)."""

    median_s: float
    sigma: float = DEFAULT_SIGMA
    quantiles_s: tuple[float, ...] = ()

    def sample_us(self, rng: random.Random) -> int:
        if self.quantiles_s:
            steps = len(self.quantiles_s) - 1
            position = rng.random() * steps
            index = min(int(position), steps - 1)
            low, high = self.quantiles_s[index], self.quantiles_s[index + 1]
            seconds = low + (high - low) * (position - index)
        elif self.sigma:
            seconds = self.median_s * math.exp(self.sigma * rng.gauss(0.0, 1.0))
        else:
            seconds = self.median_s
        return int(min(max(seconds, MIN_DURATION_S), MAX_DURATION_S) * US)


@dataclasses.dataclass(frozen=True, slots=True)
class QueueBehaviour:
    service: Duration
    skip_share: float = 0.0  # of calls: nobody comes (过号)
    skip_after: Duration = Duration(90.0, 0.3)  # call → skip (the recalls in between)
    requeue_share: float = 0.0  # of skips: the citizen comes back and is requeued
    requeue_after: Duration = Duration(600.0, 0.6)  # skip → requeue
    transfer_share: float = 0.0  # of calls: sent on to another queue
    transfer_to: tuple[tuple[str, float], ...] = ()  # destination queues and their weights
    transfer_after: Duration = Duration(180.0, 0.5)  # call → transfer
    cancel_share: float = 0.0  # of calls: the citizen gives up at the window
    abandon_share: float = 0.0  # of tickets: the citizen leaves while waiting
    patience: Duration = Duration(1800.0, 0.6)  # issue → leaving, for those who leave
    samples: int = 0  # services it was learnt from (0: configured default)


@dataclasses.dataclass(frozen=True, slots=True)
class ServiceModel:
    queues: Mapping[str, QueueBehaviour]
    items: Mapping[str, Duration] = dataclasses.field(default_factory=dict)  # item code → service
    turnaround_s: float = 0.0  # a window free → its next call
    source: str = "hall configuration (default_service_s)"

    def to_document(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "turnaround_s": round(self.turnaround_s, 1),
            "queues": {q: _behaviour_document(b) for q, b in self.queues.items()},
            "items": {code: _duration_document(d) for code, d in self.items.items()},
        }


def config_model(hall: Hall, sigma: float = DEFAULT_SIGMA) -> ServiceModel:
    """Before any history: each queue's configured default_service_s as the median, nobody skips
    or leaves, staff call the next citizen at once."""
    return ServiceModel(
        {q.id: QueueBehaviour(Duration(float(q.default_service_s or FALLBACK_SERVICE_S), sigma)) for q in hall.queues}
    )


class Behaviour(Protocol):
    """What the simulator asks about people."""

    def visit(self, ticket_id: str, turn: int, queue: str, item_code: str | None) -> Visit:
        """The `turn`-th call of a ticket (0 first), now waiting in `queue`."""
        ...

    def patience_us(self, arrival: Arrival) -> int | None:
        """How long after taking the ticket the citizen leaves if not yet called (None: stays)."""
        ...

    def turnaround_us(self) -> int: ...


class Sampler:
    """Draws from a model, one seeded generator per (seed, ticket, turn)."""

    def __init__(self, model: ServiceModel, seed: int):
        self.model = model
        self.seed = seed
        self._turnaround = int(model.turnaround_s * US)

    def visit(self, ticket_id: str, turn: int, queue: str, item_code: str | None) -> Visit:
        behaviour = self.model.queues[queue]
        rng = random.Random(f"{self.seed}|{ticket_id}|{turn}")
        draw = rng.random()
        if draw < behaviour.skip_share:
            back = behaviour.requeue_after.sample_us(rng) if rng.random() < behaviour.requeue_share else None
            return Visit(behaviour.skip_after.sample_us(rng), VisitEnd.SKIP, requeue_after_us=back)
        draw -= behaviour.skip_share
        if draw < behaviour.transfer_share and behaviour.transfer_to:
            destination = _weighted(behaviour.transfer_to, rng.random())
            return Visit(behaviour.transfer_after.sample_us(rng), VisitEnd.TRANSFER, to_queue=destination)
        draw -= behaviour.transfer_share
        if draw < behaviour.cancel_share:
            return Visit(behaviour.skip_after.sample_us(rng), VisitEnd.CANCEL)
        service = self.model.items.get(item_code or "") if turn == 0 else None
        return Visit((service or behaviour.service).sample_us(rng))

    def patience_us(self, arrival: Arrival) -> int | None:
        behaviour = self.model.queues[arrival.queue]
        if not behaviour.abandon_share:
            return None
        rng = random.Random(f"{self.seed}|{arrival.ticket_id}|patience")
        return behaviour.patience.sample_us(rng) if rng.random() < behaviour.abandon_share else None

    def turnaround_us(self) -> int:
        return self._turnaround


class Replay:
    """A recorded day's people: each ticket's recorded visits (call → ending action) and its
    leaving time; what the record does not tell (a ticket called more often than it was, a
    visit whose call time was pruned) comes from `fallback`."""

    def __init__(
        self,
        visits: Mapping[str, tuple[Visit | None, ...]],
        patience: Mapping[str, int],
        fallback: Sampler,
        turnaround_us: int | None = None,
    ):
        self.visits = visits
        self.patience = patience
        self.fallback = fallback
        self._turnaround = fallback.turnaround_us() if turnaround_us is None else turnaround_us

    def visit(self, ticket_id: str, turn: int, queue: str, item_code: str | None) -> Visit:
        recorded = self.visits.get(ticket_id, ())
        if turn < len(recorded) and recorded[turn] is not None:
            return recorded[turn]  # type: ignore[return-value]
        return self.fallback.visit(ticket_id, turn, queue, item_code)

    def patience_us(self, arrival: Arrival) -> int | None:
        return self.patience.get(arrival.ticket_id)

    def turnaround_us(self) -> int:
        return self._turnaround


def _weighted(choices: tuple[tuple[str, float], ...], draw: float) -> str:
    total = sum(w for _, w in choices)
    running = 0.0
    for value, weight in choices:
        running += weight / total
        if draw < running:
            return value
    return choices[-1][0]


# -- documents (the model file `simulate learn` writes) ---------------------------------------------


def _duration_document(duration: Duration) -> dict[str, Any]:
    document: dict[str, Any] = {"median_s": round(duration.median_s, 1), "sigma": round(duration.sigma, 3)}
    if duration.quantiles_s:
        document["quantiles_s"] = [round(q, 1) for q in duration.quantiles_s]
    return document


def _behaviour_document(behaviour: QueueBehaviour) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for field in dataclasses.fields(QueueBehaviour):
        value = getattr(behaviour, field.name)
        if isinstance(value, Duration):
            document[field.name] = _duration_document(value)
        elif field.name == "transfer_to":
            document[field.name] = {q: round(w, 4) for q, w in value}
        elif isinstance(value, float):
            document[field.name] = round(value, 4)
        else:
            document[field.name] = value
    return document


_SHARES = ("skip_share", "requeue_share", "transfer_share", "cancel_share", "abandon_share")
_DURATIONS = ("service", "skip_after", "requeue_after", "transfer_after", "patience")


def parse_model(data: object, hall: Hall, *, source: str = "model", locate: Locate | None = None) -> ServiceModel:
    """A model document, checked: every queue of the hall gets a behaviour (missing queues take
    the configured default), durations within 5 s to 4 h, shares within 0 to 1."""
    check, data = open_document(data, source, locate, {"source", "turnaround_s", "queues", "items"}, "model", hall.id)
    defaults = config_model(hall)
    turnaround = data.get("turnaround_s", 0.0)
    if not _number(turnaround) or not 0 <= turnaround <= 3600:
        check.add(("turnaround_s",), "seconds from 0 to 3600")
        turnaround = 0.0
    queues = dict(defaults.queues)
    table = data.get("queues", {})
    if not isinstance(table, Mapping):
        check.add(("queues",), "a table of queues")
        table = {}
    for queue, entry in table.items():
        if queue not in queues:
            check.add(("queues", queue), f"hall {hall.id} has no queue {queue!r}")
            continue
        parsed = _parse_behaviour(check, ("queues", queue), entry, hall)
        if parsed is not None:
            queues[queue] = parsed
    items: dict[str, Duration] = {}
    item_table = data.get("items", {})
    if not isinstance(item_table, Mapping):
        check.add(("items",), "a table of item codes")
        item_table = {}
    for code, entry in item_table.items():
        if hall.item(code) is None:
            check.add(("items", code), f"hall {hall.id} has no item {code!r}")
            continue
        duration = _parse_duration(check, ("items", code), entry)
        if duration is not None:
            items[code] = duration
    check.raise_if_any(source)
    return ServiceModel(queues, items, float(turnaround), str(data.get("source", source)))


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _parse_duration(check: Collector, path: tuple[str, ...], value: object) -> Duration | None:
    if not isinstance(value, Mapping) or set(value) - {"median_s", "sigma", "quantiles_s"} or "median_s" not in value:
        check.add(path, "a duration { median_s = …, sigma = … } (and quantiles_s)")
        return None
    median, sigma = value["median_s"], value.get("sigma", DEFAULT_SIGMA)
    if not _number(median) or not MIN_DURATION_S <= median <= MAX_DURATION_S:
        check.add(path + ("median_s",), f"seconds from {MIN_DURATION_S:.0f} to {MAX_DURATION_S:.0f}")
        return None
    if not _number(sigma) or not 0 <= sigma <= 3:
        check.add(path + ("sigma",), "a spread from 0 to 3")
        return None
    quantiles = value.get("quantiles_s", [])
    if not isinstance(quantiles, list) or (quantiles and not (
        2 <= len(quantiles) <= 101
        and all(_number(q) and MIN_DURATION_S <= q <= MAX_DURATION_S for q in quantiles)
        and quantiles == sorted(quantiles)
    )):
        check.add(path + ("quantiles_s",), "2 to 101 durations in seconds (5 s to 4 h), from the fastest up")
        return None
    return Duration(float(median), float(sigma), tuple(float(q) for q in quantiles))


def _parse_behaviour(check: Collector, path: tuple[str, ...], value: object, hall: Hall) -> QueueBehaviour | None:
    if not isinstance(value, Mapping):
        check.add(path, "a table of the queue's durations and shares")
        return None
    known = {f.name for f in dataclasses.fields(QueueBehaviour)}
    fields: dict[str, Any] = {}
    ok = True
    for key, entry in value.items():
        where = path + (key,)
        if key not in known:
            check.add(where, f"unknown key (one of {', '.join(sorted(known))})")
            ok = False
        elif key in _DURATIONS:
            duration = _parse_duration(check, where, entry)
            ok &= duration is not None
            fields[key] = duration
        elif key in _SHARES:
            if not _number(entry) or not 0 <= entry <= 1:
                check.add(where, "a share from 0 to 1")
                ok = False
            fields[key] = float(entry) if _number(entry) else 0.0
        elif key == "transfer_to":
            if not isinstance(entry, Mapping) or any(hall.queue(q) is None for q in entry) or not all(
                _number(w) and w >= 0 for w in entry.values()
            ):
                check.add(where, "a table of the hall's queues and their weights")
                ok = False
            else:
                fields[key] = tuple((q, float(w)) for q, w in entry.items())
        elif key == "samples":
            fields[key] = int(entry) if isinstance(entry, int) else 0
    if "service" not in fields:
        check.add(path + ("service",), "required: the queue's service duration")
        return None
    if not ok:
        return None
    if sum(fields.get(k, 0.0) for k in ("skip_share", "transfer_share", "cancel_share")) > 1:
        check.add(path, "skip_share + transfer_share + cancel_share is more than 1")
        return None
    return QueueBehaviour(**fields)
