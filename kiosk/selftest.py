"""`python -m kiosk selftest`: what an installer runs after wiring a kiosk. Checks the server
(reachable, token accepted, hall known), each configured device, prints a test slip, and exits
non-zero naming every failure."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import TextIO

from hardware.health import HealthLevel

from .api import ApiClient, ApiError
from .config import KioskConfig
from .devices import DeviceSet
from .replies import HallInfo
from .strings import t


def selftest(config: KioskConfig, *, print_slip: bool = True, out: TextIO = sys.stdout,
             device_wait_s: float = 4.0) -> int:
    failures: list[str] = []

    def report(ok: bool, what: str, detail: str) -> None:
        print(f"{'OK  ' if ok else 'FAIL'} {what}: {detail}", file=out, flush=True)
        if not ok:
            failures.append(f"{what}: {detail}")

    api = ApiClient(config.server_url, config.hall, config.token, connect_s=config.timeouts.http_connect_s,
                    read_s=config.timeouts.http_read_s, retries=0)
    hall: HallInfo | None = None
    try:
        api.healthz()
        report(True, "server", f"{config.server_url} answers")
        hall = api.hall_info()
        report(True, "hall", f"{hall.id} {hall.name} (open now: {hall.open_now})")
        queues = api.queues()
        report(bool(queues), "queues", f"{len(queues)} queue(s)" if queues else "the hall has no queue")
        api.report_health([], {"selftest": "1"})
        report(True, "token", f"device token accepted for hall {config.hall}")
    except ApiError as exc:
        detail = {401: "device token refused (401)", 403: "token not allowed as a kiosk (403)",
                  404: f"hall {config.hall!r} unknown on this server (404)"}.get(exc.status, str(exc))
        report(False, "server", f"{config.server_url}: {detail}")

    devices = DeviceSet(config.devices)
    try:
        configured = devices.configured()
        if not configured:
            report(True, "devices", "none configured")
        deadline = time.monotonic() + device_wait_s
        for name in configured:
            health = devices.health()[name]
            # A camera needs a moment for its first frame.
            while health.level is HealthLevel.ERROR and name == "camera" and time.monotonic() < deadline:
                time.sleep(0.2)
                health = devices.health()[name]
            report(health.level is not HealthLevel.ERROR, name,
                   f"{health.level.value}: {health.message_zh} / {health.message_en}")
        if print_slip and devices.printer is not None and not any(f.startswith("printer") for f in failures):
            try:
                from hardware.printer import TicketSlip

                slip = TicketSlip(
                    hall_name=(hall.name if hall else "") or config.hall,
                    number="TEST",
                    queue_name=t("selftest.queue", "zh"),
                    item_name=None,
                    waiting_ahead=0,
                    estimated_wait_s=None,
                    issued_at=dt.datetime.now(dt.UTC),
                    windows_text=t("selftest.windows", "zh"),
                    track_url=config.server_url + "/healthz",
                    footer_lines=(t("selftest.footer", "zh", device=config.device_id),),
                )
                devices.printer.print_ticket(slip)
                report(True, "test slip", "printed")
            except Exception as exc:
                health = getattr(exc, "health", None)
                report(False, "test slip", f"{getattr(health, 'message_zh', '')} {health.message_en if health else exc}")
    finally:
        devices.close()
        api.close()
    if failures:
        print(f"selftest FAILED: {'; '.join(failures)}", file=out, flush=True)
        return 1
    print("selftest passed", file=out, flush=True)
    return 0
