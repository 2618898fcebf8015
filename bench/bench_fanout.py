"""The server's own share of a call's trip to N screens: the hub encodes the event once and
writes the same pre-built frame to N real loopback TCP connections (read by N sockets in a
separate process). bench_server.py measures the whole trip including the clients; this one
isolates the publish loop.

    .venv/bin/python bench/bench_fanout.py [--subscribers 1000] [--events 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import selectors
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from queue_server.api.stream import StreamSubscriber  # noqa: E402
from queue_server.events.hub import LocalHub  # noqa: E402


class _Socketless:
    """Just what StreamSubscriber reads from a WebSocket: the scope with the transport."""

    def __init__(self, transport: asyncio.Transport):
        self.scope = {"queue_server.transport": transport}


def _drain_clients(port: int, count: int, seconds: float) -> None:
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    selector = selectors.DefaultSelector()
    for sock in sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    end = time.time() + seconds
    while time.time() < end:
        for key, _ in selector.select(0.1):
            try:
                key.fileobj.recv(65536)  # type: ignore[union-attr]
            except BlockingIOError:
                pass


async def run(subscribers: int, events: int) -> list[float]:
    hub = LocalHub()
    transports: list[asyncio.Transport] = []

    async def accepted(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        transports.append(writer.transport)  # type: ignore[arg-type]

    server = await asyncio.start_server(accepted, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    child = os.fork()
    if child == 0:
        _drain_clients(port, subscribers, seconds=events * 0.05 + 30)
        os._exit(0)
    try:
        while len(transports) < subscribers:
            await asyncio.sleep(0.05)
        for transport in transports:
            subscriber = StreamSubscriber(_Socketless(transport))  # type: ignore[arg-type]
            subscriber.pending = None  # live delivery from the start
            hub.subscribe("hall", subscriber)
        timings = []
        for seq in range(1, events + 1):
            message = {
                "type": "call", "seq": seq, "number": f"A{seq:03d}", "queue": "A", "window": "W01",
                "window_name": "1号窗口", "at": "2026-11-22T09:00:00+08:00", "recall": False,
            }
            started = time.perf_counter()
            hub.publish("hall", [message])
            timings.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.02)
        return sorted(timings)
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100)
    args = parser.parse_args()
    timings = asyncio.run(run(args.subscribers, args.events))
    p = lambda q: timings[min(len(timings) - 1, round(q / 100 * (len(timings) - 1)))]  # noqa: E731
    print(
        f"publish one call to {args.subscribers} subscribers ({args.events} events): "
        f"p50 {p(50):.2f} ms   p99 {p(99):.2f} ms   max {timings[-1]:.2f} ms   "
        f"(≈ {p(50) * 1000 / args.subscribers:.1f} µs per subscriber)"
    )


if __name__ == "__main__":
    main()
