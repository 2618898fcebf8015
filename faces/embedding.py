"""Face embeddings: a fixed-length float32 vector per face, compared by cosine similarity.

The default, `LbpEmbedder`, uses nothing but OpenCV and numpy: the face is levelled on its eyes,
cropped, equalised, and described by histograms of uniform local binary patterns (the LBPH
method of cv2.face, computed directly so the vector can be stored and searched). It is a weak
verifier: it tells apart different people in the package photos, but it has never seen two
different photos of one person (no package ships them). docs/hardware-camera.md has the figures.
`faces.sface.SFaceEmbedder` is the strong option when the operator supplies models."""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np

from .detector import FaceBox, FaceDetector
from .errors import NoFaceError
from .images import to_gray, validate_frame


class FaceEmbedder(Protocol):
    name: str
    dim: int
    threshold: float  # cosine similarity at or above which two faces are taken as one person

    def embed(self, image: np.ndarray, face: FaceBox | None = None) -> np.ndarray: ...


def _uniform_lut() -> np.ndarray:
    """Maps the 256 8-neighbour patterns to 59 bins: the 58 'uniform' ones (at most two 0/1
    transitions around the circle: edges, corners, spots) each get a bin, the rest share one."""
    lut = np.full(256, 58, np.uint8)
    nxt = 0
    for code in range(256):
        bits = [(code >> i) & 1 for i in range(8)]
        if sum(bits[i] != bits[(i + 1) % 8] for i in range(8)) <= 2:
            lut[code] = nxt
            nxt += 1
    return lut


_LUT = _uniform_lut()
_BINS = 59
# Neighbour offsets (dy, dx) around the centre, clockwise from the top-left.
_NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1))


def lbp_codes(gray: np.ndarray) -> np.ndarray:
    """Uniform LBP bin (0-58) of every inner pixel of a gray image (vectorised, no loops)."""
    g = gray.astype(np.int16)
    centre = g[1:-1, 1:-1]
    h, w = centre.shape
    code = np.zeros((h, w), np.uint8)
    for bit, (dy, dx) in enumerate(_NEIGHBOURS):
        code |= ((g[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] >= centre).astype(np.uint8) << bit)
    return _LUT[code]


def grid_histograms(codes: np.ndarray, grid: int) -> np.ndarray:
    """Per-cell histograms of LBP bins, cells in row order, as one float32 vector."""
    h, w = codes.shape
    ys = np.minimum(np.arange(h) * grid // h, grid - 1)
    xs = np.minimum(np.arange(w) * grid // w, grid - 1)
    cell = ys[:, None] * grid + xs[None, :]
    flat = cell.ravel().astype(np.int64) * _BINS + codes.ravel()
    hist = np.bincount(flat, minlength=grid * grid * _BINS).astype(np.float32)
    return hist


class LbpEmbedder:
    """OpenCV-only embedding: `dim` = 59 x grid², centred and L2-normalised float32.

    threshold 0.73: on the package photos, altered copies of one face scored 0.74-0.99 and
    different people at most 0.72 (docs/hardware-camera.md); a thin margin on easy pairs.

    The descriptor of the face and of its mirror image are added, so the vector does not change
    when the picture is flipped (front cameras mirror, some kiosks do not)."""

    name = "lbp"

    def __init__(self, grid: int = 6, size: int = 72, threshold: float = 0.73,
                 detector: FaceDetector | None = None):
        self.grid = grid
        self.size = size
        self.dim = _BINS * grid * grid
        self.threshold = threshold
        self._detector = detector

    def embed(self, image: np.ndarray, face: FaceBox | None = None) -> np.ndarray:
        gray = to_gray(validate_frame(image))
        if face is None:
            if self._detector is None:
                self._detector = FaceDetector()
            faces = self._detector.detect(gray)
            if not faces:
                raise NoFaceError()
            face = faces[0]
        face.check_inside(gray)
        crop = self.aligned_crop(gray, face)
        vec = grid_histograms(lbp_codes(crop), self.grid)
        vec += grid_histograms(lbp_codes(crop[:, ::-1]), self.grid)
        # Square root (Hellinger): keeps a few frequent patterns from dominating the cosine.
        # Centring: histograms are all positive, so any two faces would share a large cosine;
        # without the common part, the gap between same and different people doubles.
        vec = np.sqrt(vec)
        vec -= vec.mean()
        return np.asarray(vec / max(float(np.linalg.norm(vec)), 1e-12), dtype=np.float32)

    def aligned_crop(self, gray: np.ndarray, face: FaceBox) -> np.ndarray:
        """The inner face, levelled on the eyes when they were found, equalised, size x size."""
        angle = face.eye_angle
        cx, cy = face.x + face.w / 2, face.y + face.h / 2
        if angle is not None and abs(angle) <= 25:
            (lx, ly), (rx, ry) = face.eyes  # type: ignore[misc]
            rot = cv2.getRotationMatrix2D(((lx + rx) / 2, (ly + ry) / 2), angle, 1.0)
        else:
            rot = cv2.getRotationMatrix2D((cx, cy), 0.0, 1.0)
        # The inner 80% of the Haar box: its edges are hair, ears and background.
        side = 0.8 * face.w
        scale = self.size / side
        # Compose "rotate about the eyes" with "move the inner box to the origin and scale".
        to_crop = np.array([[scale, 0, -scale * (cx - side / 2)],
                            [0, scale, -scale * (cy - side / 2 + 0.04 * face.h)]], np.float64)
        m = to_crop @ np.vstack([rot, [0, 0, 1]])
        crop = cv2.warpAffine(gray, m, (self.size, self.size), flags=cv2.INTER_AREA,
                              borderMode=cv2.BORDER_REPLICATE)
        crop = cv2.GaussianBlur(crop, (3, 3), 0.8)  # sensor noise makes LBP codes flicker
        return cv2.equalizeHist(crop)
