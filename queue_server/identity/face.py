"""Face 1:1 verification: a local verifier against a reference template enrolled at a window
(the `faces` package's FaceDetector + LbpEmbedder, computed here on the server), or the provincial
real-person verification service. Images are decoded in memory and never stored; templates are
float32 vectors sealed with the server's key."""

from __future__ import annotations

import asyncio
import base64
import binascii
import threading
from typing import TYPE_CHECKING

import numpy as np

from hall_common.vocabulary import ErrorCode

from ..config import IdentitySettings
from ..core.errors import Conflict, Invalid
from ..security.keys import Keys
from . import provincial
from .person import Person, checked_name

if TYPE_CHECKING:
    from faces import FaceDetector, LbpEmbedder

EMBEDDER = "lbp"
MAX_IMAGE_B64 = 8 * 1024 * 1024
DOWN_ZH = "人脸核验服务暂时不可用，请使用身份证或其他方式取号"
MISMATCH_ZH = "人脸与身份信息不一致，请使用其他方式或到窗口办理"

_local = threading.local()


def _tools() -> tuple[FaceDetector, LbpEmbedder]:
    # OpenCV's detectors are not thread-safe: one pair per worker thread.
    if not hasattr(_local, "tools"):
        from faces import FaceDetector, LbpEmbedder  # OpenCV is loaded at the first face only

        detector = FaceDetector()
        _local.tools = (detector, LbpEmbedder(detector=detector))
    tools: tuple[FaceDetector, LbpEmbedder] = _local.tools
    return tools


def decode_b64(image_b64: str) -> bytes:
    if len(image_b64) > MAX_IMAGE_B64:
        raise Invalid("the image is too large", "照片过大，请重新拍摄", code=ErrorCode.FACE_IMAGE_INVALID)
    try:
        return base64.b64decode(image_b64.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("image_b64 is not base64", "照片无法读取，请重新拍摄", code=ErrorCode.FACE_IMAGE_INVALID) from None


def _embed_sync(data: bytes) -> np.ndarray:
    from faces import ImageInputError, NoFaceError, decode_image_bytes

    detector, embedder = _tools()
    try:
        image = decode_image_bytes(data)
        faces = detector.detect(image)
        if not faces:
            raise NoFaceError()
        return embedder.embed(image, faces[0])
    except NoFaceError as exc:
        raise Invalid("no face found in the image", exc.message_zh, code=ErrorCode.FACE_NOT_FOUND) from None
    except ImageInputError as exc:
        raise Invalid(f"the image cannot be used: {exc.message_en}", "照片无法读取，请重新拍摄", code=ErrorCode.FACE_IMAGE_INVALID) from None


async def embed(image_b64: str) -> np.ndarray:
    data = decode_b64(image_b64)
    return await asyncio.to_thread(_embed_sync, data)


def seal(keys: Keys, vector: np.ndarray) -> str:
    return keys.encrypt(base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode())


def unseal(keys: Keys, token: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(keys.decrypt(token)), dtype="<f4")


def compare(reference: np.ndarray, probe: np.ndarray, threshold: float) -> float:
    """The cosine score; refuses (409) below the threshold."""
    from faces import verify

    match = verify(reference, probe, threshold)
    if not match.accepted:
        raise Conflict("the face does not match the enrolled face", MISMATCH_ZH, code=ErrorCode.FACE_MISMATCH)
    return match.score


async def verify_provincial(settings: IdentitySettings, id_number: str, image_b64: str) -> Person:
    """Real-person verification: data {"match": bool, "score": number, "name"?}; refusal codes:
    2001 no photo on file for the person, anything else not verified."""
    assert settings.face_provincial is not None
    decode_b64(image_b64)  # refuse rubbish before bothering the platform
    try:
        data = await provincial.call(
            settings.face_provincial,
            {"id_number": id_number, "image_b64": image_b64},
            what="face platform",
            message_zh=DOWN_ZH,
        )
    except provincial.Refused as refusal:
        if refusal.code == 2001:
            raise Conflict("the platform has no photo of this person", "无法核验您的人脸，请使用其他方式", code=ErrorCode.FACE_NOT_ENROLLED) from None
        raise Conflict(f"face platform refused (code {refusal.code})", MISMATCH_ZH, code=ErrorCode.FACE_MISMATCH) from None
    if not isinstance(data.get("match"), bool):
        raise provincial.VerifierUnavailable("face platform answered without a match flag", DOWN_ZH)
    if not data["match"]:
        raise Conflict("the face does not match (platform)", MISMATCH_ZH, code=ErrorCode.FACE_MISMATCH)
    return Person(id_number=id_number, name=checked_name(data.get("name")))
