"""Barcode and QR scanners (鲁通码, reservation codes): USB HID keyboard-wedge scanners read
through evdev, serial scanners through pyserial, and a simulated twin. Open one with
`open_scanner(uri)`; every scan arrives as one complete string."""

from hardware.scanner.evdev_scanner import EvdevScanner
from hardware.scanner.factory import open_scanner
from hardware.scanner.key_decoder import KeyEventDecoder
from hardware.scanner.line_decoder import SerialLineDecoder
from hardware.scanner.scan_buffer import ScanBuffer
from hardware.scanner.scanner_api import BarcodeScanner
from hardware.scanner.serial_scanner import SerialScanner
from hardware.scanner.sim import SimScanner

__all__ = [
    "BarcodeScanner",
    "EvdevScanner",
    "KeyEventDecoder",
    "ScanBuffer",
    "SerialLineDecoder",
    "SerialScanner",
    "SimScanner",
    "open_scanner",
]
