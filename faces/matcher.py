"""1:1 verification and 1:N search over stored face embeddings.

Embeddings are unit vectors, so cosine similarity is a dot product, and 1:N against every stored
face is one matrix-vector product: 100,000 faces take tens of milliseconds on one core (bench/).
Only embeddings and opaque ids are kept here, never names or identity numbers: the caller maps an
id to a person through the server, where personal data is protected."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from .errors import ImageInputError


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    accepted: bool


def as_embedding(vector: object, dim: int) -> np.ndarray:
    """A validated, unit-length float32 vector of length `dim` (ImageInputError otherwise)."""
    try:
        v = np.asarray(vector, dtype=np.float32)
    except (TypeError, ValueError):
        raise ImageInputError("embedding is not a vector of numbers") from None
    if v.ndim != 1 or v.shape[0] != dim:
        raise ImageInputError(f"embedding must have shape ({dim},), not {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ImageInputError("embedding contains NaN or infinity")
    norm = float(np.linalg.norm(v))
    if norm < 1e-6:
        raise ImageInputError("embedding is all zeros")
    return v / norm


def verify(a: object, b: object, threshold: float, dim: int | None = None) -> Match:
    """1:1: do two embeddings belong to one person? `id` is empty; `score` is the cosine."""
    va = np.asarray(a, dtype=np.float32)
    size = dim if dim is not None else (va.shape[0] if va.ndim == 1 else -1)
    score = float(as_embedding(va, size) @ as_embedding(b, size))
    return Match("", score, score >= threshold)


class FaceGallery:
    """Stored embeddings by id, searched 1:N. Thread-safe; one id holds one embedding (adding it
    again replaces it). Storage grows by doubling, so adding one face is cheap on average."""

    def __init__(self, dim: int, threshold: float, capacity: int = 1024):
        if dim <= 0:
            raise ValueError("dim must be positive")
        self.dim = dim
        self.threshold = threshold
        self._matrix = np.zeros((max(1, capacity), dim), np.float32)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, face_id: object) -> bool:
        return face_id in self._row

    def add(self, face_id: str, vector: object) -> None:
        if not isinstance(face_id, str) or not face_id or len(face_id) > 128:
            raise ImageInputError("face id must be a non-empty string of at most 128 characters")
        v = as_embedding(vector, self.dim)
        with self._lock:
            row = self._row.get(face_id)
            if row is None:
                row = len(self._ids)
                if row == self._matrix.shape[0]:
                    grown = np.zeros((row * 2, self.dim), np.float32)
                    grown[:row] = self._matrix
                    self._matrix = grown
                self._ids.append(face_id)
                self._row[face_id] = row
            self._matrix[row] = v

    def add_many(self, ids: list[str], vectors: np.ndarray) -> None:
        """Bulk load (a hall's enrolled faces at start-up): rows must already be unit vectors."""
        m = np.asarray(vectors, dtype=np.float32)
        if m.ndim != 2 or m.shape != (len(ids), self.dim):
            raise ImageInputError(f"need {len(ids)} embeddings of length {self.dim}, "
                                   f"got shape {m.shape}")
        for face_id, v in zip(ids, m, strict=True):
            self.add(face_id, v)

    def remove(self, face_id: str) -> bool:
        """Forgets a face (a citizen withdrew consent); moves the last row into the gap."""
        with self._lock:
            row = self._row.pop(face_id, None)
            if row is None:
                return False
            last = len(self._ids) - 1
            if row != last:
                moved = self._ids[last]
                self._ids[row] = moved
                self._row[moved] = row
                self._matrix[row] = self._matrix[last]
            self._ids.pop()
            self._matrix[last] = 0.0
            return True

    def identify(self, vector: object, top_k: int = 1) -> list[Match]:
        """1:N: the `top_k` most similar stored faces, best first (accepted or not)."""
        if top_k < 1:
            raise ImageInputError("top_k must be at least 1")
        v = as_embedding(vector, self.dim)
        with self._lock:
            n = len(self._ids)
            if n == 0:
                return []
            scores = self._matrix[:n] @ v
            ids = list(self._ids)
        k = min(top_k, n)
        best = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [Match(ids[i], float(scores[i]), bool(scores[i] >= self.threshold)) for i in best]

    def best_match(self, vector: object) -> Match | None:
        """The single best stored face if it passes the threshold, else None."""
        found = self.identify(vector, 1)
        return found[0] if found and found[0].accepted else None
