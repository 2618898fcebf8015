"""Who is asking: a device of a hall or a staff member (optionally a manager)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.model import StaffRef


@dataclass(frozen=True, slots=True)
class Principal:
    hall_id: str
    kind: str  # "kiosk", "display", "integration", "staff", "manager"
    id: str
    name: str = ""
    windows: tuple[str, ...] = ()
    token_sha256: str = ""

    @property
    def is_staff(self) -> bool:
        return self.kind in ("staff", "manager")

    @property
    def is_manager(self) -> bool:
        return self.kind == "manager"

    @property
    def staff_ref(self) -> StaffRef | None:
        return StaffRef(self.id, self.name) if self.is_staff else None

    @property
    def label(self) -> str:
        """For the audit log: kind and id, never a citizen's data."""
        return f"{self.kind}:{self.id}"
