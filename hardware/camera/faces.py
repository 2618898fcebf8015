"""Kept for callers of the old path (the kiosk's identification tests import FaceDetector from
here): the face algorithms live in the top-level `faces` package."""

from faces.detector import FaceBox, FaceDetector

__all__ = ["FaceBox", "FaceDetector"]
