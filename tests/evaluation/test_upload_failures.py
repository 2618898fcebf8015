"""The provincial 好差评 upload against an endpoint that fails in every way a real one does, over
real server processes on SQLite and PostgreSQL: each failure mode still ends in exactly one
acknowledged delivery per record, a ticket's case never before its evaluation; dead letters
are listed and resent; a server killed with records pending and in flight delivers them all
after its restart, none twice; an outage far longer than the records' own retries kills none
and everything is flushed when the endpoint comes back.

"Two hours" is the halls' short backoff (0.1 s doubling to 0.5 s, time-out 1 s): an outage of a
few seconds is many capped backoffs and probes, the state a real two-hour outage reaches with
the default settings."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.evaluation.conftest import EvaluationHall
from tests.evaluation.receiver import Receiver
from tests.support.halls import _sha, hall_toml, token_for
from tests.support.servers import ServerProcess

# hall → its max_attempts; each hall uploads to a receiver of its own, but fshared to fdead's
HALLS = {"fmodes": 1000, "fdead": 3, "fshared": 1000, "frestart": 1000, "foutage": 3}
SHARED = {"fshared": "fdead"}
IN_FLIGHT = 4
CASE_STEPS = [
    {"action": "verify"},
    {"action": "callback", "note": "已电话回访", "reached": True},
    {"action": "rectify", "note": "高峰期增开窗口"},
    {"action": "reply", "note": "已告知整改措施", "channel": "phone"},
    {"action": "close"},
]


def upload_extra(hall_id: str, url: str, max_attempts: int) -> str:
    return "\n".join([
        "[halls.evaluation]",
        'lead = "m01"',
        'leads_by_window = { W01 = "s01" }',
        "[halls.evaluation.upload]",
        f'url = "{url}"',
        'mapping = "demo"',
        'hmac_key = "test-key"',
        "backoff_s = 0.1",
        "backoff_max_s = 0.5",
        "timeout_s = 1",
        f"in_flight = {IN_FLIGHT}",
        f"max_attempts = {max_attempts}",
        "[[halls.devices]]",
        'id = "evaluator-W01"',
        'kind = "evaluator"',
        f'token_sha256 = "{_sha(token_for(hall_id, "evaluator-W01"))}"',
    ])


class Outbox:
    def __init__(self, server: ServerProcess, receivers: dict[str, Receiver]):
        self.server = server
        self.receivers = receivers

    def hall(self, hall_id: str) -> tuple[EvaluationHall, Receiver]:
        return EvaluationHall(self.server, hall_id), self.receivers[SHARED.get(hall_id, hall_id)]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def outbox(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outbox]:
    root: Path = tmp_path_factory.mktemp(f"upload-failures-{request.param}")
    receivers = {hall_id: Receiver().start() for hall_id in HALLS if hall_id not in SHARED}
    for found in receivers.values():
        found.timeout_sleep_s = 2.5  # past the halls' 1 s time-out
    config = root / "halls.toml"
    config.write_text("\n".join(hall_toml(h, extra=upload_extra(h, receivers[SHARED.get(h, h)].url, n)) for h, n in HALLS.items()), encoding="utf-8")
    database = request.getfixturevalue("postgres").create_database() if request.param == "postgres" else None
    process = ServerProcess(config=config, data_dir=root / "data", database_url=database).start()
    try:
        yield Outbox(process, receivers)
    finally:
        process.stop()
        for found in receivers.values():
            found.stop()


def eventually(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    """Poll until `check()` is truthy (a liveness bound, not a measure of speed)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def evaluate(hall: EvaluationHall, level: int) -> dict[str, Any]:
    ticket = hall.served()
    body: dict[str, Any] = {"ticket_id": ticket["id"], "level": level}
    if level <= 2:
        body["reasons"] = ["等待时间长"]
    made = hall.http.post(hall.path("/evaluations"), headers=hall.evaluator, json=body)
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


def close_case(hall: EvaluationHall, case_id: str) -> None:
    for step in CASE_STEPS:
        done = hall.http.post(hall.path(f"/cases/{case_id}/actions"), json=step, headers=hall.staff("s01"))
        assert done.status_code == 200, done.text


def bad_with_closed_case(hall: EvaluationHall) -> tuple[str, str]:
    """A 差评 and its case closed: the record ids of the evaluation and of the case's final state."""
    made = evaluate(hall, 1)
    close_case(hall, made["case_id"])
    return f"ev-{made['id']}", f"case-{made['case_id']}"


def uploads(hall: EvaluationHall) -> dict[str, Any]:
    reply = hall.http.get(hall.path("/evaluations/uploads"), headers=hall.manager)
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def settled(hall: EvaluationHall, sent: int) -> dict[str, Any]:
    state: dict[str, Any] = eventually(lambda: (s := uploads(hall))["sent"] == sent and s["pending"] == 0 and s, f"{sent} sent")
    return state


def assert_once_in_order(receiver: Receiver, pairs: list[tuple[str, str]], singles: Sequence[str] = ()) -> None:
    """Every record acknowledged exactly once; each evaluation's every request before any of its
    case's."""
    expected = [i for pair in pairs for i in pair] + list(singles)
    eventually(lambda: all(receiver.acked[i] for i in expected), "every record acknowledged")
    assert {i: receiver.acked[i] for i in expected} == {i: 1 for i in expected}
    assert set(expected) <= set(receiver.platform)
    requests = receiver.ids()
    for evaluation, case in pairs:
        assert max(n for n, i in enumerate(requests) if i == evaluation) < min(n for n, i in enumerate(requests) if i == case)
    assert all(h["Idempotency-Key"] == str(r["id"]) for h, r in zip(receiver.headers, receiver.received, strict=True))


