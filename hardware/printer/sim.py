"""The simulated twin (`sim` URI): behaves like a two-way ESC/POS printer, keeps every byte it was
sent and renders tickets to PNG. Kiosk tests and demos drive its troubles with set_condition()."""

from __future__ import annotations

from pathlib import Path

from hardware.printer.links import Link, LinkDown, NoAnswer
from hardware.printer.printer import EscposTicketPrinter
from hardware.printer.render import RenderResult, render
from hardware.printer.status import PrinterStatus, encode
from hardware.printer.ticket_layout import LayoutOptions

CONDITIONS: dict[str, PrinterStatus | None] = {
    "ok": PrinterStatus(),
    "paper_near_end": PrinterStatus(paper_near_end=True),
    "paper_out": PrinterStatus(paper_out=True, offline=True),
    "cover_open": PrinterStatus(cover_open=True, offline=True),
    "error": PrinterStatus(error=True, offline=True),
    "disconnected": None,  # unplugged: nothing opens
    "no_answer": None,  # plugged in but silent
}


class SimLink(Link):
    where = "sim"
    two_way = True

    def __init__(self) -> None:
        self.condition = "ok"
        self.jobs: list[bytes] = []
        self.writes = 0  # each write() call: a ticket must be exactly one
        self._open = False

    @property
    def is_open(self) -> bool:
        if self.condition == "disconnected":
            self._open = False
        return self._open

    def open(self) -> None:
        if self.condition == "disconnected":
            raise LinkDown("simulated printer is unplugged")
        self._open = True

    def write(self, data: bytes) -> None:
        if not self.is_open:
            raise LinkDown("simulated printer is unplugged")
        self.writes += 1
        self.jobs.append(bytes(data))

    def query(self, n: int) -> int:
        if not self.is_open:
            raise LinkDown("simulated printer is unplugged")
        status = CONDITIONS[self.condition]
        if status is None:
            raise NoAnswer(f"simulated printer does not answer DLE EOT {n}")
        return encode(status)[n]

    def close(self) -> None:
        self._open = False


class SimPrinter(EscposTicketPrinter):
    def __init__(self, *, layout: LayoutOptions | None = None, png_dir: str | Path | None = None,
                 uri: str = "sim") -> None:
        self._sim = SimLink()
        super().__init__(self._sim, uri=uri, layout=layout)
        self.png_dir = Path(png_dir) if png_dir else None

    def set_condition(self, condition: str) -> None:
        """One of: ok, paper_near_end, paper_out, cover_open, error, disconnected, no_answer."""
        if condition not in CONDITIONS:
            raise ValueError(f"unknown condition {condition!r}; use one of {', '.join(CONDITIONS)}")
        self._sim.condition = condition

    @property
    def condition(self) -> str:
        return self._sim.condition

    @property
    def jobs(self) -> list[bytes]:
        """Byte streams of the tickets printed so far, oldest first."""
        return list(self._sim.jobs)

    @property
    def writes(self) -> int:
        return self._sim.writes

    def render_last(self) -> RenderResult:
        if not self._sim.jobs:
            raise LookupError("the simulated printer has printed nothing yet")
        return render(self._sim.jobs[-1], paper_dots=self.layout.paper_dots)

    def _sent(self, data: bytes) -> None:
        if self.png_dir is not None:
            path = self.png_dir / f"ticket-{len(self._sim.jobs):04d}.png"
            render(data, paper_dots=self.layout.paper_dots).save(path)
