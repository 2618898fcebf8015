"""Technician commands: `python -m hardware print-test --printer URI [--png PATH]` and
`python -m hardware printer-health --printer URI`."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hardware.printer.render import render
from hardware.printer.slip import TicketSlip
from hardware.printer.ticket_layout import LayoutOptions, build_ticket
from hardware.printer.uri import open_printer

_CHINA = timezone(timedelta(hours=8))


def sample_slip(language: str = "zh", green: bool = False) -> TicketSlip:
    """A realistic ticket for trying a printer: long enough to show wrapping, with a QR code."""
    zh = language == "zh"
    return TicketSlip(
        hall_name="济南市政务服务中心" if zh else "Jinan Government Service Center",
        number="A012" if not green else "A003",
        queue_name="企业开办" if zh else "Business start-up",
        item_name="企业设立登记（含名称自主申报）" if zh else "Company registration",
        waiting_ahead=5 if not green else 0,
        estimated_wait_s=900 if not green else None,
        issued_at=datetime.now(_CHINA),
        windows_text="请留意 1-5号窗口" if zh else "Please watch windows 1-5",
        track_url="https://zwfw.jinan.example/api/v1/track/t8f3a2c?k=Zx81kqP2",
        masked_holder="张*" if zh else "Zhang *",
        footer_lines=(
            ("服务时间：周一至周五 9:00-17:00", "监督电话：0531-12345", "请对本次服务作出“好差评”")
            if zh
            else ("Hours: Mon-Fri 9:00-17:00", "Complaints: 0531-12345", "Please rate our service")
        ),
        channel="walkin",
        priority_green=green,
        language="zh" if zh else "en",
    )


def _print_test(args: argparse.Namespace) -> int:
    printer = open_printer(args.printer)
    slip = sample_slip(args.language, args.green)
    layout: LayoutOptions = getattr(printer, "layout", LayoutOptions())
    try:
        if args.png:
            # Written before printing, so the technician sees the ticket even if the printer fails.
            path = render(build_ticket(slip, layout), paper_dots=layout.paper_dots).save(Path(args.png))
            print(f"rendered sample ticket to {path}")
        printer.print_ticket(slip)
        health = printer.health()
    finally:
        printer.close()
    print(f"printed sample ticket {slip.number} on {args.printer}; printer: {health.level.value} "
          f"({health.message_en})")
    return 0


def _printer_health(args: argparse.Namespace) -> int:
    printer = open_printer(args.printer)
    try:
        health = printer.health()
    finally:
        printer.close()
    print(f"{health.level.value}: {health.message_en} / {health.message_zh}")
    return 0 if health.usable else 1


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    test = subparsers.add_parser("print-test", help="print a sample ticket (号票打印测试)")
    test.add_argument("--printer", required=True, metavar="URI",
                      help="usb:VID:PID, tcp:HOST[:PORT], serial:/dev/ttyS0, file:PATH or sim")
    test.add_argument("--png", metavar="PATH", help="also write the rendered ticket as a PNG")
    test.add_argument("--language", choices=("zh", "en"), default="zh")
    test.add_argument("--green", action="store_true", help="a green-channel (绿色通道) ticket")
    test.set_defaults(func=_print_test)

    status = subparsers.add_parser("printer-health", help="read the printer's paper/cover status")
    status.add_argument("--printer", required=True, metavar="URI")
    status.set_defaults(func=_printer_health)
