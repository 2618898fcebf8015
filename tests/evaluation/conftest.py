"""Servers for the 好差评 suite: real server processes (SQLite and PostgreSQL) whose halls have
an evaluator device, case leads and an upload to a local receiver (the demo mapping)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.evaluation.receiver import Receiver
from tests.support.api import HallClient
from tests.support.halls import _sha, hall_toml, token_for
from tests.support.servers import ServerProcess

HALLS = 30


def evaluation_extra(hall_id: str, upload_url: str | None, timeout_s: int = 60) -> str:
    lines = [
        "[halls.evaluation]",
        'lead = "m01"',
        f"evaluator_timeout_s = {timeout_s}",
        'leads_by_window = { W01 = "s01" }',
        "[[halls.devices]]",
        'id = "evaluator-W01"',
        'kind = "evaluator"',
        f'token_sha256 = "{_sha(token_for(hall_id, "evaluator-W01"))}"',
    ]
    if upload_url:
        lines[4:4] = ["[halls.evaluation.upload]", f'url = "{upload_url}"', 'mapping = "demo"', 'hmac_key = "test-key"',
                      "backoff_s = 0.2", "backoff_max_s = 1", "timeout_s = 2"]
    return "\n".join(lines)


def write_halls(path: Path, hall_ids: list[str], upload_url: str | None, timeout_s: int = 60) -> Path:
    text = "\n".join(hall_toml(h, extra=evaluation_extra(h, upload_url, timeout_s)) for h in hall_ids)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp(f"evaluation-{request.param}")
    config = write_halls(root / "halls.toml", [f"e{i:02d}" for i in range(1, HALLS + 1)], receiver.url)
    database = request.getfixturevalue("postgres").create_database() if request.param == "postgres" else None
    process = ServerProcess(config=config, data_dir=root / "data", database_url=database).start()
    process.hall_ids = itertools.count(1)  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.stop()


class EvaluationHall(HallClient):
    @property
    def evaluator(self) -> dict[str, str]:
        return self.device("evaluator-W01")

    def served(self, queue: str = "A", window: str = "W01", staff: str = "s01") -> dict:
        """A ticket issued, called at `window` and finished there."""
        ticket = self.issue(queue)
        headers = self.staff(staff)
        called = self.http.post(self.path(f"/windows/{window}/call-next"), headers=headers)
        assert called.status_code == 200, called.text
        assert called.json()["id"] == ticket["id"]
        done = self.http.post(self.path(f"/tickets/{ticket['id']}/actions"), json={"action": "finish"}, headers=headers)
        assert done.status_code == 200, done.text
        return ticket


@pytest.fixture
def hall(server: ServerProcess) -> Iterator[EvaluationHall]:
    number = next(server.hall_ids)  # type: ignore[attr-defined]
    assert number <= HALLS, "raise HALLS"
    client = EvaluationHall(server, f"e{number:02d}")
    try:
        yield client
    finally:
        client.close()
