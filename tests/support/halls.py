"""Hall configs for tests, written as TOML with known passwords and tokens."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

STAFF_PASSWORD = "pass-1234"


def token_for(hall_id: str, device_id: str) -> str:
    return f"tok-{hall_id}-{device_id}"


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@functools.cache
def password_hash() -> str:
    from queue_server.security.passwords import hash_password

    return hash_password(STAFF_PASSWORD)


# The test halls' kiosk issues and identifies as fast as a test or a benchmark drives it (wrk at
# thousands a second), beyond the field's [server.request_limits]; tests of those limits pass
# load_generator=False.
LOAD_GENERATOR_RATES = "issue_rate = { count = 1000000, per_s = 1 }\nidentify_rate = { count = 1000000, per_s = 1 }"


def hall_toml(hall_id: str, *, windows: int = 4, extra: str = "", name: str | None = None, load_generator: bool = True) -> str:
    """A hall with queues A (企业开办), B (社保), C (户政); windows W01.. alternating fifo and
    ordered over overlapping queues; staff s01 at W01+W02, s02 at W03+W04, manager m01;
    devices kiosk-1, screen-1 (display), platform (integration)."""
    queue_sets = [["A", "B"], ["B", "A"], ["C"], ["A", "C"]]
    lines = [
        "[[halls]]",
        f'id = "{hall_id}"',
        f'name = "{name or "测试政务服务中心 " + hall_id}"',
        'timezone = "Asia/Shanghai"',
        extra,
    ]
    for queue_id, queue_name in (("A", "企业开办"), ("B", "社保"), ("C", "户政")):
        lines += ["[[halls.queues]]", f'id = "{queue_id}"', f'name = "{queue_name}"', "default_service_s = 300"]
    lines += ["[[halls.items]]", 'code = "ITEM-A-1"', 'name = "企业设立登记"', 'queue = "A"']
    lines += ["[[halls.items]]", 'code = "ITEM-B-1"', 'name = "社保卡申领"', 'queue = "B"']
    for index in range(1, windows + 1):
        queues = queue_sets[(index - 1) % len(queue_sets)]
        policy = "ordered" if index % 2 == 0 else "fifo"
        lines += [
            "[[halls.windows]]",
            f'id = "W{index:02d}"',
            f'name = "{index}号窗口"',
            f"queues = {queues!r}".replace("'", '"'),
            f'policy = "{policy}"',
        ]
    people = [("s01", "王芳", ["W01", "W02"], "staff"), ("s02", "李明", ["W03", "W04"], "staff"), ("m01", "张强", [], "manager")]
    for staff_id, staff_name, staff_windows, role in people:
        staff_windows = [w for w in staff_windows if int(w[1:]) <= windows]
        lines += [
            "[[halls.staff]]",
            f'id = "{staff_id}"',
            f'name = "{staff_name}"',
            f'password_hash = "{password_hash()}"',
            f"windows = {staff_windows!r}".replace("'", '"'),
            f'role = "{role}"',
        ]
    for device_id, kind in (("kiosk-1", "kiosk"), ("screen-1", "display"), ("platform", "integration")):
        lines += [
            "[[halls.devices]]",
            f'id = "{device_id}"',
            f'kind = "{kind}"',
            f'token_sha256 = "{_sha(token_for(hall_id, device_id))}"',
        ]
        if kind == "kiosk" and load_generator:
            lines += [LOAD_GENERATOR_RATES]
    return "\n".join(lines) + "\n"


def write_config(path: Path, hall_ids: list[str], **options: object) -> Path:
    path.write_text("\n".join(hall_toml(h, **options) for h in hall_ids), encoding="utf-8")  # type: ignore[arg-type]
    return path
