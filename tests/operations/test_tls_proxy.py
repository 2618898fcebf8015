"""The TLS reverse proxy as shipped (deploy/nginx/hall-queue.conf) in Debian's real nginx, in
front of a real server process started as systemd/queue-server.service starts it (believing
X-Forwarded-For from 127.0.0.1 only), with a throwaway hall CA and server certificate.

The site file is used as it is, except what a test cannot have: its ports (free ones on
127.0.0.1, no IPv6 listener), the certificate paths, the upstream's port and the error log path.
nginx runs as whoever runs the tests, with its prefix, pid, temp and log paths in a temp dir.

Clients on other loopback addresses (127.0.0.2, …) stand for the hall's PCs and kiosks, so the
address the server counts (login limits) tells the proxy (127.0.0.1) from the real client.

Chromium: Chromium on Linux reads its trust anchors from an NSS database ($HOME/.pki/nssdb),
which needs certutil (libnss3-tools), not installed here. The browser is launched instead with
`--ignore-certificate-errors-spki-list` naming the hall CA's public key only: a chain through
that CA is accepted, any other certificate error still fails (checked below with a certificate
from another CA). It does not use Playwright's `ignore_https_errors`, which accepts anything.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import os
import pwd
import re
import shutil
import sqlite3
import ssl
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from playwright.sync_api import Browser, Page, expect, sync_playwright
from websockets.sync.client import ClientConnection, connect

from kiosk.api import ApiClient
from tests.operations.conftest import write_limited_config
from tests.queue_server.browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, VIEWPORT, screenshot
from tests.support.halls import STAFF_PASSWORD, token_for
from tests.support.servers import REPO, ServerProcess, free_port

SITE = REPO / "deploy" / "nginx" / "hall-queue.conf"
HALL = "tls"
NAME = "queue.hall.example"  # the site file's server_name, as the hall's PCs would type it


# -- a hall CA and the server's certificate -------------------------------------------------------


@dataclass
class Pki:
    ca: Path  # the hall CA's certificate (what kiosks, screens and PCs install)
    chain: Path  # the server's certificate then the CA's (nginx's ssl_certificate)
    key: Path
    ca_spki_sha256: str  # base64, as Chromium's --ignore-certificate-errors-spki-list takes it

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "测试政务服务中心"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_pki(directory: Path, ca_name: str = "Test Hall CA") -> Pki:
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder().subject_name(_name(ca_name)).issuer_name(_name(ca_name))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name(NAME)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / "ca.crt").write_bytes(ca_cert.public_bytes(pem))
    (directory / "server.crt").write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    (directory / "server.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (directory / "server.key").chmod(0o600)
    spki = ca_cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return Pki(directory / "ca.crt", directory / "server.crt", directory / "server.key",
               base64.b64encode(hashlib.sha256(spki).digest()).decode())


# -- the server, as the unit starts it, and nginx in front of it --------------------------------


class ProxiedServer(ServerProcess):
    def command(self) -> list[str]:
        return [*super().command(), "--forwarded-allow-ips", "127.0.0.1"]


def test_the_unit_starts_the_server_as_these_tests_do() -> None:
    unit = (REPO / "systemd" / "queue-server.service").read_text(encoding="utf-8")
    (exec_start,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert "--host 127.0.0.1 --port 8000 --forwarded-allow-ips 127.0.0.1" in exec_start
    assert "server 127.0.0.1:8000;" in SITE.read_text(encoding="utf-8")


@dataclass
class Proxy:
    https_port: int
    http_port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def named_url(self) -> str:
        return f"https://{NAME}:{self.https_port}"


def site_for_test(site: str, *, https_port: int, http_port: int, upstream_port: int, pki: Pki, error_log: Path) -> str:
    replacements = {
        "    listen 80;\n": f"    listen 127.0.0.1:{http_port};\n",
        "    listen [::]:80;\n": "",
        "    listen 443 ssl http2;\n": f"    listen 127.0.0.1:{https_port} ssl http2;\n",
        "    listen [::]:443 ssl http2;\n": "",
        "ssl_certificate     /etc/hall-queue/tls/server.crt;": f"ssl_certificate     {pki.chain};",
        "ssl_certificate_key /etc/hall-queue/tls/server.key;": f"ssl_certificate_key {pki.key};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
        "/var/log/nginx/hall-queue-error.log crit": f"{error_log} crit",
    }
    for old, new in replacements.items():
        assert site.count(old) == 1, f"deploy/nginx/hall-queue.conf no longer has {old!r} once"
        site = site.replace(old, new)
    return site


def start_nginx(root: Path, upstream_port: int, pki: Pki) -> Proxy:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert nginx, "nginx is missing: bash scripts/setup.sh installs Debian's nginx"
    root.mkdir(parents=True, exist_ok=True)
    https_port, http_port = free_port(), free_port()
    site = root / "hall-queue.conf"
    site.write_text(site_for_test(SITE.read_text(encoding="utf-8"), https_port=https_port, http_port=http_port,
                                  upstream_port=upstream_port, pki=pki, error_log=root / "site-error.log"), encoding="utf-8")
    temp = {kind: root / kind for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    # As root the workers would switch to "nobody", who cannot read a 0700 pytest temp dir;
    # as anyone else the directive is ignored.
    user = pwd.getpwuid(os.getuid()).pw_name
    (root / "nginx.conf").write_text("\n".join([
        f"user {user};" if os.getuid() == 0 else "",
        "worker_processes 1;",
        f"pid {root / 'nginx.pid'};",
        f"error_log {root / 'error.log'} info;",
        "events { worker_connections 256; }",
        "http {",
        *(f"    {kind}_temp_path {path};" for kind, path in temp.items()),
        f"    include {site};",
        "}",
    ]) + "\n", encoding="utf-8")
    command = [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = Proxy(https_port, http_port, process, root / "error.log")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, proxy.log.read_text(errors="replace")
        try:
            httpx.get(f"http://127.0.0.1:{http_port}/", timeout=1)
            return proxy
        except httpx.TransportError:
            time.sleep(0.05)
    process.terminate()
    raise AssertionError("nginx did not answer: " + proxy.log.read_text(errors="replace"))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxiedServer]:
    root = tmp_path_factory.mktemp("tls-server")
    process = ProxiedServer(config=write_limited_config(root / "halls.toml", [HALL]), data_dir=root / "data")
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, server: ProxiedServer, pki: Pki) -> Iterator[Proxy]:
    started = start_nginx(tmp_path_factory.mktemp("nginx"), server.port, pki)
    try:
        yield started
    finally:
        started.process.terminate()
        started.process.wait(10)


def client(pki: Pki, source: str = "127.0.0.1", **options: object) -> httpx.Client:
    """A client on `source` (a hall PC at its own address) trusting the hall CA only."""
    return httpx.Client(verify=pki.context(), transport=httpx.HTTPTransport(verify=pki.context(), local_address=source),
                        timeout=30, **options)  # type: ignore[arg-type]


# -- HTTPS, HSTS, the redirect ----------------------------------------------------------------


def test_https_with_the_hall_ca_hsts_and_http_redirected(proxy: Proxy, pki: Pki) -> None:
    with client(pki) as https:
        health = https.get(proxy.url + "/healthz")
    assert health.status_code == 200 and health.json() == {"ok": True, "halls": [HALL]}
    assert health.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert health.extensions["http_version"] == b"HTTP/1.1"
    # A machine without the hall CA refuses the certificate (httpx's own bundle has no hall CA).
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(proxy.url + "/healthz", timeout=10)
    # A certificate of another CA is refused by a client that trusts the hall CA.
    other = make_pki(proxy.log.parent / "other-ca", ca_name="Another CA")
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        client(other).get(proxy.url + "/healthz")
    # Old protocols are refused (ssl_protocols TLSv1.2 TLSv1.3).
    old = pki.context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the point is to offer them
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.minimum_version = ssl.TLSVersion.TLSv1
    old.set_ciphers("DEFAULT:@SECLEVEL=0")
    with pytest.raises(httpx.ConnectError):
        httpx.get(proxy.url + "/healthz", verify=old, timeout=10)

    plain = httpx.get(f"http://127.0.0.1:{proxy.http_port}/staff?hall={HALL}", timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1/staff?hall={HALL}"
    assert "Strict-Transport-Security" not in plain.headers  # HSTS only over HTTPS
    named = httpx.get(f"http://127.0.0.1:{proxy.http_port}/healthz", headers={"Host": NAME}, timeout=10)
    assert named.headers["Location"] == f"https://{NAME}/healthz"


# -- WebSockets through the proxy ------------------------------------------------------------


def staff_headers(https: httpx.Client, base: str, staff: str = "s01") -> dict[str, str]:
    login = https.post(base + "/api/v1/auth/login", json={"hall": HALL, "staff_id": staff, "password": STAFF_PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def next_of_type(ws: ClientConnection, kind: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        message: dict[str, Any] = orjson.loads(ws.recv(timeout=15))
        if message.get("type") == kind:
            return message
    raise AssertionError(f"no {kind} message")


def test_hall_stream_and_tracking_stream_through_the_proxy(proxy: Proxy, server: ProxiedServer, pki: Pki) -> None:
    wss = f"wss://127.0.0.1:{proxy.https_port}"
    kiosk = {"Authorization": f"Bearer {token_for(HALL, 'kiosk-1')}"}
    with client(pki) as https:
        hall_stream = f"{wss}/api/v1/halls/{HALL}/stream?token={token_for(HALL, 'screen-1')}"
        with connect(hall_stream, ssl=pki.context(), open_timeout=15) as ws:
            snapshot = next_of_type(ws, "snapshot")
            assert snapshot["hall"]["id"] == HALL and {w["id"] for w in snapshot["windows"]} >= {"W01", "W02"}
            issued = https.post(f"{proxy.url}/api/v1/halls/{HALL}/tickets", json={"queue": "A", "channel": "walkin"}, headers=kiosk)
            assert issued.status_code == 201, issued.text
            ticket = issued.json()
            assert next_of_type(ws, "queue")["queue"] == "A"

            phone = urlsplit(ticket["phone_url"])
            key = parse_qs(phone.query)["k"][0]
            with connect(f"{wss}/api/v1/track/{ticket['id']}/stream?k={key}", ssl=pki.context(), open_timeout=15) as track:
                first = orjson.loads(track.recv(timeout=15))
                assert (first["number"], first["status"]) == (ticket["number"], "waiting")
                called = https.post(f"{proxy.url}/api/v1/halls/{HALL}/windows/W01/call-next",
                                    headers=staff_headers(https, proxy.url))
                assert called.status_code == 200, called.text
                call = next_of_type(ws, "call")
                assert (call["number"], call["window"]) == (ticket["number"], "W01")
                deadline = time.monotonic() + 15
                while (update := orjson.loads(track.recv(timeout=15)))["status"] != "called":
                    assert time.monotonic() < deadline
                assert update["window"] == "W01"
        # The manager's alert stream upgrades too.
        manager = staff_headers(https, proxy.url, "m01")["Authorization"].split()[1]
        with connect(f"{wss}/api/v1/halls/{HALL}/manage/stream?token={manager}", ssl=pki.context(), open_timeout=15) as alerts:
            assert orjson.loads(alerts.recv(timeout=15))


def test_kiosk_client_trusts_the_hall_ca_through_ssl_cert_file(proxy: Proxy, pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    # systemd/queue-kiosk.service sets SSL_CERT_FILE to the system store (where the hall CA is
    # installed); here the CA file stands for that store.
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca))
    kiosk = ApiClient(proxy.url, HALL, token_for(HALL, "kiosk-1"))
    try:
        assert [queue.id for queue in kiosk.queues()] == ["A", "B", "C"]
    finally:
        kiosk.close()
    monkeypatch.delenv("SSL_CERT_FILE")
    without = ApiClient(proxy.url, HALL, token_for(HALL, "kiosk-1"), retries=0)
    try:
        with pytest.raises(Exception) as refused:
            without.queues()
        assert refused.value.__class__.__name__ == "ApiError" and refused.value.unreachable  # type: ignore[attr-defined]
    finally:
        without.close()


# -- the client's address ----------------------------------------------------------------------


def audit_rows(server: ProxiedServer) -> list[tuple[str, str, str]]:
    with sqlite3.connect(server.data_dir / "queue.sqlite3") as conn:
        return conn.execute("SELECT actor, action, target FROM audit_log WHERE action = 'login_lockout' ORDER BY id").fetchall()


def wrong_login(https: httpx.Client, base: str, staff_id: str, **headers: str) -> httpx.Response:
    return https.post(base + "/api/v1/auth/login", json={"hall": HALL, "staff_id": staff_id, "password": "wrong"}, headers=headers)


def test_the_server_counts_the_real_client_behind_the_proxy_and_believes_no_one_else(proxy: Proxy, server: ProxiedServer,
                                                                                     pki: Pki) -> None:
    # A PC at 127.0.0.2 through the proxy, forging X-Forwarded-For: counted as itself.
    with client(pki, "127.0.0.2") as pc:
        for index in range(6):
            assert wrong_login(pc, proxy.url, f"x{index}", **{"X-Forwarded-For": f"10.9.0.{index}"}).status_code == 401
        blocked = pc.post(proxy.url + "/api/v1/auth/login", json={"hall": HALL, "staff_id": "s02", "password": STAFF_PASSWORD})
        assert blocked.status_code == 429 and blocked.json()["code"] == "login_rate_limited"
    assert ("address:127.0.0.2", "login_lockout", "address:127.0.0.2") in audit_rows(server)
    # Another PC through the same proxy is not blocked: the server does not count the proxy.
    with client(pki, "127.0.0.3") as other:
        assert other.post(proxy.url + "/api/v1/auth/login", json={"hall": HALL, "staff_id": "s02",
                                                                  "password": STAFF_PASSWORD}).status_code == 200
    # Straight to the server (not the proxy), a forged X-Forwarded-For is not believed.
    direct = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.4"), timeout=30)
    with direct:
        for index in range(6):
            assert wrong_login(direct, server.url, f"y{index}", **{"X-Forwarded-For": f"10.8.0.{index}"}).status_code == 401
    rows = audit_rows(server)
    assert ("address:127.0.0.4", "login_lockout", "address:127.0.0.4") in rows
    assert not [row for row in rows if "10.8." in row[2] or "10.9." in row[2]]


# -- the web pages in Chromium through the proxy -------------------------------------------------


@pytest.fixture(scope="module")
def browser(proxy: Proxy, pki: Pki) -> Iterator[Browser]:
    """Debian's Chromium resolving the hall's name to the proxy and trusting the hall CA's key
    (the module docstring says why not an NSS database)."""
    assert Path(CHROMIUM).is_file(), f"no Chromium at {CHROMIUM}: install Debian's chromium (scripts/setup.sh)"
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {NAME} 127.0.0.1",
            f"--ignore-certificate-errors-spki-list={pki.ca_spki_sha256}"]
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": VIEWPORT["width"], "height": VIEWPORT["height"]}, locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert not errors, errors


def test_staff_console_and_hall_screen_in_chromium_through_the_proxy(proxy: Proxy, pki: Pki, page: Page, browser: Browser,
                                                                     tmp_path: Path) -> None:
    kiosk = {"Authorization": f"Bearer {token_for(HALL, 'kiosk-1')}"}
    with client(pki) as https:
        # A queue of its own (C at W03), so the other tests' tickets do not matter.
        issued = https.post(f"{proxy.url}/api/v1/halls/{HALL}/tickets", json={"queue": "C", "channel": "walkin"}, headers=kiosk)
        assert issued.status_code == 201, issued.text
    number = issued.json()["number"]

    response = page.goto(f"{proxy.named_url}/staff?hall={HALL}")
    assert response is not None and response.status == 200
    assert response.header_value("strict-transport-security") == "max-age=31536000"
    assert page.evaluate("location.protocol") == "https:"
    expect(page.locator("#login-hall")).to_have_value(HALL)
    page.fill("#login-staff", "s02")
    page.fill("#login-password", STAFF_PASSWORD)
    page.click("#login-submit")
    page.click('.window-card[data-window="W03"]')
    expect(page.locator("#view-desk")).to_be_visible()
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")  # its stream: wss:// through the proxy
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bbusy\b"))
    page.click('#actions [data-action="call"]')
    expect(page.locator("#current-number")).to_have_text(number)
    screenshot(page, "tls-staff-desk-called")

    screen = page.context.new_page()
    screen.goto(f"{proxy.named_url}/screen/hall?hall={HALL}&token={token_for(HALL, 'screen-1')}")
    expect(screen.locator("#now-number")).to_have_text(number)
    page.bring_to_front()
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bbusy\b"))
    page.keyboard.press("F2")  # 重呼: the screen, on its stream through the proxy, shows it again
    expect(screen.locator("#now.recall #now-number")).to_have_text(number, timeout=15_000)
    screenshot(screen, "tls-hall-screen")

    # The browser trusts the hall CA's key only: a certificate from another CA is an error page.
    other = make_pki(tmp_path / "other-ca", ca_name="Another CA")
    stranger = start_nginx(tmp_path / "nginx-other", proxy.https_port, other)  # upstream is unused
    try:
        refused = page.context.new_page()
        with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
            refused.goto(f"{stranger.named_url}/healthz")
    finally:
        stranger.process.terminate()
        stranger.process.wait(10)
