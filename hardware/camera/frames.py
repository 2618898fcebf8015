"""A frame from a camera: the validated picture (`faces.images.validate_frame`) and when it was
grabbed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Frame:
    """One validated BGR (or gray) picture and when it was grabbed (time.time())."""

    image: np.ndarray
    timestamp: float = field(default_factory=time.time)
    seq: int = 0

    @property
    def age(self) -> float:
        return time.time() - self.timestamp
