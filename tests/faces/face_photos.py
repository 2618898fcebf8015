"""Real face photos and what is done to them, for the face tests and bench/bench_camera.py.

The face photos are the real ones packages ship (no package has two photos of one person):
- scikit-image's `data.astronaut()` (Eileen Collins, NASA, public domain)
- matplotlib's `grace_hopper.jpg` (US Navy, public domain)
- insightface's wheel: `t1.jpg` (a group photo) and `Tom_Hanks_54745.png`. Only the two images are
  needed, so the wheel is fetched with `pip download --no-deps` (no onnxruntime, no models) once
  into a cache folder and the images are extracted from it.
Same-person pairs are altered copies (flip, light, small rotation, blur); a blink is painted on."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from faces.detector import FaceBox

INSIGHTFACE_VERSION = "2.1"
CACHE = Path(os.environ.get("HALL_TEST_DATA_CACHE",
                            Path(tempfile.gettempdir()) / "hall-camera-test-data"))


# -- real photos ------------------------------------------------------------------------------
@cache
def astronaut() -> np.ndarray:
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


@cache
def grace_hopper() -> np.ndarray:
    import matplotlib.cbook

    path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    return decode_bytes(Path(str(path)).read_bytes(), cv2.IMREAD_COLOR)


def decode_bytes(data: bytes, flags: int) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if img is None:
        raise RuntimeError("test image does not decode")
    return np.asarray(img)


def _insightface_wheel() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(CACHE.glob(f"insightface-{INSIGHTFACE_VERSION}-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                        str(CACHE), f"insightface=={INSIGHTFACE_VERSION}"], check=True,
                       timeout=300)
        wheels = sorted(CACHE.glob(f"insightface-{INSIGHTFACE_VERSION}-*.whl"))
    return wheels[0]


@cache
def insightface_image(name: str) -> np.ndarray:
    """`t1.jpg` or `Tom_Hanks_54745.png` from the insightface wheel."""
    with zipfile.ZipFile(_insightface_wheel()) as wheel:
        data = wheel.read(f"insightface/data/images/{name}")
    return decode_bytes(data, cv2.IMREAD_COLOR)


def tom_hanks() -> np.ndarray:
    return insightface_image("Tom_Hanks_54745.png")


def group_photo() -> np.ndarray:
    return insightface_image("t1.jpg")


def crop_margin(image: np.ndarray, box: tuple[int, int, int, int], margin: float = 0.6
                ) -> np.ndarray:
    """A face with room around it, so it can be rotated and found again."""
    x, y, w, h = box
    mx, my = int(w * margin), int(h * margin)
    return image[max(0, y - my):y + h + my, max(0, x - mx):x + w + mx].copy()


# -- alterations that keep the person ---------------------------------------------------------
def flip(img: np.ndarray) -> np.ndarray:
    return cv2.flip(img, 1)


def light(img: np.ndarray, gain: float, bias: float = 0.0) -> np.ndarray:
    return cv2.convertScaleAbs(img, alpha=gain, beta=bias)


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def shift(img: np.ndarray, dx: float, dy: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = np.array([[1, 0, dx], [0, 1, dy]], np.float32)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)


ALTERATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "flip": flip,
    "brighter": lambda i: light(i, 1.25, 15),
    "darker": lambda i: light(i, 0.65),
    "rotate+8": lambda i: rotate(i, 8),
    "rotate-8": lambda i: rotate(i, -8),
    "blur1.5": lambda i: blur(i, 1.5),
    "noise": lambda i: noisy(i, 6.0, seed=1),
}


def noisy(img: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(img.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def on_canvas(img: np.ndarray, size: tuple[int, int] = (640, 480), fill: int = 110
              ) -> np.ndarray:
    """The picture scaled into a kiosk-camera-sized frame (width, height), centred."""
    w, h = size
    scale = min(w / img.shape[1], h / img.shape[0])
    small = cv2.resize(img, (int(img.shape[1] * scale), int(img.shape[0] * scale)),
                       interpolation=cv2.INTER_AREA)
    canvas = np.full((h, w, 3), fill, np.uint8)
    y, x = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    canvas[y:y + small.shape[0], x:x + small.shape[1]] = small
    return canvas


# -- a blink, painted onto a real photo (no package ships a video of a person) -----------------
BLINK = [0, 0, 0, 0.5, 1, 0.5, 0, 0, 0, 0, 0, 0]  # how far the eyes are closed, frame by frame


def close_eyes(img: np.ndarray, face: FaceBox, amount: float) -> np.ndarray:
    """Eyelids drawn over the eyes: the eye region blended towards the skin just above it."""
    out = img.copy()
    eyes = face.eyes or ((face.x + face.w * 0.32, face.y + face.h * 0.4),
                         (face.x + face.w * 0.68, face.y + face.h * 0.4))
    r = int(face.w * 0.09)
    for x, y in ((int(a), int(b)) for a, b in eyes):
        skin = out[y - 2 * r:y - r, x - r:x + r].mean(axis=(0, 1))
        region = out[y - r:y + r, x - r:x + r].astype(np.float32)
        out[y - r:y + r, x - r:x + r] = (region * (1 - amount) + skin * amount).astype(np.uint8)
    return out


def kiosk_frames(photo: np.ndarray, eyes: object, *, blink: bool = True, moving: bool = False
                 ) -> list[np.ndarray]:
    """`photo` in a kiosk-sized frame, one frame per BLINK step, each with its own sensor noise:
    `blink` paints the eyelids closing and opening, `moving` shifts the picture a little as a hand
    holding it would. `eyes` is the FaceDetector (with its eye search) that places the eyelids."""
    base = on_canvas(photo)
    face = eyes.detect(base)[0]  # type: ignore[attr-defined]
    frames = []
    for i, closed in enumerate(BLINK):
        img = close_eyes(base, face, closed) if blink else base
        if moving:
            img = shift(img, 2 * np.sin(i), 1.5 * np.cos(i))
        frames.append(noisy(img, 3, seed=i))  # no two frames of a camera are equal
    return frames


# -- the face set for accuracy figures ---------------------------------------------------------
def identities() -> dict[str, np.ndarray]:
    """One picture per person: the three portraits and each face Haar finds in the group photo
    (cut out with a margin so the altered copies can still be detected)."""
    from faces.detector import FaceDetector

    people = {"astronaut": astronaut(), "grace_hopper": grace_hopper(), "tom_hanks": tom_hanks()}
    group = group_photo()
    finder = FaceDetector(detect_width=group.shape[1], min_face_fraction=0.05, find_eyes=False)
    for i, f in enumerate(sorted(finder.detect(group), key=lambda b: b.x)):
        people[f"t1_face{i}"] = crop_margin(group, (f.x, f.y, f.w, f.h), 0.6)
    return people


def embed_all(embedder: object, detector: object) -> dict[tuple[str, str], np.ndarray]:
    """Embeddings of every person's original and altered copies, keyed (person, alteration);
    copies in which no face is found are left out (and counted by the caller)."""
    out: dict[tuple[str, str], np.ndarray] = {}
    for person, img in identities().items():
        for name, alter in [("original", lambda i: i), *ALTERATIONS.items()]:
            pic = alter(img)
            faces = detector.detect(pic)  # type: ignore[attr-defined]
            if faces:
                out[(person, name)] = embedder.embed(pic, faces[0])  # type: ignore[attr-defined]
    return out


def genuine_impostor(vectors: dict[tuple[str, str], np.ndarray]
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Cosine scores: genuine = each original with its own altered copies; impostor = every
    pair of pictures of two different people."""
    keys = list(vectors)
    genuine = [float(vectors[(p, "original")] @ v) for (p, n), v in vectors.items()
               if n != "original" and (p, "original") in vectors]
    impostor = [float(vectors[a] @ vectors[b]) for i, a in enumerate(keys)
                for b in keys[i + 1:] if a[0] != b[0]]
    return np.array(genuine), np.array(impostor)