@pytest.mark.parametrize("mode", ["timeout", "error", "malformed", "not_acked", "drop", "duplicate_ack"])
def test_each_failure_mode_ends_in_one_delivery_in_order(outbox: Outbox, mode: str) -> None:
    hall, receiver = outbox.hall("fmodes")
    receiver.reset()
    before = uploads(hall)["sent"]
    # The evaluation's first sends fail (the case closes meanwhile and must wait for it); for a
    # duplicate ack, the request after the doubled ack fails, so a stale ack read as its reply
    # would lose the case's record.
    receiver.script = {"duplicate_ack": ["duplicate_ack", "error"], "timeout": ["timeout"]}.get(mode, [mode] * 3)
    evaluation, case = bad_with_closed_case(hall)
    assert_once_in_order(receiver, [(evaluation, case)])
    state = settled(hall, before + 2)
    assert state["dead"] == 0 and state["lag_s"] == 0
    if mode == "timeout":  # stored by the platform, the ack lost: sent again under the same key
        assert receiver.stored[evaluation] == 2
        keys = {h["Idempotency-Key"] for h, r in zip(receiver.headers, receiver.received, strict=True) if r["id"] == evaluation}
        assert keys == {evaluation}
    if mode == "duplicate_ack":
        assert receiver.ids() == [evaluation, case, case]  # the case's 500, then its delivery


def test_dead_letter_is_listed_and_resent(outbox: Outbox) -> None:
    hall, receiver = outbox.hall("fdead")
    shared, _ = outbox.hall("fshared")  # the same endpoint, its own max_attempts (1000)
    receiver.reset("not_acked")
    evaluation, case = bad_with_closed_case(hall)
    other = f"ev-{evaluate(shared, 5)['id']}"
    state = eventually(lambda: (s := uploads(hall))["dead"] == 1 and s, "a dead letter")
    assert (state["pending"], state["sent"]) == (1, 0)  # the case waits behind its evaluation
    (dead,) = state["dead_letters"]
    assert dead["record_key"].startswith("evaluation:") and dead["attempts"] == 3 and dead["kind"] == "first"
    assert "not acknowledged" in dead["last_error"]
    eventually(lambda: receiver.ids().count(other) > 3, "the other hall's record refused past fdead's max_attempts")
    assert (uploads(shared)["dead"], uploads(shared)["pending"]) == (0, 1)
    assert receiver.ids().count(evaluation) == 3 and case not in receiver.ids()
    assert not receiver.acked

    def resend(row: int, who: dict[str, str]) -> httpx.Response:
        return hall.http.post(hall.path(f"/evaluations/uploads/{row}/resend"), headers=who)

    assert resend(dead["id"], hall.staff("s01")).status_code == 403
    assert resend(987654, hall.manager).status_code == 404
    receiver.mode = "ok"
    again = resend(dead["id"], hall.manager)
    assert again.status_code == 200 and again.json() == {"id": dead["id"], "status": "pending"}
    assert_once_in_order(receiver, [(evaluation, case)], [other])
    state = settled(hall, 2)
    assert (state["dead"], state["dead_letters"]) == (0, [])
    assert settled(shared, 1)["dead"] == 0
    assert resend(dead["id"], hall.manager).status_code == 409  # sent now, not a dead letter
    shared.close()


def test_killed_with_records_pending_and_in_flight_delivers_all_after_restart(outbox: Outbox) -> None:
    hall, receiver = outbox.hall("frestart")
    receiver.reset()
    receiver.offline()
    try:
        pairs = [bad_with_closed_case(hall) for _ in range(2)]
        singles = [f"ev-{evaluate(hall, 5)['id']}" for _ in range(5)]
        assert uploads(hall)["pending"] == 9
        receiver.mode = "timeout"  # back: stores what it gets, answers too late
    finally:
        receiver.back_online()
    eventually(lambda: receiver.stored.total() >= 1, "a record stored, its ack in flight", timeout=30)
    hall.close()
    outbox.server.kill()  # records pending, claimed and in flight
    receiver.mode = "ok"
    outbox.server.start()
    hall, _ = outbox.hall("frestart")
    assert_once_in_order(receiver, pairs, singles)
    state = settled(hall, 9)
    assert state["dead"] == 0
    assert any(receiver.stored[i] == 2 for i in receiver.platform)  # the in-flight one, sent again
    hall.close()


def test_outage_longer_than_retries_kills_nothing_and_flushes(outbox: Outbox) -> None:
    hall, receiver = outbox.hall("foutage")  # max_attempts 3: three charged failures would kill
    receiver.reset("error")  # up, answering 500 to everything
    pairs = [bad_with_closed_case(hall) for _ in range(3)]
    singles = [f"ev-{evaluate(hall, 4)['id']}" for _ in range(12)]
    eventually(lambda: receiver.requests >= 4 * IN_FLIGHT, "the endpoint probed a few times")
    # Down: only a probe of the oldest records, never the rest
    assert len(set(receiver.ids())) <= IN_FLIGHT
    receiver.offline()  # and then nobody listens
    try:
        state = eventually(lambda: (s := uploads(hall))["lag_s"] >= 4 and s, "a long outage")
        assert (state["pending"], state["dead"], state["sent"]) == (18, 0, 0)
        receiver.mode = "ok"
    finally:
        receiver.back_online()
    assert_once_in_order(receiver, pairs, singles)
    state = settled(hall, 18)
    assert (state["dead"], state["lag_s"]) == (0, 0)
