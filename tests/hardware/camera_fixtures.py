"""Real pictures and made-up camera input for the camera tests (imported explicitly by them).

The face photos are the real ones packages ship (no package has two photos of one person):
- scikit-image's `data.astronaut()` (Eileen Collins, NASA, public domain)
- matplotlib's `grace_hopper.jpg` (US Navy, public domain)
- insightface's wheel: `t1.jpg` (a group photo) and `Tom_Hanks_54745.png`. Only the two images are
  needed, so the wheel is fetched with `pip download --no-deps` (no onnxruntime, no models) once
  into a cache folder and the images are extracted from it.
Same-person pairs are altered copies (flip, light, small rotation, blur)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
import qrcode

if TYPE_CHECKING:
    from hardware.camera.faces import FaceBox

INSIGHTFACE_VERSION = "2.1"
CACHE = Path(os.environ.get("HALL_TEST_DATA_CACHE",
                            Path(tempfile.gettempdir()) / "hall-camera-test-data"))


# -- real photos ------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def astronaut() -> np.ndarray:
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


@lru_cache(maxsize=None)
def grace_hopper() -> np.ndarray:
    import matplotlib.cbook

    path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    return _decode(Path(str(path)).read_bytes(), cv2.IMREAD_COLOR)


def _decode(data: bytes, flags: int) -> np.ndarray:
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


@lru_cache(maxsize=None)
def insightface_image(name: str) -> np.ndarray:
    """`t1.jpg` or `Tom_Hanks_54745.png` from the insightface wheel."""
    with zipfile.ZipFile(_insightface_wheel()) as wheel:
        data = wheel.read(f"insightface/data/images/{name}")
    return _decode(data, cv2.IMREAD_COLOR)


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


def close_eyes(img: np.ndarray, face: "FaceBox", amount: float) -> np.ndarray:
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


# -- QR codes ---------------------------------------------------------------------------------
def qr_image(payload: str | bytes, box_size: int = 8, border: int = 4,
             error_correction: int = qrcode.constants.ERROR_CORRECT_M) -> np.ndarray:
    """A QR code as a gray uint8 array, made by the `qrcode` package (as tickets print them)."""
    q = qrcode.QRCode(box_size=box_size, border=border, error_correction=error_correction)
    q.add_data(payload)
    q.make(fit=True)
    buf = io.BytesIO()
    q.make_image().save(buf, format="PNG")
    return _decode(buf.getvalue(), cv2.IMREAD_GRAYSCALE)


def qr_png(path: Path, payload: str | bytes, **kwargs: int) -> Path:
    cv2.imwrite(str(path), qr_image(payload, **kwargs))
    return path


def perspective(img: np.ndarray, strength: float = 0.12) -> np.ndarray:
    """As a phone held at an angle to the camera shows it."""
    h, w = img.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    d = strength
    dst = np.array([[w * d, h * d * 0.5], [w * (1 - d * 0.3), 0], [w, h], [0, h * (1 - d)]],
                   np.float32)
    return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h),
                               borderValue=255)


# -- videos -----------------------------------------------------------------------------------
def write_video(path: Path, frames: Iterable[np.ndarray], fps: float = 10.0) -> Path:
    """An MJPG .avi (or mp4v .mp4) made with cv2.VideoWriter, as a camera recording would be."""
    frames = list(frames)
    h, w = frames[0].shape[:2]
    fourcc = cv2.VideoWriter.fourcc(*("mp4v" if path.suffix == ".mp4" else "MJPG"))
    writer = cv2.VideoWriter(str(path), fourcc, fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f"cv2.VideoWriter cannot write {path}")
    for frame in frames:
        writer.write(frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    writer.release()
    return path


# -- the face set for accuracy figures ---------------------------------------------------------
def identities() -> dict[str, np.ndarray]:
    """One picture per person: the three portraits and each face Haar finds in the group photo
    (cut out with a margin so the altered copies can still be detected)."""
    from hardware.camera.faces import FaceDetector

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


# -- the command line -------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, in_process: bool = True) -> tuple[int, str, str]:
    """`python -m hardware ARGS` as (exit code, stdout, stderr). In process by default (the same
    `hardware.cli.main`, without paying for a new interpreter and OpenCV import each time)."""
    if not in_process:
        done = subprocess.run([sys.executable, "-m", "hardware", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout, done.stderr
    import contextlib

    from hardware.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()
