"""好差评 benchmarks; prints figures, asserts nothing.

    .venv/bin/python bench/bench_evaluations.py [--backends sqlite,postgres] [--accept 3000]
                                                [--queued 10000] [--concurrency 16] [--outage-s 60]

Over real HTTP against a real server process (`python -m queue_server serve`) whose hall uploads
to a local receiver (tests/evaluation/receiver.py, the demo mapping) with the default upload
settings (backoff 2 s doubling to 300 s, time-out 5 s, 4 in flight, 20 attempts):

1. Evaluations accepted per second at concurrency 16 (`POST …/evaluations`: half first
   evaluations from the window's evaluator, half 追评 from the phone with the slip's secret), with
   p50/p99 latency, while the receiver is up and the uploader delivers alongside.
2. The outage: the receiver stops listening (connections refused), `--queued` evaluations are
   taken at concurrency 16 (their acceptance rate printed too), the outage is held until it has
   lasted `--outage-s` (by then the endpoint is probed at its slowest, every PROBE_MAX_S: the same
   state as after two hours, since records waiting for a down endpoint are neither sent nor
   counted); then the receiver comes back and the bench times until every record is acknowledged:
   the wait for the first delivery (the next probe), the flush after it, the server's CPU, and
   the counts lost (never stored), twice (acknowledged more than once), re-sent (stored more
   than once: an ack lost) and out of order (a ticket's 追评 stored before its first evaluation).

The tickets are served beforehand (issued, called and finished at three windows). Client,
receiver and server share this machine's cores, so the figures include the load generator's and
the receiver's cost; the 1-minute load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.evaluation.receiver import Receiver  # noqa: E402
from tests.support.halls import STAFF_PASSWORD, _sha, hall_toml, token_for  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.servers import ServerProcess  # noqa: E402

HALL = "bench-eval"
WINDOWS = (("W01", "s01"), ("W02", "s01"), ("W04", "s02"))  # the windows serving queue A


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def cpu_seconds(server: ServerProcess) -> float:
    assert server.process is not None
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def write_hall(path: Path, url: str) -> Path:
    extra = "\n".join([
        "[halls.evaluation]",
        "[halls.evaluation.upload]",
        f'url = "{url}"',
        'mapping = "demo"',
        "[[halls.devices]]",
        'id = "evaluator-W01"',
        'kind = "evaluator"',
        f'token_sha256 = "{_sha(token_for(HALL, "evaluator-W01"))}"',
    ])
    path.write_text(hall_toml(HALL, extra=extra), encoding="utf-8")
    return path


def api(suffix: str) -> str:
    return f"/api/v1/halls/{HALL}{suffix}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _pool(concurrency: int, items: list[Any], work: Any) -> list[Any]:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    results: list[Any] = []

    async def worker() -> None:
        while not queue.empty():
            results.append(await work(queue.get_nowait()))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


async def serve_tickets(server: ServerProcess, count: int) -> list[tuple[str, str]]:
    """`count` tickets issued, called and finished: (ticket id, the slip's secret k)."""
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
        kiosk = bearer(token_for(HALL, "kiosk-1"))

        async def issue(_: int) -> dict[str, Any]:
            reply = await http.post(api("/tickets"), json={"queue": "A", "channel": "walkin"}, headers=kiosk)
            reply.raise_for_status()
            found: dict[str, Any] = reply.json()
            return found

        tickets = await _pool(16, list(range(count)), issue)
        tokens = {}
        for staff in {s for _, s in WINDOWS}:
            login = await http.post("/api/v1/auth/login", json={"hall": HALL, "staff_id": staff, "password": STAFF_PASSWORD})
            tokens[staff] = bearer(login.json()["token"])

        async def window(name: str, staff: str) -> int:
            done = 0
            while True:
                called = await http.post(api(f"/windows/{name}/call-next"), headers=tokens[staff])
                if called.status_code != 200:
                    return done
                finished = await http.post(api(f"/tickets/{called.json()['id']}/actions"), json={"action": "finish"},
                                           headers=tokens[staff])
                finished.raise_for_status()
                done += 1

        served = sum(await asyncio.gather(*(window(w, s) for w, s in WINDOWS)))
        assert served == count, f"served {served} of {count}"
    out = []
    for ticket in tickets:
        parts = urlsplit(ticket["track_url"])
        out.append((ticket["id"], parts.query.split("k=", 1)[1]))
    return out


async def evaluate(server: ServerProcess, tickets: list[tuple[str, str]], concurrency: int) -> dict[str, Any]:
    """Every ticket evaluated twice at `concurrency`: first by the window's evaluator, then a
    追评 from the phone. The figures and the record ids, per ticket in order."""
    limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
    evaluator = bearer(token_for(HALL, "evaluator-W01"))
    latencies: list[float] = []
    refused = 0
    async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:

        async def post(body: dict[str, Any], headers: dict[str, str] | None) -> str | None:
            nonlocal refused
            started = time.perf_counter()
            reply = await http.post(api("/evaluations"), json=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if reply.status_code != 201:
                refused += 1
                return None
            return f"ev-{reply.json()['id']}"

        async def both(ticket: tuple[str, str]) -> tuple[str | None, str | None]:
            ticket_id, k = ticket
            first = await post({"ticket_id": ticket_id, "level": 5}, evaluator)
            followup = await post({"ticket_id": ticket_id, "k": k, "level": 4, "followup": True}, None)
            return first, followup

        cpu_before = cpu_seconds(server)
        started = time.perf_counter()
        pairs = await _pool(concurrency, tickets, both)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(server) - cpu_before
    accepted = len(latencies) - refused
    return {
        "accepted": accepted, "refused": refused, "rate": accepted / elapsed, "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99), "cpu_ms": cpu * 1000 / max(1, accepted), "pairs": pairs,
    }


def print_rate(label: str, r: dict[str, Any]) -> None:
    print(f"  {label}: {r['rate']:7.1f} evaluations/s   p50 {r['p50_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms   "
          f"server CPU {r['cpu_ms']:.1f} ms each   ({r['accepted']} accepted, {r['refused']} refused)   {load()}")


def uploads(server: ServerProcess, manager: dict[str, str]) -> dict[str, Any]:
    reply = httpx.get(server.url + api("/evaluations/uploads"), headers=manager, timeout=60)
    reply.raise_for_status()
    found: dict[str, Any] = reply.json()
    return found


def wait_all_acked(receiver: Receiver, ids: set[str], limit_s: float) -> float | None:
    """Seconds until every id is acknowledged, or None when `limit_s` passed first."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        with receiver.lock:
            if ids <= receiver.acked.keys():
                return time.perf_counter() - started
        time.sleep(0.02)
    return None


def check(receiver: Receiver, pairs: list[tuple[str | None, str | None]]) -> dict[str, int]:
    ids = {i for pair in pairs for i in pair if i}
    with receiver.lock:
        position = {record_id: n for n, record_id in enumerate(receiver.order)}
        return {
            "lost": len(ids - receiver.platform.keys()),
            "twice": sum(1 for i in ids if receiver.acked[i] > 1),
            "re-sent": sum(1 for i in ids if receiver.stored[i] > 1),
            "out of order": sum(1 for a, b in pairs if a and b and a in position and b in position and position[a] > position[b]),
        }


def run_backend(backend: str, args: argparse.Namespace, workdir: Path, cluster: PostgresCluster | None) -> None:
    receiver = Receiver().start()
    root = workdir / backend
    root.mkdir()
    config = write_hall(root / "halls.toml", receiver.url)
    database = cluster.create_database() if cluster else None
    server = ServerProcess(config=config, data_dir=root / "data", database_url=database).start()
    try:
        login = httpx.post(server.url + "/api/v1/auth/login", json={"hall": HALL, "staff_id": "m01", "password": STAFF_PASSWORD})
        manager = bearer(login.json()["token"])
        print(f"{backend}:")
        tickets = asyncio.run(serve_tickets(server, args.accept // 2))
        up = asyncio.run(evaluate(server, tickets, args.concurrency))
        print_rate(f"accepted at concurrency {args.concurrency}, receiver up", up)
        ids = {i for pair in up["pairs"] for i in pair if i}
        wait_all_acked(receiver, ids, 120)
        print(f"  delivered alongside: {check(receiver, up['pairs'])}")

        tickets = asyncio.run(serve_tickets(server, args.queued // 2))
        receiver.offline()
        receiver.reset()
        outage_started = time.perf_counter()
        down = asyncio.run(evaluate(server, tickets, args.concurrency))
        print_rate(f"accepted at concurrency {args.concurrency}, receiver down", down)
        held = args.outage_s - (time.perf_counter() - outage_started)
        if held > 0:
            time.sleep(held)
        state = uploads(server, manager)
        print(f"  outage of {time.perf_counter() - outage_started:.0f} s: pending {state['pending']}, dead {state['dead']}, "
              f"lag {state['lag_s']} s")
        ids = {i for pair in down["pairs"] for i in pair if i}
        cpu_before = cpu_seconds(server)
        receiver.back_online()
        back = time.perf_counter()
        first = None
        while first is None and time.perf_counter() - back < 600:
            with receiver.lock:
                if receiver.acked:
                    first = time.perf_counter() - back
            time.sleep(0.01)
        total = wait_all_acked(receiver, ids, 600)
        cpu = cpu_seconds(server) - cpu_before
        state = uploads(server, manager)
        shown = f"{total:.1f} s" if total is not None else "not within 600 s"
        print(f"  after the outage, {len(ids)} records: all delivered {shown} after the endpoint came back "
              f"(first after {first or float('nan'):.1f} s, the flush {total - first if total and first else float('nan'):.1f} s, "
              f"{len(ids) / (total - first) if total and first and total > first else float('nan'):.0f} records/s), "
              f"server CPU {cpu:.1f} s, {load()}")
        print(f"  {check(receiver, down['pairs'])}; outbox: sent {state['sent']}, pending {state['pending']}, dead {state['dead']}")
    finally:
        server.stop()
        receiver.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--accept", type=int, default=3000, help="evaluations for the acceptance run (1.)")
    parser.add_argument("--queued", type=int, default=10000, help="evaluations queued in the outage (2.)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--outage-s", type=float, default=60)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {load()}")
    with tempfile.TemporaryDirectory(prefix="bench-eval-") as tmp:
        cluster = PostgresCluster() if "postgres" in args.backends else None
        try:
            for backend in args.backends.split(","):
                run_backend(backend, args, Path(tmp), cluster if backend == "postgres" else None)
        finally:
            if cluster:
                cluster.stop()


if __name__ == "__main__":
    main()
