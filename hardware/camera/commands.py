"""`python -m hardware decode-qr IMAGE` and `python -m hardware faces IMAGE`: a technician checks
the camera pipeline on a picture (a snapshot from the kiosk, a photo of a citizen's 鲁通码)."""

from __future__ import annotations

import argparse

from faces.detector import FaceDetector
from faces.errors import ImageInputError
from faces.images import load_image
from faces.quality import assess_quality

from .qr import QRDecoder


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    qr = subparsers.add_parser("decode-qr", help="decode the QR code in an image file")
    qr.add_argument("image", help="image file (PNG, JPEG, ...)")
    qr.set_defaults(func=decode_qr_command)

    faces = subparsers.add_parser("faces", help="find faces in an image and judge their quality")
    faces.add_argument("image", help="image file (PNG, JPEG, ...)")
    faces.add_argument("--detect-width", type=int, default=320,
                       help="width the image is scaled to for detection (default 320, as the "
                            "kiosk does; the image's own width finds small faces too)")
    faces.set_defaults(func=faces_command)


def decode_qr_command(args: argparse.Namespace) -> int:
    """Prints the decoded text alone on the last line (scripts take `tail -n 1`); exit 1 when
    there is no QR code or its content is refused."""
    image = load_image(args.image)
    decoder = QRDecoder()
    try:
        text = decoder.decode(image)
    except ImageInputError as exc:  # a bad frame, or a QRPayloadError
        print(f"refused: {exc.message_en} / {exc.message_zh}")
        return 1
    if text is None:
        print(f"no QR code found (readers tried: {', '.join(decoder.reader_names)})")
        return 1
    print(text)
    return 0


def faces_command(args: argparse.Namespace) -> int:
    """First line starts with the number of faces; then one verdict line per face."""
    image = load_image(args.image)
    if not 64 <= args.detect_width <= 8192:
        raise ValueError("--detect-width must be between 64 and 8192")
    small_faces = args.detect_width > 320  # a technician looking at a group photo
    detector = FaceDetector(detect_width=args.detect_width,
                            min_face_fraction=0.05 if small_faces else 0.12)
    faces = detector.detect(image)
    print(f"{len(faces)} face(s) found in {args.image} ({image.shape[1]}x{image.shape[0]})")
    for i, face in enumerate(faces, 1):
        verdict = assess_quality(image, face)
        state = "ok" if verdict.ok else "not ok"
        advice = "; ".join(f"{q.message_zh} ({q.message_en})" for q in verdict.issues)
        m = verdict.metrics
        print(f"face {i}: x={face.x} y={face.y} w={face.w} h={face.h} {state}"
              f"{': ' + advice if advice else ''} [brightness {m['brightness']:.0f}, "
              f"sharpness {m['sharpness']:.1f}, eyes {'yes' if face.eyes else 'no'}]")
    return 0
