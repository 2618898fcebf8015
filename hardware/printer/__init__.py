"""Ticket printer (号票打印机): ESC/POS over USB, network, serial or a device file, plus a
simulated twin. The kiosk needs only what is exported here:

    printer = open_printer("tcp:192.168.1.50:9100")
    printer.health()                 # hardware.health.Health
    printer.print_ticket(TicketSlip(...))   # raises PrinterError (a DeviceError) on failure
    printer.close()
"""

from hardware.printer.printer import EscposTicketPrinter, PrinterError, TicketPrinter
from hardware.printer.sim import SimPrinter
from hardware.printer.slip import TicketSlip
from hardware.printer.ticket_layout import LayoutOptions, build_ticket
from hardware.printer.uri import PrinterConfigError, open_printer

__all__ = [
    "EscposTicketPrinter",
    "LayoutOptions",
    "PrinterConfigError",
    "PrinterError",
    "SimPrinter",
    "TicketPrinter",
    "TicketSlip",
    "build_ticket",
    "open_printer",
]
