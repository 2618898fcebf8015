"""Call → N phone pages: N citizens follow their own tickets through the tracking stream
(`/api/v1/track/{id}/stream?k=…`, what the phone page uses); each call moves every one of them
up a place, so each phone gets a new message. Prints p50/p99/max of the time from sending the
call to a phone receiving its update, over every phone and call.

    .venv/bin/python bench/bench_phones.py [--phones 1000] [--calls 20] [--across]

The phones are spread over 4 client processes on the same 2 cores as the server. By default one
server on SQLite; `--across`: two server processes over one PostgreSQL, the calls made through
one and the phones connected to the other (the events go through LISTEN/NOTIFY).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_server import HALL, percentile  # noqa: E402
from tests.support.halls import STAFF_PASSWORD, hall_toml, token_for  # noqa: E402
from tests.support.postgres import PostgresCluster  # noqa: E402
from tests.support.servers import ServerProcess  # noqa: E402

WORKERS = 4


def _phones(urls: list[str], ready, stop, results) -> None:  # type: ignore[no-untyped-def]
    import websockets

    async def one(url: str, arrivals: list[tuple[int, float]], done: asyncio.Event) -> None:
        async with websockets.connect(url, max_queue=None, compression=None, open_timeout=60) as ws:
            first = json.loads(await ws.recv())
            ready.put(1)
            last = first["waiting_ahead"]
            while not done.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=1)
                except TimeoutError:
                    continue
                received = time.time()
                ahead = json.loads(raw)["waiting_ahead"]
                if ahead < last:  # moved up: one call
                    arrivals.append((ahead, received))
                    last = ahead

    async def main() -> None:
        arrivals: list[tuple[int, float]] = []
        done = asyncio.Event()
        tasks = []
        for index, url in enumerate(urls):
            tasks.append(asyncio.create_task(one(url, arrivals, done)))
            if index % 50 == 49:
                await asyncio.sleep(0.05)
        await asyncio.get_running_loop().run_in_executor(None, stop.wait)
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        results.put(arrivals)

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--across", action="store_true", help="two server processes over one PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-phones-") as tmp:
        config = Path(tmp) / "halls.toml"
        # One secret key for every process, so a tracking link works on either.
        config.write_text(f'[server]\nsecret_key_file = "{Path(tmp) / "secret.key"}"\n' + hall_toml(HALL), encoding="utf-8")
        cluster = PostgresCluster() if args.across else None
        database = cluster.create_database() if cluster else None
        server = ServerProcess(config=config, data_dir=Path(tmp) / "data", database_url=database).start()
        phones_server = (
            ServerProcess(config=config, data_dir=Path(tmp) / "data-b", database_url=database).start()
            if cluster else server
        )
        try:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                kiosk = {"Authorization": f"Bearer {token_for(HALL, 'kiosk-1')}"}
                # The tickets the staff will call first, then one followed ticket per phone.
                for _ in range(args.calls):
                    http.post(f"/api/v1/halls/{HALL}/tickets", json={"queue": "C", "channel": "walkin"}, headers=kiosk)
                urls = []
                for _ in range(args.phones):
                    ticket = http.post(f"/api/v1/halls/{HALL}/tickets", json={"queue": "C", "channel": "walkin"}, headers=kiosk).json()
                    urls.append(phones_server.ws_url + ticket["track_url"].replace("?", "/stream?"))
                manager = multiprocessing.Manager()
                ready, stop, results = manager.Queue(), manager.Event(), manager.Queue()
                share = len(urls) // WORKERS
                workers = [
                    multiprocessing.Process(target=_phones, args=(urls[i * share:(i + 1) * share], ready, stop, results))
                    for i in range(WORKERS)
                ]
                for worker in workers:
                    worker.start()
                for _ in range(share * WORKERS):
                    ready.get(timeout=180)
                time.sleep(1)
                token = http.post("/api/v1/auth/login", json={"hall": HALL, "staff_id": "s02", "password": STAFF_PASSWORD}).json()["token"]
                staff = {"Authorization": f"Bearer {token}"}
                sent: list[float] = []
                for _ in range(args.calls):
                    sent.append(time.time())
                    called = http.post(f"/api/v1/halls/{HALL}/windows/W03/call-next", headers=staff).json()
                    http.post(f"/api/v1/halls/{HALL}/tickets/{called['id']}/actions", json={"action": "finish"}, headers=staff)
                    time.sleep(0.5)
                time.sleep(2)
                stop.set()
                arrivals: list[tuple[int, float]] = []
                for _ in workers:
                    arrivals.extend(results.get(timeout=60))
                for worker in workers:
                    worker.join(30)
        finally:
            server.stop()
            phones_server.stop()
            if cluster:
                cluster.stop()
    latencies = []
    # Calls are 0.5 s apart and each phone moves one place per call, so an arrival belongs to the
    # latest call sent before it.
    for _, received in arrivals:
        cause = max((t for t in sent if t <= received), default=None)
        if cause is not None:
            latencies.append((received - cause) * 1000)
    expected = share * WORKERS * args.calls
    where = "across two processes on PostgreSQL" if args.across else "one process on SQLite"
    print(
        f"call → {share * WORKERS} phone pages, {where} ({args.calls} calls, updates received {len(latencies)}/{expected}):"
        f"   p50 {percentile(latencies, 50):.1f} ms   p99 {percentile(latencies, 99):.1f} ms"
        f"   max {max(latencies) if latencies else float('nan'):.1f} ms"
    )


if __name__ == "__main__":
    main()
