"""The kiosk's API client against a real queue server: the contract it relies on, and every
failure turned into a citizen-readable ApiError. Also the config file and the selftest command."""

from __future__ import annotations

import io
import os
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from hall_common.vocabulary import Channel, ErrorCode, TicketStatus
from kiosk.api import ApiClient, ApiError, track_path
from kiosk.config import KioskConfigError, load, parse
from kiosk.selftest import selftest
from tests.kiosk.helpers import KIOSK_TOKEN, PY, ROOT, Server, free_port, kiosk_toml


@pytest.fixture()
def api(server: Server) -> ApiClient:
    client = ApiClient(server.url, "demo", KIOSK_TOKEN, connect_s=2, read_s=5, retries=1)
    yield client
    client.close()


def test_reads_the_hall_queues_items_and_windows(api: ApiClient) -> None:
    hall = api.hall_info()
    assert hall.id == "demo" and hall.open_now is True and hall.green_policy == "granted"
    queues = api.queues()
    assert {q.id for q in queues} >= {"A", "B", "C", "D", "K"}
    assert all(q.kiosk_visible for q in queues if q.id == "A")
    items = api.items(queue="A")
    assert items and all(i.queue == "A" for i in items) and any(i.guide.materials for i in items)
    assert {w.id for w in api.windows()} >= {"W01", "W08"}


def test_issue_and_follow(api: ApiClient, server: Server) -> None:
    ticket = api.issue("K")
    assert not ticket.reprint
    assert ticket.number.startswith("K") and ticket.channel is Channel.WALKIN
    followed = api.track(server.url + ticket.phone_url)
    assert followed.number == ticket.number and followed.status is TicketStatus.WAITING
    assert api.track(ticket.track_url).number == ticket.number


def test_server_refusals_carry_chinese_messages(api: ApiClient) -> None:
    with pytest.raises(ApiError) as no_queue:
        api.issue("Q")
    assert no_queue.value.status == 404 and "业务类别" in no_queue.value.message_zh
    with pytest.raises(ApiError) as face:
        api.issue("A", channel=Channel.FACE)
    # Without an identity session the identified channels are refused, with a Chinese reason.
    assert face.value.status == 422 and face.value.code == ErrorCode.IDENTITY_REQUIRED
    assert "身份" in face.value.message("zh") and face.value.message("en")
    assert not face.value.unreachable
    with pytest.raises(ApiError) as unknown:
        api.check_in(code="NOPE0000")
    assert unknown.value.status == 404 and unknown.value.message_zh
    with pytest.raises(ApiError) as bad_track:
        api.track("https://example.cn/not-a-ticket")
    assert bad_track.value.status == 404


def test_bad_token_is_not_the_citizens_problem(server: Server) -> None:
    client = ApiClient(server.url, "demo", "wrong-token")
    with pytest.raises(ApiError) as refused:
        client.hall_info()
    assert refused.value.status == 401 and refused.value.message_zh == "本终端未获授权，请联系管理员"
    assert not refused.value.unreachable


def test_unreachable_and_timeouts() -> None:
    client = ApiClient(f"http://127.0.0.1:{free_port()}", "demo", "t", connect_s=0.5, read_s=0.5, retries=1)
    with pytest.raises(ApiError) as offline:
        client.hall_info()
    assert offline.value.kind == "offline" and offline.value.unreachable
    # A server that accepts and never answers.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    silent = ApiClient(f"http://127.0.0.1:{listener.getsockname()[1]}", "demo", "t", connect_s=0.5, read_s=0.3, retries=0)
    with pytest.raises(ApiError) as slow:
        silent.queues()
    assert slow.value.kind == "timeout" and slow.value.unreachable
    listener.close()


def test_a_post_is_never_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ConnectError("down")

    client = ApiClient("http://kiosk.test", "demo", "t", retries=3, transport=httpx.MockTransport(handler))
    with pytest.raises(ApiError):
        client.issue("A")
    assert calls == ["POST"]
    calls.clear()
    with pytest.raises(ApiError):
        client.queues()
    assert calls == ["GET"] * 4


def test_answers_that_break_the_contract_are_errors_not_crashes() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/queues"):
            return httpx.Response(200, json={"not": "a list"})
        if request.url.path.endswith("/tickets"):
            return httpx.Response(500, text="<html>boom</html>")
        return httpx.Response(200, content=b"not json")

    client = ApiClient("http://kiosk.test", "demo", "t", retries=0, transport=httpx.MockTransport(handler))
    for call in (client.queues, client.hall_info, lambda: client.issue("A")):
        with pytest.raises(ApiError) as error:
            call()
        assert error.value.message_zh == "服务器暂时出现问题"


@pytest.mark.parametrize("scanned,path", [
    ("http://h/t/abc123?k=XYZ_-1", "/api/v1/track/abc123?k=XYZ_-1"),
    ("/api/v1/track/abc123?k=s3cret", "/api/v1/track/abc123?k=s3cret"),
    ("https://public.example.cn/t/abc123?k=s", "/api/v1/track/abc123?k=s"),
    ("http://h/t/abc123", None), ("ftp://h/t/abc?k=1", None), ("http://h/t/../etc?k=1", None),
    ("http://h/t/abc?k=a%2Fb", None), ("AB12CD", None),
])
def test_track_path(scanned: str, path: str | None) -> None:
    assert track_path(scanned) == path


