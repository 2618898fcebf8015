"""SMS codes (无卡取号 by phone): a 6-digit code sent to a phone, limited per number and per
terminal, then checked with a few attempts. Only keyed hashes of the phone and the code are kept."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import func, insert, select, update

from hall_common.personal_data import mask_phone
from hall_common.vocabulary import ErrorCode, IdentifyMethod

from ..config import Hall
from ..core.errors import Conflict
from ..runtime import Runtime
from ..services.principals import Principal
from ..storage.writer import WriteTx
from . import provincial
from . import tables as t
from .person import Person, method_allowed
from .sms import CodeSender


def _code_hash(rt: Runtime, phone_hash: str, code: str) -> str:
    return rt.keys.match_hash("otp", f"{phone_hash}:{code}")


async def send_sms_code(rt: Runtime, hall: Hall, who: Principal, phone: str, sender: CodeSender) -> dict[str, Any]:
    method_allowed(hall, IdentifyMethod.SMS)
    settings = rt.config.server.identity
    phone_hash = rt.keys.match_hash("phone", phone)
    code = f"{secrets.randbelow(1_000_000):06d}"

    def job(tx: WriteTx) -> tuple[int, dt.datetime]:
        now = rt.now()
        since = now - dt.timedelta(seconds=settings.sms_window_s)
        otps = t.identity_otps.c
        by_number = tx.conn.execute(
            select(func.count()).where(otps.hall_id == hall.id, otps.phone_hash == phone_hash, otps.created_at > since)
        ).scalar_one()
        if by_number >= settings.sms_per_number:
            raise Conflict("too many codes sent to this number", "该号码获取验证码过于频繁，请稍后再试", code=ErrorCode.SMS_LIMIT)
        by_device = tx.conn.execute(
            select(func.count()).where(otps.hall_id == hall.id, otps.device_id == who.id, otps.created_at > since)
        ).scalar_one()
        if by_device >= settings.sms_per_terminal:
            raise Conflict(
                "too many codes sent from this terminal", "本机获取验证码过于频繁，请稍后再试或使用其他方式", code=ErrorCode.SMS_LIMIT
            )
        expires = now + dt.timedelta(seconds=settings.sms_code_ttl_s)
        result = tx.conn.execute(
            insert(t.identity_otps).values(
                hall_id=hall.id, device_id=who.id, phone_hash=phone_hash,
                code_hash=_code_hash(rt, phone_hash, code), attempts=0, created_at=now, expires_at=expires,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0]), expires

    otp_id, expires = await rt.write(job)
    minutes = max(1, settings.sms_code_ttl_s // 60)
    try:
        await sender.send(phone, f"您的取号验证码是{code}，{minutes}分钟内有效。【{hall.name}】", f"otp-{otp_id}")
    except Exception:  # noqa: BLE001 - any gateway failure means the citizen gets no code
        raise provincial.VerifierUnavailable("the SMS gateway did not take the message", "短信发送失败，请稍后再试或使用其他方式") from None
    return {"sent": True, "phone": mask_phone(phone), "expires_at": expires.isoformat()}


async def check_sms_code(rt: Runtime, hall: Hall, phone: str, code: str) -> Person:
    settings = rt.config.server.identity
    phone_hash = rt.keys.match_hash("phone", phone)

    def job(tx: WriteTx) -> tuple[str, int]:
        now = rt.now()
        otps = t.identity_otps.c
        row = tx.conn.execute(
            select(t.identity_otps)
            .where(otps.hall_id == hall.id, otps.phone_hash == phone_hash)
            .order_by(otps.created_at.desc(), otps.id.desc())
        ).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            return "expired", 0
        if row.attempts >= settings.sms_attempts:
            return "locked", 0
        # Conditional updates: several server processes over one database count every attempt.
        if secrets.compare_digest(row.code_hash, _code_hash(rt, phone_hash, code)):
            done = tx.conn.execute(
                update(t.identity_otps)
                .where(otps.id == row.id, otps.used_at.is_(None), otps.attempts < settings.sms_attempts)
                .values(used_at=now)
            )
            return ("ok", 0) if done.rowcount == 1 else ("expired", 0)
        tx.conn.execute(
            update(t.identity_otps)
            .where(otps.id == row.id, otps.attempts < settings.sms_attempts)
            .values(attempts=otps.attempts + 1)
        )
        attempts = tx.conn.execute(select(otps.attempts).where(otps.id == row.id)).scalar_one()
        return ("locked", 0) if attempts >= settings.sms_attempts else ("wrong", settings.sms_attempts - attempts)

    # The attempt is counted (committed) before the refusal is raised.
    outcome, left = await rt.write(job)
    if outcome == "ok":
        return Person(phone=phone)
    if outcome == "expired":
        raise Conflict("no valid code for this number", "验证码已失效，请重新获取", code=ErrorCode.SMS_CODE_EXPIRED)
    if outcome == "locked":
        raise Conflict("too many wrong codes", "验证码错误次数过多，请重新获取验证码", code=ErrorCode.SMS_LOCKED)
    raise Conflict(f"wrong code; {left} attempts left", f"验证码不正确，还可以再试{left}次", code=ErrorCode.SMS_CODE_WRONG)
