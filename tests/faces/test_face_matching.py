"""Face embeddings (the OpenCV-only default), 1:1 and 1:N matching, and the SFace option's
"model files missing" path. Accuracy is measured on the real package photos; same-person pairs are
altered copies, which is far easier than two photos taken on different days (docs say so)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from faces.detector import FaceDetector
from faces.embedding import LbpEmbedder, lbp_codes
from faces.errors import ImageInputError, ModelFilesError, NoFaceError
from faces.matcher import FaceGallery, as_embedding, verify
from faces.sface import SFaceEmbedder
from tests.faces.face_photos import astronaut, embed_all, flip, genuine_impostor, grace_hopper, tom_hanks


@pytest.fixture(scope="module")
def embedder() -> LbpEmbedder:
    return LbpEmbedder()


@pytest.fixture(scope="module")
def scores(embedder: LbpEmbedder) -> tuple[np.ndarray, np.ndarray, int]:
    vectors = embed_all(embedder, FaceDetector())
    genuine, impostor = genuine_impostor(vectors)
    return genuine, impostor, len(vectors)


def test_embedding_is_a_fixed_length_unit_float32_vector(embedder: LbpEmbedder) -> None:
    v = embedder.embed(astronaut())
    assert v.shape == (embedder.dim,) == (2124,) and v.dtype == np.float32
    assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-5
    assert np.array_equal(v, embedder.embed(astronaut()))  # deterministic


def test_mirror_image_gives_nearly_the_same_vector(embedder: LbpEmbedder) -> None:
    assert float(embedder.embed(astronaut()) @ embedder.embed(flip(astronaut()))) > 0.9


def test_no_face_is_a_clear_error(embedder: LbpEmbedder) -> None:
    with pytest.raises(NoFaceError) as err:
        embedder.embed(np.full((480, 640, 3), 128, np.uint8))
    assert err.value.message_zh == "未检测到人脸，请正对摄像头"


def test_lbp_codes_of_flat_and_edge_images() -> None:
    flat = lbp_codes(np.full((10, 10), 7, np.uint8))
    assert flat.shape == (8, 8) and len(set(flat.ravel().tolist())) == 1  # one uniform pattern
    assert lbp_codes(np.random.default_rng(0).integers(0, 255, (50, 50), np.uint8)).max() <= 58


def test_altered_copies_match_and_different_people_do_not(
        embedder: LbpEmbedder, scores: tuple[np.ndarray, np.ndarray, int]) -> None:
    genuine, impostor, n = scores
    assert n >= 55  # 8 people x 8 pictures, a few altered copies lose their face
    assert len(impostor) > 1000
    # No different-person pair is accepted at the default threshold ...
    assert float(impostor.max()) < embedder.threshold
    # ... and nearly all altered copies of one face are.
    assert float((genuine >= embedder.threshold).mean()) >= 0.9
    assert float(np.median(genuine)) - float(np.median(impostor)) > 0.2


def test_verify_one_to_one(embedder: LbpEmbedder) -> None:
    a, a2 = embedder.embed(astronaut()), embedder.embed(flip(astronaut()))
    b = embedder.embed(grace_hopper())
    same, other = verify(a, a2, embedder.threshold), verify(a, b, embedder.threshold)
    assert same.accepted and not other.accepted and same.score > other.score


def test_gallery_identifies_one_among_many(embedder: LbpEmbedder) -> None:
    gallery = FaceGallery(embedder.dim, embedder.threshold, capacity=2)
    rng = np.random.default_rng(1)
    for i in range(500):  # strangers: random unit vectors, grows the storage several times
        gallery.add(f"stranger-{i}", rng.normal(size=embedder.dim))
    gallery.add("R-0001", embedder.embed(astronaut()))
    gallery.add("R-0002", embedder.embed(grace_hopper()))
    gallery.add("R-0003", embedder.embed(tom_hanks()))
    assert len(gallery) == 503
    best = gallery.identify(embedder.embed(flip(grace_hopper())), top_k=3)
    assert best[0].id == "R-0002" and best[0].accepted
    assert best[0].score >= best[1].score >= best[2].score
    assert gallery.best_match(embedder.embed(flip(tom_hanks()))).id == "R-0003"  # type: ignore[union-attr]


def test_gallery_replace_remove_and_empty(embedder: LbpEmbedder) -> None:
    gallery = FaceGallery(embedder.dim, embedder.threshold)
    assert gallery.identify(embedder.embed(astronaut())) == []
    gallery.add("a", embedder.embed(astronaut()))
    gallery.add("b", embedder.embed(grace_hopper()))
    gallery.add("a", embedder.embed(tom_hanks()))  # re-enrolled: replaced, not duplicated
    assert len(gallery) == 2
    assert gallery.identify(embedder.embed(tom_hanks()))[0].id == "a"
    assert gallery.remove("a") and not gallery.remove("a") and "a" not in gallery
    assert gallery.best_match(embedder.embed(astronaut())) is None
    assert [m.id for m in gallery.identify(embedder.embed(grace_hopper()), 5)] == ["b"]


@pytest.mark.parametrize("bad", [np.zeros(2124), np.full(2124, np.nan), np.ones(10),
                                 np.ones((2, 2124)), "not a vector", [1, "x"]])
def test_bad_embeddings_are_refused(bad: object) -> None:
    gallery = FaceGallery(2124, 0.7)
    with pytest.raises(ImageInputError):
        gallery.add("x", bad)
    with pytest.raises(ImageInputError):
        gallery.identify(bad)
    assert len(gallery) == 0


def test_bad_ids_and_bulk_shapes_are_refused() -> None:
    gallery = FaceGallery(4, 0.5)
    for bad_id in ("", "x" * 129, 42):
        with pytest.raises(ImageInputError):
            gallery.add(bad_id, [1, 0, 0, 0])  # type: ignore[arg-type]
    with pytest.raises(ImageInputError):
        gallery.add_many(["a", "b"], np.ones((3, 4)))
    with pytest.raises(ImageInputError):
        gallery.identify([1, 0, 0, 0], top_k=0)
    gallery.add_many(["a", "b"], np.eye(4)[:2])
    assert as_embedding([3, 4, 0, 0], 4).tolist() == pytest.approx([0.6, 0.8, 0, 0])
    assert gallery.identify([0, 1, 0, 0])[0].id == "b"


# -- SFace (operator-supplied models) ----------------------------------------------------------
def test_sface_without_model_files_says_so(tmp_path: Path) -> None:
    with pytest.raises(ModelFilesError, match="YuNet face detector model file not found") as err:
        SFaceEmbedder(tmp_path / "face_detection_yunet_2023mar.onnx",
                      tmp_path / "face_recognition_sface_2021dec.onnx")
    assert err.value.message_zh == "人脸识别模型文件缺失，请联系工作人员"
    assert "nothing is downloaded" in str(err.value)


def test_sface_with_empty_wrong_or_garbage_files_says_so(tmp_path: Path) -> None:
    yunet, sface = tmp_path / "yunet.onnx", tmp_path / "sface.onnx"
    yunet.write_bytes(b"")
    with pytest.raises(ModelFilesError, match="empty"):
        SFaceEmbedder(yunet, sface)
    yunet.write_bytes(b"not a model at all" * 10)
    with pytest.raises(ModelFilesError, match="SFace face recognizer model file not found"):
        SFaceEmbedder(yunet, sface)
    sface.write_bytes(b"also not a model" * 10)
    with pytest.raises(ModelFilesError, match="unreadable"):
        SFaceEmbedder(yunet, sface)
    text = tmp_path / "model.txt"
    text.write_text("x")
    with pytest.raises(ModelFilesError, match=r"\.onnx"):
        SFaceEmbedder(text, sface)