# -- config ------------------------------------------------------------------------------------------

def test_example_configs_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_TOKEN", "token-from-the-environment")  # real kiosks keep it out of the file
    for path in sorted((ROOT / "config").glob("kiosk-*.toml")):
        config = load(path)
        assert config.server_url.startswith("http") and config.hall and config.token


@pytest.mark.parametrize("raw,problem", [
    ({"hall": "demo", "token": "t"}, "server_url is required"),
    ({"server_url": "ftp://x", "hall": "demo", "token": "t"}, "server_url must be"),
    ({"server_url": "http://x", "hall": "demo"}, "token"),
    ({"server_url": "http://x", "hall": "demo", "token": "t", "orientation": "diagonal"}, "orientation"),
    ({"server_url": "http://x", "hall": "demo", "token": "t", "colour": "red"}, "unknown key(s): colour"),
    ({"server_url": "http://x", "hall": "demo", "token": "t", "timeouts": {"idle_s": -1}}, "timeouts.idle_s"),
    ({"server_url": "http://x", "hall": "demo", "token": "t", "timeouts": {"naps": 1}}, "timeouts.naps"),
    ({"server_url": "http://x", "hall": "demo", "token": "t", "devices": {"fax": "sim"}}, "devices.fax"),
    ({"server_url": "http://x", "hall": "demo", "token": "t", "channels": ["telepathy"]}, "channels"),
])
def test_bad_config_names_the_key(raw: dict, problem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_TOKEN", raising=False)
    with pytest.raises(KioskConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse(raw)


def test_token_from_file_or_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIOSK_TOKEN", raising=False)
    (tmp_path / "token").write_text("from-file\n")
    assert parse({"server_url": "http://x", "hall": "h", "token_file": "token"}, base=tmp_path).token == "from-file"
    monkeypatch.setenv("KIOSK_TOKEN", "from-env")
    assert parse({"server_url": "http://x", "hall": "h", "token_file": "token"}, base=tmp_path).token == "from-env"


def test_cli_bad_config_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "k.toml").write_text('server_url = "http://x"\n')
    done = subprocess.run([PY, "-m", "kiosk", "--config", str(tmp_path / "k.toml")], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2 and done.stderr.strip() == "kiosk: bad config: hall is required"


# -- selftest ------------------------------------------------------------------------------------------

def test_selftest_passes_and_prints_a_slip(server: Server, tmp_path: Path) -> None:
    (tmp_path / "k.toml").write_text(kiosk_toml(server.url))
    done = subprocess.run([PY, "-m", "kiosk", "selftest", "--config", str(tmp_path / "k.toml")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK   test slip: printed" in done.stdout and "selftest passed" in done.stdout


def test_selftest_fails_with_reasons(server: Server, tmp_path: Path) -> None:
    out = io.StringIO()
    bad_token = load_text(tmp_path, kiosk_toml(server.url, token="nope", devices={"printer": "sim?paper=33"}))
    assert selftest(bad_token, out=out) == 1
    text = out.getvalue()
    assert "FAIL server" in text and "401" in text and "FAIL printer" in text and "selftest FAILED" in text
    out = io.StringIO()
    nothing = load_text(tmp_path, kiosk_toml(f"http://127.0.0.1:{free_port()}", devices={"camera": "sim:/no/such.png"}))
    assert selftest(nothing, out=out, device_wait_s=0.5) == 1
    assert "FAIL server" in out.getvalue() and "FAIL camera" in out.getvalue()


def load_text(tmp_path: Path, text: str):
    path = tmp_path / f"k{abs(hash(text))}.toml"
    path.write_text(text)
    return load(path)


# -- systemd ---------------------------------------------------------------------------------------------

def test_systemd_unit() -> None:
    unit = (ROOT / "systemd" / "queue-kiosk.service").read_text()
    for line in ("After=graphical.target", "Restart=always", "Type=notify", "WatchdogSec=",
                 "python -m kiosk --config", "WantedBy=graphical.target"):
        assert line in unit, line


def test_kiosk_process_tells_systemd_it_is_ready_and_alive(server: Server, tmp_path: Path) -> None:
    """The real `python -m kiosk` with a datagram socket standing in for systemd."""
    address = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(60)
    (tmp_path / "k.toml").write_text(kiosk_toml(server.url))
    (tmp_path / "kivy").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(tmp_path / "kivy"),
           "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000"}
    proc = subprocess.Popen([PY, "-m", "kiosk", "--config", str(tmp_path / "k.toml")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        env["WATCHDOG_PID"] = str(proc.pid)
        messages = [sock.recv(100).decode()]
        while "WATCHDOG=1" not in messages:
            messages.append(sock.recv(100).decode())
        assert messages[0] == "READY=1"
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(20)
        sock.close()
