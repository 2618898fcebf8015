"""The self-service kiosk (自助服务终端): Kivy touchscreen app over the queue server's API."""

__version__ = "0.1.0"
