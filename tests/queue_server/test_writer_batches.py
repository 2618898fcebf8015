"""The writer's group commit with batched rows (storage/writer.py), on SQLite and PostgreSQL:
jobs of one batch see each other's changes, a job that fails takes no other job down and leaves
nothing behind, and a batched write that fails runs the batch again job by job so only the job
at fault fails. The jobs are held back behind a gate job so that they form one batch."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from queue_server.config import load_config
from queue_server.core import engine
from queue_server.core.errors import NotFound
from queue_server.core.model import Ticket
from queue_server.runtime import Runtime
from queue_server.storage import repository
from queue_server.storage import schema as s
from queue_server.storage.writer import WriteTx
from tests.support.halls import write_config

HALL = "wb"


@pytest.fixture(params=["sqlite", "postgres"])
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    config = load_config(write_config(tmp_path / "halls.toml", [HALL]))
    database = request.getfixturevalue("postgres").create_database() if request.param == "postgres" else None
    runtime = Runtime(config, database_url=database, data_dir=tmp_path / "data")
    try:
        yield runtime
    finally:
        runtime.close()


def one_batch(rt: Runtime, jobs: list[Callable[[WriteTx], Any]]) -> list[concurrent.futures.Future]:
    """Submit `jobs` while the writer is held by a gate job, so they run as one batch (and are
    announced as `rt.write` announces them)."""
    gate = threading.Event()
    held = threading.Event()

    def wait(_tx: WriteTx) -> None:
        held.set()
        gate.wait(10)

    first = rt.writer.submit(wait)
    assert held.wait(10)
    batches = rt.writer.batches
    futures = [rt.writer.submit(rt._announce(job) if rt._announce else job) for job in jobs]
    gate.set()
    first.result(10)
    concurrent.futures.wait(futures, timeout=30)
    assert rt.writer.batches == batches + 2, "the jobs did not run as one batch"
    return futures


def issue(queue: str = "A", ticket_id: str | None = None) -> Callable[[WriteTx], Ticket]:
    def job(tx: WriteTx) -> Ticket:
        state = tx.hall(HALL)
        request = engine.IssueRequest(ticket_id=ticket_id or engine_id(), queue=queue, channel="walkin")
        return tx.commit_change(HALL, engine.issue(state, request, dt.datetime.now(dt.UTC))).result

    return job


_ids = iter(range(10**6))


def engine_id() -> str:
    return f"wb{next(_ids):06d}"


def stored(rt: Runtime) -> dict[str, Any]:
    with rt.write_engine.connect() as conn:
        numbers = conn.execute(select(s.tickets.c.number).where(s.tickets.c.hall_id == HALL)).scalars().all()
        seqs = conn.execute(select(s.events.c.seq).where(s.events.c.hall_id == HALL).order_by(s.events.c.seq)).scalars().all()
        version = repository.hall_version(conn, HALL, lock=False)
        counters = dict(conn.execute(select(s.counters.c.queue, s.counters.c.last_seq).where(s.counters.c.hall_id == HALL)).all())
        audits = conn.execute(select(func.count()).select_from(s.audit_log)).scalar()
    return {"numbers": sorted(numbers), "seqs": seqs, "last_seq": version[0] if version else None,
            "counters": counters, "audits": audits}


def test_failed_jobs_leave_nothing_and_take_no_other_job_down(rt: Runtime) -> None:
    def fails_after_its_change(tx: WriteTx) -> None:
        issue()(tx)  # decided and applied to the working state, then the job fails
        raise RuntimeError("boom")

    def refused(tx: WriteTx) -> None:
        issue(queue="Z")(tx)  # the engine refuses: 404, nothing decided

    def counts(tx: WriteTx) -> int:  # reads through the connection: sees the rows of earlier jobs
        return tx.conn.execute(select(func.count()).select_from(s.tickets).where(s.tickets.c.hall_id == HALL)).scalar_one()

    def audits_then_fails(tx: WriteTx) -> None:
        issue()(tx)
        repository.audit(tx.conn, HALL, dt.datetime.now(dt.UTC), "test", "x", "y", {})
        raise RuntimeError("after writing through its savepoint")

    futures = one_batch(rt, [issue(), fails_after_its_change, issue("B"), refused, counts, audits_then_fails, issue()])
    first, failed, other_queue, not_found, count, savepoint_failed, last = futures
    assert first.result().number == "A001"
    with pytest.raises(RuntimeError):
        failed.result()
    assert other_queue.result().number == "B001"
    with pytest.raises(NotFound):
        not_found.result()
    assert count.result() == 2
    with pytest.raises(RuntimeError):
        savepoint_failed.result()
    assert last.result().number == "A002", "a number of a failed job is free again (it was never acknowledged)"
    after = stored(rt)
    assert after["numbers"] == ["A001", "A002", "B001"]
    assert after["counters"] == {"A": 2, "B": 1}
    assert after["audits"] == 0
    assert after["seqs"] == list(range(1, len(after["seqs"]) + 1))
    view = rt.store.view(HALL)
    assert after["last_seq"] == view.seq == after["seqs"][-1]
    assert sorted(t.number for t in view.tickets.values()) == after["numbers"]
    assert rt.writer.retries == 0


def test_a_batched_write_that_fails_runs_the_batch_again_job_by_job(rt: Runtime) -> None:
    taken = rt.writer.run_sync(issue(ticket_id="wb-duplicate"))
    assert taken.number == "A001"
    # The same ticket id again: the engine cannot know, the database refuses the row. Written
    # with the others' rows, it fails them all; run again one by one, only it fails.
    futures = one_batch(rt, [issue(), issue(ticket_id="wb-duplicate"), issue("B"), issue()])
    ok1, duplicate, ok2, ok3 = futures
    with pytest.raises(SQLAlchemyError):
        duplicate.result()
    assert [ok1.result().number, ok2.result().number, ok3.result().number] == ["A002", "B001", "A003"]
    assert rt.writer.retries == 1
    after = stored(rt)
    assert after["numbers"] == ["A001", "A002", "A003", "B001"]
    assert after["counters"] == {"A": 3, "B": 1}
    assert after["seqs"] == list(range(1, len(after["seqs"]) + 1))
    view = rt.store.view(HALL)
    assert after["last_seq"] == view.seq
    assert sorted(t.number for t in view.tickets.values()) == after["numbers"]
    # The next batch is batched again.
    assert rt.writer.run_sync(issue()).number == "A004"
    assert rt.writer.retries == 1


def test_events_of_a_batch_reach_the_hub_once_in_seq_order(rt: Runtime) -> None:
    published: list[int] = []
    original = rt.hub.publish

    def publish(hall_id: str, messages: Any) -> None:
        messages = list(messages)
        published.extend(m["seq"] for m in messages)
        original(hall_id, messages)

    rt.hub.publish = publish  # type: ignore[method-assign]
    futures = one_batch(rt, [issue(), issue("B"), issue("C"), issue()])
    assert all(f.exception() is None for f in futures)
    assert published == stored(rt)["seqs"]


@pytest.mark.parametrize("rt", ["postgres"], indirect=True)  # SQLite locks the whole database
def test_a_hall_locked_inside_a_failed_savepoint_is_locked_again(rt: Runtime) -> None:
    """PostgreSQL: a job that used the connection before its hall took the hall's lock inside its
    savepoint; when it fails, the lock goes with the savepoint, and the next job locks again."""

    def fails_holding_the_lock(tx: WriteTx) -> None:
        tx.conn.execute(select(1))
        tx.hall(HALL)
        raise NotFound("nothing here", "没有")

    def locked_elsewhere(tx: WriteTx) -> bool:
        tx.hall(HALL)
        with rt.write_engine.connect() as other, other.begin():
            other.exec_driver_sql("SET LOCAL lock_timeout = '100ms'")
            try:
                other.execute(select(s.hall_state.c.hall_id).where(s.hall_state.c.hall_id == HALL).with_for_update())
            except SQLAlchemyError:
                return True
        return False

    failed, probe = one_batch(rt, [fails_holding_the_lock, locked_elsewhere])
    with pytest.raises(NotFound):
        failed.result()
    assert probe.result() is True, "the hall was written without its lock"
