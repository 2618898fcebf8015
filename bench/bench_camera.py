"""Camera figures on one core: face detection + embedding per 640x480 frame, 1:N search over
10,000 and 100,000 stored embeddings, QR decoding; then the default embedder's genuine/impostor
scores on the package photos (the figures in docs/hardware-camera.md).

    .venv/bin/python bench/bench_camera.py [--repeat N] [--skip-accuracy]

The face algorithms come from `faces/`, the QR decoder from `hardware/camera/`. Needs the test
photos (scikit-image, matplotlib, and the insightface wheel fetched by tests/faces/face_photos.py)."""

from __future__ import annotations

import os

# One core for numpy's BLAS too (the 1:N matrix product): must be set before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "hardware")]

from camera_fixtures import qr_image  # noqa: E402

from faces.detector import FaceDetector  # noqa: E402
from faces.embedding import LbpEmbedder  # noqa: E402
from faces.matcher import FaceGallery  # noqa: E402
from hardware.camera.qr import QRDecoder  # noqa: E402
from tests.faces import face_photos as cf  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median and worst wall time, and median CPU time of this thread, in milliseconds, after
    one warm-up call. CPU time is what a dedicated core would take; wall time also counts waiting
    for a core when the machine is busy."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn()
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return statistics.median(wall), max(wall), statistics.median(cpu)


def fmt(t: tuple[float, float, float]) -> str:
    return f"{t[0]:6.1f} / {t[1]:6.1f} (cpu {t[2]:6.1f})"


def bench_faces(repeat: int) -> None:
    detector, embedder = FaceDetector(), LbpEmbedder()
    print("face detection + embedding, 640x480 frame, 1 thread (ms: median / worst wall, "
          "median cpu):")
    for name, photo in (("astronaut", cf.astronaut()), ("grace_hopper", cf.grace_hopper()),
                        ("tom_hanks", cf.tom_hanks())):
        frame = cf.on_canvas(photo)
        faces = detector.detect(frame)
        det = timed(lambda f=frame: detector.detect(f), repeat)
        emb = timed(lambda f=frame, b=faces[0]: embedder.embed(f, b), repeat)
        both = timed(lambda f=frame: embedder.embed(f, detector.detect(f)[0]), repeat)
        print(f"  {name:13s} face {faces[0].w:3d}px: detect {fmt(det)}  embed {fmt(emb)}  "
              f"together {fmt(both)}")
    empty = np.full((480, 640, 3), 110, np.uint8)
    t = timed(lambda: detector.detect(empty), repeat)
    print(f"  {'no face':13s}             detect {fmt(t)}")


def bench_search(repeat: int) -> None:
    dim = LbpEmbedder().dim
    rng = np.random.default_rng(0)
    print(f"1:N search, {dim}-d float32 embeddings, 1 thread "
          "(ms: median / worst wall, median cpu):")
    for n in (10_000, 100_000):
        gallery = FaceGallery(dim, 0.73, capacity=n)
        vectors = rng.standard_normal((n, dim), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        gallery.add_many([f"id{i}" for i in range(n)], vectors)
        probe = vectors[n // 2]
        t = timed(lambda g=gallery, p=probe: g.identify(p, top_k=5), repeat)
        assert gallery.identify(probe)[0].id == f"id{n // 2}"
        print(f"  {n:7d} stored ({n * dim * 4 / 2**20:5.0f} MiB): identify top-5 {fmt(t)}")


def bench_qr(repeat: int) -> None:
    decoder = QRDecoder()
    code = cv2.cvtColor(cv2.resize(qr_image("LTM:3701:9f2c1e7a-5d1b-4c2e-8e0f-2a1b3c4d5e6f",
                                            box_size=4), (200, 200)), cv2.COLOR_GRAY2BGR)
    frame = cf.on_canvas(cf.astronaut())
    with_code = frame.copy()
    with_code[140:340, 420:620] = code
    print("QR decoding, 640x480 frame, 1 thread (ms: median / worst wall, median cpu):")
    for name, img in (("code in frame", with_code), ("no code", frame)):
        for reader, read in decoder.readers:
            only = QRDecoder(readers=[(reader, read)])
            t = timed(lambda d=only, i=img: d.decode(i), repeat)
            print(f"  {name:13s} {reader:8s} {fmt(t)}")
        t = timed(lambda i=img: decoder.decode(i), repeat)
        print(f"  {name:13s} {'chain':8s} {fmt(t)}")


def accuracy() -> None:
    embedder = LbpEmbedder()
    vectors = cf.embed_all(embedder, FaceDetector())
    genuine, impostor = cf.genuine_impostor(vectors)
    people = len({p for p, _ in vectors})
    print(f"default embedder accuracy: {people} people, {len(vectors)} pictures "
          f"({people * (len(cf.ALTERATIONS) + 1) - len(vectors)} altered copies lost their face)")
    for name, s in (("genuine", genuine), ("impostor", impostor)):
        q = np.percentile(s, [0, 5, 25, 50, 75, 95, 100])
        print(f"  {name:8s} n={len(s):5d}  min {q[0]:.3f}  p5 {q[1]:.3f}  p25 {q[2]:.3f}  "
              f"median {q[3]:.3f}  p75 {q[4]:.3f}  p95 {q[5]:.3f}  max {q[6]:.3f}")
    for t in (0.65, 0.70, embedder.threshold, 0.76, 0.80):
        print(f"  threshold {t:.2f}: genuine accepted {(genuine >= t).mean():6.1%}, "
              f"impostors accepted {(impostor >= t).mean():6.2%}")
    for alteration in cf.ALTERATIONS:
        s = [float(vectors[(p, 'original')] @ v) for (p, a), v in vectors.items()
             if a == alteration and (p, "original") in vectors]
        print(f"    {alteration:9s} genuine min {min(s):.3f} median {statistics.median(s):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores; OpenCV {cv2.__version__}, "
          f"numpy {np.__version__}, cv2.setNumThreads(1), "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    bench_faces(args.repeat)
    bench_search(max(3, args.repeat // 4))
    bench_qr(args.repeat)
    if not args.skip_accuracy:
        accuracy()


if __name__ == "__main__":
    main()
