"""Queue server benchmarks; prints figures, asserts nothing.

    .venv/bin/python bench/bench_server.py [--backends sqlite,postgres] [--seconds 10]
                                           [--subscribers 1000] [--calls 40]
                                           [--compare CHECKOUT] [--rounds N]

1. Tickets issued per second and p50/p99 latency at concurrency 1, 16 and 64, on each backend with
   the default durability (SQLite synchronous=FULL; PostgreSQL fsync on), measured by wrk
   (Debian's `wrk`, installed when missing) POSTing walk-in tickets over keep-alive connections,
   with the server's CPU time per ticket (user + system, from /proc) and the machine's 1-minute
   load average at the end of each run.
2. Call-next latency: one staff member calling and finishing tickets back to back.
3. Call → arrival at N stream subscribers (p50/p99/max over every subscriber and call), the
   subscribers spread over 4 client processes, and the server's resident memory before and with
   them connected.
4. `--replies` (alone): the event-loop CPU that FastAPI's answering of a route costs with its
   reply model (`queue_server/api/replies.py`: validate the service's dict, write JSON) against
   the `dict[str, Any]` the routes declared before, per reply, on replies that the tour of the API
   (tests/queue_server/api_tour.py) captured from a real server. The lean issuing path builds its
   answer without either, so it is not among them.

`--compare CHECKOUT` runs another checkout's server (say a `git worktree` of an older commit) in
turn with this one's, `--rounds` times each, every run on a fresh database, so both meet the same
load from whatever else the machine does (the load average is printed with every figure).
Client and server share this machine's cores, so the figures include the load generator's cost.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.halls import STAFF_PASSWORD, token_for, write_config  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.servers import ServerProcess  # noqa: E402

HALL = "bench"
QUIET_HALL = "bench-quiet"  # call-next where no issuing run has left thousands of tickets waiting


@dataclasses.dataclass
class CheckoutServer(ServerProcess):
    """A server of this checkout, or of `checkout` (another one) when given."""

    checkout: Path | None = None

    def command(self) -> list[str]:
        command = super().command()
        if self.checkout is None:
            return command
        # `-m queue_server` would import this checkout's package (the working directory comes
        # first on sys.path): put the other checkout before it.
        start = (
            f"import runpy, sys; sys.path.insert(0, {str(self.checkout)!r}); "
            "runpy.run_module('queue_server', run_name='__main__')"
        )
        return [command[0], "-c", start] + command[command.index("-m") + 2:]


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
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def issue_rate(server: ServerProcess, concurrency: int, seconds: int, workdir: Path) -> dict:
    script = workdir / "issue.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        "wrk.body = '{\"queue\":\"A\",\"channel\":\"walkin\"}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token_for(HALL, "kiosk-1")}"\n'
    )
    threads = min(2, concurrency)
    cpu_before = cpu_seconds(server)
    result = subprocess.run(
        [ensure_wrk(), f"-t{threads}", f"-c{concurrency}", f"-d{seconds}s", "--latency", "-s", str(script),
         f"{server.url}/api/v1/halls/{HALL}/tickets"],
        capture_output=True, text=True, check=True,
    )
    out = result.stdout
    cpu = cpu_seconds(server) - cpu_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # The latency distribution's own lines (other lines end in "…50%" too).
    p50 = _ms(re.search(r"(?m)^\s+50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"(?m)^\s+99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rate": rate, "p50_ms": p50, "p99_ms": p99, "non_2xx": int(errors.group(1)) if errors else 0,
        "cpu_ms": cpu * 1000 / max(1, requests),
    }


def call_next_latency(server: ServerProcess, calls: int, hall: str = HALL) -> dict:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        kiosk = {"Authorization": f"Bearer {token_for(hall, 'kiosk-1')}"}
        for _ in range(calls):
            http.post(f"/api/v1/halls/{hall}/tickets", json={"queue": "C", "channel": "walkin"}, headers=kiosk)
        token = http.post("/api/v1/auth/login", json={"hall": hall, "staff_id": "s02", "password": STAFF_PASSWORD}).json()["token"]
        staff = {"Authorization": f"Bearer {token}"}
        durations = []
        for _ in range(calls):
            started = time.perf_counter()
            response = http.post(f"/api/v1/halls/{hall}/windows/W03/call-next", headers=staff)
            durations.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                break
            http.post(f"/api/v1/halls/{hall}/tickets/{response.json()['id']}/actions", json={"action": "finish"}, headers=staff)
    return {"calls": len(durations), "p50_ms": percentile(durations, 50), "p99_ms": percentile(durations, 99)}


def _subscriber_worker(url: str, count: int, ready, results) -> None:  # type: ignore[no-untyped-def]
    import websockets

    async def one(arrivals: list[tuple[int, float]], done: asyncio.Event) -> None:
        async with websockets.connect(url, max_queue=None, compression=None, open_timeout=60) as ws:
            await ws.recv()  # snapshot
            ready.put(1)
            while not done.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=1)
                except TimeoutError:
                    continue
                received = time.time()
                message = json.loads(raw)
                if message.get("type") == "call":
                    arrivals.append((message["seq"], received))

    async def main() -> None:
        arrivals: list[tuple[int, float]] = []
        done = asyncio.Event()
        tasks = []
        for index in range(count):
            tasks.append(asyncio.create_task(one(arrivals, done)))
            if index % 50 == 49:
                await asyncio.sleep(0.05)  # do not stampede the accept queue
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, results.get_stop)
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        results.put(arrivals)

    asyncio.run(main())


class _Results:
    """A queue the workers put arrivals in, plus a stop flag they wait on."""

    def __init__(self, manager: multiprocessing.managers.SyncManager):  # type: ignore[name-defined]
        self.queue = manager.Queue()
        self.stop = manager.Event()

    def put(self, item: object) -> None:
        self.queue.put(item)

    def get_stop(self) -> None:
        self.stop.wait()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fan_out(server: ServerProcess, subscribers: int, calls: int) -> dict:
    assert server.process is not None
    url = f"{server.ws_url}/api/v1/halls/{HALL}/stream?token={token_for(HALL, 'screen-1')}"
    before = rss_kb(server.process.pid)
    manager = multiprocessing.Manager()
    ready = manager.Queue()
    results = _Results(manager)
    workers = 4
    processes = [
        multiprocessing.Process(target=_subscriber_worker, args=(url, subscribers // workers, ready, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in range(subscribers // workers * workers):
        ready.get(timeout=120)
    time.sleep(1)
    connected = rss_kb(server.process.pid)
    sent: dict[int, float] = {}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        kiosk = {"Authorization": f"Bearer {token_for(HALL, 'kiosk-1')}"}
        token = http.post("/api/v1/auth/login", json={"hall": HALL, "staff_id": "s01", "password": STAFF_PASSWORD}).json()["token"]
        staff = {"Authorization": f"Bearer {token}"}
        for _ in range(calls):
            http.post(f"/api/v1/halls/{HALL}/tickets", json={"queue": "B", "channel": "walkin"}, headers=kiosk)
        time.sleep(1)
        for _ in range(calls):
            started = time.time()
            response = http.post(f"/api/v1/halls/{HALL}/windows/W01/call-next", headers=staff)
            ticket = response.json()
            sent_at = started
            http.post(f"/api/v1/halls/{HALL}/tickets/{ticket['id']}/actions", json={"action": "finish"}, headers=staff)
            sent[ticket["number"]] = sent_at
            time.sleep(0.3)
    time.sleep(2)
    results.stop.set()
    arrivals: list[tuple[int, float]] = []
    for _ in processes:
        arrivals.extend(results.queue.get(timeout=60))
    for process in processes:
        process.join(30)
    # Map each call's seq to its send time: calls were sent in order, so sort seqs.
    call_seqs = sorted({seq for seq, _ in arrivals})
    send_times = [sent[n] for n in sorted(sent, key=lambda n: sent[n])]
    by_seq = dict(zip(call_seqs, send_times))
    latencies = [(received - by_seq[seq]) * 1000 for seq, received in arrivals if seq in by_seq]
    expected = len(call_seqs) * (subscribers // workers * workers)
    return {
        "subscribers": subscribers // workers * workers,
        "calls": len(call_seqs),
        "delivered": f"{len(latencies)}/{expected}",
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies) if latencies else float("nan"),
        "rss_before_mb": before / 1024,
        "rss_connected_mb": connected / 1024,
        "kb_per_connection": (connected - before) / max(1, subscribers),
    }


def run_backend(
    backend: str, args: argparse.Namespace, workdir: Path, cluster: PostgresCluster | None,
    label: str = "", checkout: Path | None = None,
) -> None:
    config = write_config(workdir / f"{backend}.toml", [HALL, QUIET_HALL])
    database = cluster.create_database() if cluster else None
    data_dir = Path(tempfile.mkdtemp(prefix=f"data-{backend}-", dir=workdir))
    server = CheckoutServer(config=config, data_dir=data_dir, database_url=database, checkout=checkout).start()
    try:
        print(f"\n== {backend}{label}", flush=True)
        for concurrency in (1, 16, 64):
            r = issue_rate(server, concurrency, args.seconds, workdir)
            print(
                f"issue  c={concurrency:<3} {r['rate']:8.0f} tickets/s   p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:6.2f} ms"
                f"   non-2xx {r['non_2xx']}   cpu {r['cpu_ms']:.3f} ms/ticket   {load()}",
                flush=True,
            )
        for hall, where in ((HALL, "after the issuing runs"), (QUIET_HALL, "in a hall of its own")):
            r = call_next_latency(server, args.calls * 5, hall)
            print(
                f"call-next (sequential, {r['calls']} calls, {where})   p50 {r['p50_ms']:.2f} ms   p99 {r['p99_ms']:.2f} ms"
                f"   {load()}",
                flush=True,
            )
        if backend == args.fanout_backend and checkout is None:
            r = fan_out(server, args.subscribers, args.calls)
            print(
                f"call → {r['subscribers']} subscribers ({r['calls']} calls, delivered {r['delivered']}):"
                f"   p50 {r['p50_ms']:.1f} ms   p99 {r['p99_ms']:.1f} ms   max {r['max_ms']:.1f} ms"
            )
            print(
                f"server memory: {r['rss_before_mb']:.0f} MB before, {r['rss_connected_mb']:.0f} MB with them connected"
                f" (≈ {r['kb_per_connection']:.0f} KB per connection)"
            )
    finally:
        server.stop()


def reply_costs(repeats: int = 2000) -> None:
    """µs of CPU per reply through FastAPI's own `serialize_response`: reply model vs plain dict."""
    from typing import Any

    from fastapi.routing import serialize_response
    from fastapi.utils import create_model_field

    from queue_server.api import replies
    from tests.identity.helpers import astronaut, jpeg
    from tests.queue_server.api_tour import take_tour
    from tests.support.api import HallClient

    with tempfile.TemporaryDirectory(prefix="bench-replies-") as tmp:
        config = write_config(Path(tmp) / "halls.toml", [HALL])
        server = ServerProcess(config=config, data_dir=Path(tmp) / "data").start()
        try:
            client = HallClient(server, HALL)
            tour = take_tour(client, jpeg(astronaut()))
            client.close()
        finally:
            server.stop()
    bodies = {(e.method, e.route): e.body for e in tour.exchanges if e.status == 200}
    cases = [
        ("call-next → TicketReply", replies.TicketReply, ("POST", "/api/v1/halls/{hall}/windows/{window}/call-next")),
        ("ticket action → TicketReply", replies.TicketReply, ("POST", "/api/v1/halls/{hall}/tickets/{ticket_id}/actions")),
        ("GET hall → HallReply", replies.HallReply, ("GET", "/api/v1/halls/{hall}")),
        ("GET queues → list[QueueReply]", list[replies.QueueReply], ("GET", "/api/v1/halls/{hall}/queues")),
        ("GET track → TrackReply", replies.TrackReply, ("GET", "/api/v1/track/{ticket_id}")),
    ]

    async def cost(field: Any, body: Any) -> float:
        started = time.process_time()
        for _ in range(repeats):
            await serialize_response(field=field, response_content=body, dump_json=True)
        return (time.process_time() - started) / repeats * 1e6

    async def measure() -> None:
        for name, model, key in cases:
            body = bodies[key]
            plain_type = list[dict[str, Any]] if isinstance(body, list) else dict[str, Any]
            typed = create_model_field("Response_typed", model, mode="serialization")
            plain = create_model_field("Response_plain", plain_type, mode="serialization")
            before = min([await cost(plain, body) for _ in range(3)])
            after = min([await cost(typed, body) for _ in range(3)])
            print(f"{name:<32} dict[str, Any] {before:6.1f} µs   model {after:6.1f} µs   ({after - before:+.1f} µs)")

    print(f"reply serialisation, CPU per reply (best of 3 × {repeats}), {load()}")
    asyncio.run(measure())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--fanout-backend", default="sqlite", help="'none': no fan-out run")
    parser.add_argument("--compare", type=Path, help="another checkout, whose server runs in turn with this one's")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each server (with --compare, alternating)")
    parser.add_argument("--replies", action="store_true", help="only the reply models' serialisation cost (4.)")
    args = parser.parse_args()
    if args.replies:
        reply_costs()
        return
    servers: list[tuple[str, Path | None]] = [("this checkout", None)]
    if args.compare:
        servers.insert(0, (str(args.compare.resolve()), args.compare.resolve()))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {load()}")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        cluster = PostgresCluster() if "postgres" in args.backends else None
        try:
            for backend in args.backends.split(","):
                for round_ in range(1, args.rounds + 1):
                    for name, checkout in servers:
                        label = f"   [{name}, round {round_}/{args.rounds}]" if len(servers) > 1 or args.rounds > 1 else ""
                        run_backend(backend, args, workdir, cluster if backend == "postgres" else None, label, checkout)
        finally:
            if cluster:
                cluster.stop()


if __name__ == "__main__":
    main()
