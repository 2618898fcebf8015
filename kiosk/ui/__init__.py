"""The Kivy views of the kiosk, laid out like display/: `theme` (colours, sizes), `widgets` (text,
buttons, cards, QR code, camera preview), `kit` (what a screen is built with), `chrome` (header,
banners, footer), `screens/` (one builder per screen, grouped by journey) and `root` (the root
widget: rebuilds on change, ticks the idle timer).

Import this package only after kiosk.app has configured Kivy (window size, font, no argv)."""

from .root import KioskUI
from .widgets import Btn, find_buttons

__all__ = ["Btn", "KioskUI", "find_buttons"]
