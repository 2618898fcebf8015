"""The server's secret key and what is derived from it: keyed hashes for matching personal data,
authenticated encryption for values that must be kept, and per-ticket tracking secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class Keys:
    def __init__(self, master: bytes):
        if len(master) < 32:
            raise ValueError("the secret key must be at least 32 bytes")
        # Separate subkeys so that a leak of one use does not expose the others.
        self._hash_key = hmac.digest(master, b"personal-data-hash", "sha256")
        self._enc_key = hmac.digest(master, b"personal-data-encryption", "sha256")
        self._track_key = hmac.digest(master, b"ticket-tracking", "sha256")

    @classmethod
    def load_or_create(cls, path: Path) -> Keys:
        if path.exists():
            raw = path.read_bytes().strip()
            try:
                return cls(base64.b64decode(raw, validate=True))
            except ValueError as exc:
                raise ValueError(f"secret key file {path} is not a base64 key of 32+ bytes") from exc
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(base64.b64encode(key) + b"\n")
        return cls(key)

    def match_hash(self, kind: str, value: str) -> str:
        """Keyed hash for equality matching (identity numbers, phones); not reversible."""
        return hmac.new(self._hash_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self._enc_key).encrypt(nonce, plaintext.encode("utf-8"), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str) -> str:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        return AESGCM(self._enc_key).decrypt(raw[:12], raw[12:], None).decode("utf-8")

    def track_secret(self, ticket_id: str) -> str:
        digest = hmac.new(self._track_key, ticket_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:12]).decode("ascii")

    def track_secret_ok(self, ticket_id: str, secret: str) -> bool:
        return hmac.compare_digest(self.track_secret(ticket_id).encode(), secret.encode("utf-8", "surrogatepass"))
