"""鲁通码 (the province's personal QR code in 爱山东): the raw text goes to a verifier.

- demo: codes the project issues itself (`python -m queue_server demo-lutong`), in the format
      LTM1.<base64url(JSON)>.<hex HMAC-SHA256>
  The JSON is {"v": 1, "id": <encrypted identity number>, "nm": <encrypted name>, "exp": <unix
  seconds>, "n": <nonce>}; values are sealed with the server's key (AES-GCM) and the whole is
  authenticated with a key derived from it, so only this server (or one sharing its key) makes
  and reads them. A code is good until `exp` and only once (its nonce is remembered).
- provincial: POST {"qr": raw} to the platform (identity/provincial.py); data {"id_number",
  "name"}; refusal codes 1001 expired, 1002 already used, anything else not valid.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from typing import Any

from hall_common.vocabulary import ErrorCode

from ..config import IdentitySettings
from ..core.errors import Conflict, Invalid
from ..security.keys import Keys
from . import provincial
from .person import Person, checked_id_number, checked_name

PREFIX = "LTM1"
DEFAULT_VALID_S = 120
MAX_QR = 4096

INVALID_ZH = "鲁通码无法识别，请在爱山东App中重新打开鲁通码后出示"
EXPIRED_ZH = "鲁通码已过期，请在爱山东App中刷新后重新出示"
USED_ZH = "该鲁通码已使用过，请在爱山东App中刷新后重新出示"
DOWN_ZH = "鲁通码核验服务暂时不可用，请使用身份证或其他方式取号"


def _invalid(why: str) -> Invalid:
    return Invalid(f"not a valid 鲁通码: {why}", INVALID_ZH, code=ErrorCode.LUTONG_INVALID)


def expired() -> Conflict:
    return Conflict("the 鲁通码 has expired", EXPIRED_ZH, code=ErrorCode.LUTONG_EXPIRED)


def used() -> Conflict:
    return Conflict("the 鲁通码 was used already", USED_ZH, code=ErrorCode.LUTONG_USED)


def _mac(keys: Keys, signed: str) -> str:
    return keys.match_hash("lutong-demo-mac", signed)


def make_demo_code(keys: Keys, id_number: str, name: str, now: dt.datetime, valid_s: int = DEFAULT_VALID_S) -> str:
    claims = {
        "v": 1,
        "id": keys.encrypt(id_number),
        "nm": keys.encrypt(name),
        "exp": int(now.timestamp()) + valid_s,
        "n": secrets.token_hex(8),
    }
    payload = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")
    signed = f"{PREFIX}.{payload}"
    return f"{signed}.{_mac(keys, signed)}"


def verify_demo(keys: Keys, qr: str, now: dt.datetime) -> Person:
    parts = qr.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise _invalid("not an LTM1 code")
    signed = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_mac(keys, signed).encode(), parts[2].encode("utf-8", "surrogatepass")):
        raise _invalid("signature does not match")
    try:
        claims: Any = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        id_number = keys.decrypt(claims["id"])
        name = keys.decrypt(claims["nm"])
        exp, nonce = claims["exp"], claims["n"]
        if not isinstance(exp, int) or not isinstance(nonce, str) or not nonce:
            raise ValueError("claims")
    except Exception:  # noqa: BLE001 - any defect of a signed code is the same refusal
        raise _invalid("unreadable claims") from None
    expires = dt.datetime.fromtimestamp(exp, dt.UTC)
    if expires <= now:
        raise expired()
    return Person(
        id_number=checked_id_number(id_number, source="the 鲁通码"),
        name=checked_name(name),
        once_key=hashlib.sha256(f"demo:{nonce}".encode()).hexdigest(),
        once_until=expires,
    )


async def verify(settings: IdentitySettings, keys: Keys, qr: str, now: dt.datetime) -> Person:
    if not qr.strip() or len(qr.encode("utf-8", "surrogatepass")) > MAX_QR or "\x00" in qr:
        raise _invalid("empty, too long or binary")
    if settings.lutong == "demo":
        return verify_demo(keys, qr, now)
    assert settings.lutong_provincial is not None
    try:
        data = await provincial.call(settings.lutong_provincial, {"qr": qr}, what="lutong platform", message_zh=DOWN_ZH)
    except provincial.Refused as refusal:
        if refusal.code == 1001:
            raise expired() from None
        if refusal.code == 1002:
            raise used() from None
        raise _invalid(f"platform code {refusal.code}") from None
    try:
        id_number = checked_id_number(data.get("id_number"), source="the lutong platform")
    except Invalid:
        raise provincial.VerifierUnavailable("lutong platform answered without a valid identity number", DOWN_ZH) from None
    # The platform's codes are single-use too; we refuse a repeat within the session lifetime.
    return Person(
        id_number=id_number,
        name=checked_name(data.get("name")),
        once_key=hashlib.sha256(f"prov:{qr.strip()}".encode()).hexdigest(),
        once_until=now + dt.timedelta(seconds=settings.session_ttl_s),
    )
