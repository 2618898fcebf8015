"""`open_printer(uri)`: one string in the kiosk's configuration says which printer and how.

    usb:04b8:0e15[?in_ep=0x82&out_ep=0x01]   USB printer by vendor:product id (needs pyusb)
    tcp:192.168.1.50[:9100][?timeout=3]       network printer (raw port 9100)
    serial:/dev/ttyS0[?baudrate=9600&...]     RS-232 printer
    file:/dev/usb/lp0  (or just /dev/usb/lp0) device file or plain file: one-way, no status
    sim[?png_dir=/tmp/tickets]                 the simulated twin

Options for every kind: paper=80|58, qr=native|raster|none, cut=full|partial, status=1|0
(status=0: do not ask a two-way printer for its status, for boxes that never answer).
Opening does not connect: the first health() or print_ticket() does, so a kiosk starts even with
its printer unplugged and reports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from hardware.printer.links import FileLink, Link, network_link, serial_link, usb_link
from hardware.printer.printer import EscposTicketPrinter, TicketPrinter
from hardware.printer.sim import SimPrinter
from hardware.printer.ticket_layout import LayoutOptions

FORMS = "usb:VID:PID, tcp:HOST[:PORT], serial:DEVICE[?baudrate=N], file:PATH or sim"
_PAPER_DOTS = {"80": 576, "58": 384}
_COMMON = {"paper", "qr", "cut", "status"}
_BAUDRATES = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200}
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)$")
_HEX_ID = re.compile(r"^(0x)?[0-9A-Fa-f]{1,4}$")


class PrinterConfigError(ValueError):
    """The printer URI is malformed or asks for something this machine cannot do."""


def open_printer(uri: str, *, layout: LayoutOptions | None = None) -> TicketPrinter:
    if not isinstance(uri, str) or not uri.strip():
        raise PrinterConfigError(f"empty printer URI; expected one of: {FORMS}")
    uri = uri.strip()
    kind, _, rest = uri.partition(":")
    if uri.startswith("/"):  # a bare device path is a file printer
        kind, rest = "file", uri
    elif uri == "sim" or uri.startswith("sim?"):
        kind, rest = "sim", uri[3:]
    target, _, query = rest.partition("?")
    params = _params(uri, query)
    layout = _layout(uri, params, layout)
    check_status = _flag(uri, params.pop("status", "1"), "status")

    if kind == "sim":
        png_dir = params.pop("png_dir", None)
        _no_extra(uri, params)
        if target:
            raise PrinterConfigError(f"{uri!r}: write 'sim' or 'sim?png_dir=DIR'")
        return SimPrinter(layout=layout, png_dir=png_dir, uri=uri)
    builders: dict[str, Callable[[str, str, dict[str, str]], Link]] = {
        "tcp": _tcp, "serial": _serial, "usb": _usb, "file": _file,
    }
    if kind not in builders:
        raise PrinterConfigError(f"{uri!r}: unknown printer kind {kind!r}; expected one of: {FORMS}")
    link = builders[kind](uri, target, params)
    _no_extra(uri, params)
    return EscposTicketPrinter(link, uri=uri, layout=layout, check_status=check_status)


def _params(uri: str, query: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise PrinterConfigError(f"{uri!r}: malformed options after '?'") from None
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise PrinterConfigError(f"{uri!r}: option {key!r} given twice")
        params[key] = value
    return params


def _no_extra(uri: str, params: dict[str, str]) -> None:
    if params:
        raise PrinterConfigError(f"{uri!r}: unknown option(s) {', '.join(sorted(params))}")


def _layout(uri: str, params: dict[str, str], base: LayoutOptions | None) -> LayoutOptions:
    base = base or LayoutOptions()
    changes: dict[str, Any] = {}
    if "paper" in params:
        paper = params.pop("paper")
        if paper not in _PAPER_DOTS:
            raise PrinterConfigError(f"{uri!r}: paper must be 80 or 58 (mm), got {paper!r}")
        changes["paper_dots"] = _PAPER_DOTS[paper]
    if "qr" in params:
        qr = params.pop("qr")
        if qr not in ("native", "raster", "none"):
            raise PrinterConfigError(f"{uri!r}: qr must be native, raster or none, got {qr!r}")
        changes["qr_mode"] = qr
    if "cut" in params:
        cut = params.pop("cut")
        if cut not in ("full", "partial"):
            raise PrinterConfigError(f"{uri!r}: cut must be full or partial, got {cut!r}")
        changes["partial_cut"] = cut == "partial"
    return LayoutOptions(**{**base.__dict__, **changes}) if changes else base


def _flag(uri: str, value: str, name: str) -> bool:
    if value not in ("0", "1"):
        raise PrinterConfigError(f"{uri!r}: {name} must be 0 or 1, got {value!r}")
    return value == "1"


def _number(uri: str, params: dict[str, str], name: str, default: float, low: float,
            high: float) -> float:
    raw = params.pop(name, None)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise PrinterConfigError(f"{uri!r}: {name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise PrinterConfigError(f"{uri!r}: {name} must be between {low:g} and {high:g}, got {raw}")
    return value


def _tcp(uri: str, target: str, params: dict[str, str]) -> Link:
    host, port_text = target, "9100"
    match = re.match(r"^(.*):(\d*)$", target)
    if match and not target.endswith("]"):
        host, port_text = match.group(1), match.group(2)
    if not host or not _HOST.match(host):
        raise PrinterConfigError(f"{uri!r}: expected tcp:HOST[:PORT], e.g. tcp:192.168.1.50:9100")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise PrinterConfigError(f"{uri!r}: port must be 1-65535, got {port_text!r}")
    timeout = _number(uri, params, "timeout", 3.0, 0.1, 60.0)
    return network_link(host.strip("[]"), int(port_text), timeout)


def _serial(uri: str, target: str, params: dict[str, str]) -> Link:
    if not target.startswith("/") and not re.match(r"^COM\d+$", target):
        raise PrinterConfigError(f"{uri!r}: expected serial:/dev/ttyS0 (an absolute device path)")
    baudrate = int(_number(uri, params, "baudrate", 9600, 1200, 115200))
    if baudrate not in _BAUDRATES:
        raise PrinterConfigError(f"{uri!r}: baudrate must be one of {sorted(_BAUDRATES)}")
    parity = params.pop("parity", "N").upper()
    if parity not in ("N", "E", "O"):
        raise PrinterConfigError(f"{uri!r}: parity must be N, E or O, got {parity!r}")
    options: dict[str, Any] = {
        "baudrate": baudrate,
        "parity": parity,
        "timeout": _number(uri, params, "timeout", 2.0, 0.1, 60.0),
        "bytesize": int(_number(uri, params, "bytesize", 8, 7, 8)),
        "stopbits": int(_number(uri, params, "stopbits", 1, 1, 2)),
        "dsrdtr": _flag(uri, params.pop("dsrdtr", "1"), "dsrdtr"),
        "xonxoff": _flag(uri, params.pop("xonxoff", "0"), "xonxoff"),
    }
    return serial_link(target, options)


def _usb(uri: str, target: str, params: dict[str, str]) -> Link:
    ids = target.split(":")
    if len(ids) != 2 or not all(_HEX_ID.match(part) for part in ids):
        raise PrinterConfigError(f"{uri!r}: expected usb:VID:PID in hex, e.g. usb:04b8:0e15")
    vendor, product = (int(part, 16) for part in ids)
    if not vendor or not product:
        raise PrinterConfigError(f"{uri!r}: vendor and product ids must not be 0")
    options: dict[str, Any] = {"timeout": 0}
    for name, default in (("in_ep", 0x82), ("out_ep", 0x01)):
        raw = params.pop(name, None)
        try:
            options[name] = int(raw, 0) if raw is not None else default
        except ValueError:
            raise PrinterConfigError(f"{uri!r}: {name} must be a number like 0x82, got {raw!r}") from None
    from escpos.printer import Usb

    if not Usb.is_usable():
        raise PrinterConfigError(
            f"{uri!r}: USB printing needs pyusb, which is not installed (pip install pyusb); "
            "or use the kernel's printer device instead: file:/dev/usb/lp0"
        )
    return usb_link(vendor, product, options)


def _file(uri: str, target: str, params: dict[str, str]) -> Link:
    if not target:
        raise PrinterConfigError(f"{uri!r}: expected file:PATH, e.g. file:/dev/usb/lp0")
    return FileLink(target)
