"""A day's forecast: tickets per hour for each queue (and the share of green-channel tickets,
reservations and each queue's items), and the arrivals it generates for a seed.

    hall = "jn-city"                 # optional
    green_share = 0.04               # optional, 0 to 1
    reservation_share = 0.10         # optional: checked-in reservations, 0 to 1
    [rates]                          # tickets per hour, by queue and local hour
    A = { "09" = 30, "10" = 45, "11" = 38, "13" = 20, "14" = 26, "15" = 22, "16" = 9 }
    B = [0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 52, 47, 10, 30, 35, 30, 18, 0, 0, 0, 0, 0, 0, 0]
    [items.A]                        # optional: each item's share of the queue's tickets
    "11370100006346299R1370100101000" = 0.6

Arrivals within an hour follow a Poisson process at that hour's rate. The same seed gives the
same citizens whatever the plan, so two plans are compared on the same day.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import math
import random
from collections.abc import Mapping
from typing import Any

from hall_common.vocabulary import Channel

from ..config import Hall
from .clock import US
from .day import Arrival, Day
from .problems import Collector, Locate, open_document

MAX_RATE_PER_HOUR = 2000.0  # more tickets than this in one queue in one hour is a typo, not a hall
MAX_DAY_TICKETS = 100_000
RESERVATION_SLOT_US = 30 * 60 * US
_KEYS = {"hall", "green_share", "reservation_share", "rates", "items"}


@dataclasses.dataclass(frozen=True, slots=True)
class Forecast:
    rates: Mapping[str, tuple[float, ...]]  # queue → 24 hourly rates (tickets per hour)
    green_share: float = 0.0
    reservation_share: float = 0.0
    items: Mapping[str, tuple[tuple[str, float], ...]] = dataclasses.field(default_factory=dict)

    def expected_total(self) -> float:
        return sum(sum(hours) for hours in self.rates.values())

    def expected(self, queue: str, hour: int) -> float:
        return self.rates.get(queue, (0.0,) * 24)[hour]

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "green_share": round(self.green_share, 4),
            "reservation_share": round(self.reservation_share, 4),
            "rates": {
                q: {f"{h:02d}": round(r, 2) for h, r in enumerate(hours) if r > 0} for q, hours in self.rates.items()
            },
        }
        if self.items:
            document["items"] = {q: {code: round(w, 4) for code, w in mix} for q, mix in self.items.items()}
        return document

    def scaled(self, factor: float) -> Forecast:
        """The same day with `factor` times as many citizens (a peak day)."""
        return dataclasses.replace(
            self, rates={q: tuple(r * factor for r in hours) for q, hours in self.rates.items()}
        )


def parse_forecast(data: object, hall: Hall, *, source: str = "forecast", locate: Locate | None = None) -> Forecast:
    check, data = open_document(data, source, locate, _KEYS, "forecast", hall.id)
    shares = {}
    for key in ("green_share", "reservation_share"):
        value = data.get(key, 0.0)
        if not _number(value) or not 0 <= value <= 1:
            check.add((key,), "a share from 0 to 1")
            value = 0.0
        shares[key] = float(value)
    queues = {q.id for q in hall.queues}
    rates: dict[str, tuple[float, ...]] = {}
    table = data.get("rates")
    if not isinstance(table, Mapping) or not table:
        check.add(("rates",), "rates is a table of queues, each with its tickets per hour")
        table = {}
    for queue, hours in table.items():
        if queue not in queues:
            check.add(("rates", queue), f"hall {hall.id} has no queue {queue!r}")
            continue
        parsed = _hours(check, ("rates", queue), hours)
        if parsed is not None:
            rates[queue] = parsed
    items = _items(check, data.get("items", {}), hall)
    if not check.problems:
        total = sum(sum(h) for h in rates.values())
        if total <= 0:
            check.add(("rates",), "every rate is 0: the forecast brings nobody (an empty day)")
        elif total > MAX_DAY_TICKETS:
            check.add(("rates",), f"{total:.0f} tickets in one day is more than the simulator takes ({MAX_DAY_TICKETS})")
    check.raise_if_any(source)
    return Forecast(rates, shares["green_share"], shares["reservation_share"], items)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _hours(check: Collector, path: tuple[str, ...], value: object) -> tuple[float, ...] | None:
    rates = [0.0] * 24
    if isinstance(value, list):
        if len(value) != 24:
            check.add(path, f"a list of 24 hourly rates (00 to 23), not {len(value)}")
            return None
        pairs: list[tuple[Any, Any, tuple[Any, ...]]] = [(h, r, path + (h,)) for h, r in enumerate(value)]
    elif isinstance(value, Mapping):
        pairs = [(h, r, path + (h,)) for h, r in value.items()]
    else:
        check.add(path, 'hourly rates: a table such as { "09" = 30, "10" = 45 } or a list of 24')
        return None
    ok = True
    for hour, rate, where in pairs:
        index = _hour(hour)
        if index is None:
            check.add(where, f"{hour!r} is not an hour of the day (00 to 23)")
            ok = False
        elif not _number(rate) or rate < 0:
            check.add(where, f"a rate is a number of tickets per hour, 0 or more, not {rate!r}")
            ok = False
        elif rate > MAX_RATE_PER_HOUR:
            check.add(where, f"{rate} tickets an hour in one queue is absurd (at most {MAX_RATE_PER_HOUR:.0f})")
            ok = False
        else:
            rates[index] = float(rate)
    return tuple(rates) if ok else None


def _hour(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= 23 else None
    if isinstance(value, str):
        text = value.removesuffix(":00")
        if text.isdigit() and len(text) <= 2 and int(text) <= 23:
            return int(text)
    return None


def _items(check: Collector, value: object, hall: Hall) -> dict[str, tuple[tuple[str, float], ...]]:
    if not isinstance(value, Mapping):
        check.add(("items",), "items is a table of queues, each a table of item codes and shares")
        return {}
    mixes: dict[str, tuple[tuple[str, float], ...]] = {}
    for queue, mix in value.items():
        if hall.queue(queue) is None:
            check.add(("items", queue), f"hall {hall.id} has no queue {queue!r}")
            continue
        if not isinstance(mix, Mapping) or not mix:
            check.add(("items", queue), "a table of item codes and their shares")
            continue
        entries = []
        for code, weight in mix.items():
            item = hall.item(code)
            if item is None or item.queue != queue:
                check.add(("items", queue, code), f"no item {code!r} in queue {queue}")
            elif not _number(weight) or weight < 0:
                check.add(("items", queue, code), "a share is a number, 0 or more")
            else:
                entries.append((code, float(weight)))
        if entries and sum(w for _, w in entries) > 1.0 + 1e-6:
            check.add(("items", queue), "the item shares of a queue add up to more than 1")
        mixes[queue] = tuple(entries)
    return mixes


# -- arrivals ----------------------------------------------------------------------------------


def generate(forecast: Forecast, date: dt.date, seed: int) -> Day:
    """The citizens of one day for `seed`: Poisson arrivals per queue and hour, each with its
    own draws for green, reservation and item, numbered in order of arrival."""
    drawn: list[tuple[int, str, bool, bool, str | None]] = []
    for queue in sorted(forecast.rates):
        rng = random.Random(f"{seed}|arrivals|{queue}")
        mix = forecast.items.get(queue, ())
        for hour, rate in enumerate(forecast.rates[queue]):
            if rate <= 0:
                continue
            moment = float(hour * 3600)
            while True:
                moment += rng.expovariate(rate / 3600)
                if moment >= (hour + 1) * 3600:
                    break
                green = rng.random() < forecast.green_share
                reserved = rng.random() < forecast.reservation_share
                drawn.append((int(moment * US), queue, green, reserved, _pick(mix, rng.random())))
    drawn.sort(key=lambda d: (d[0], d[1]))
    arrivals = []
    for index, (at, queue, green, reserved, item) in enumerate(drawn):
        slot = (at // RESERVATION_SLOT_US) * RESERVATION_SLOT_US
        arrivals.append(
            Arrival(
                ticket_id=f"sim{index:06d}",
                queue=queue,
                at=at,
                channel=Channel.RESERVATION.value if reserved else Channel.WALKIN.value,
                green=green,
                item_code=item,
                slot_start=slot if reserved else None,
                slot_end=slot + RESERVATION_SLOT_US if reserved else None,
            )
        )
    return Day(date, tuple(arrivals), f"forecast, seed {seed}")


def _pick(mix: tuple[tuple[str, float], ...], draw: float) -> str | None:
    """An item by its share; the rest of the queue's tickets name no item."""
    if not mix:
        return None
    cumulative = []
    total = 0.0
    for _, weight in mix:
        total += weight
        cumulative.append(total)
    index = bisect.bisect_right(cumulative, draw)
    return mix[index][0] if index < len(mix) else None
