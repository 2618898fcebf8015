"""Device adapters for kiosks and windows: one interface per device kind, a real adapter and a
simulated twin for each. Nothing here imports Kivy or the queue server."""
