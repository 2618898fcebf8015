"""Staff sessions and device tokens: who a bearer token belongs to."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select, update

from hall_common.vocabulary import ErrorCode

from ..core.errors import CoreError, TooManyRequests
from ..core.rate_limits import LockOut, LoginLimiter, Refusal
from ..runtime import Runtime
from ..security.passwords import hash_password, new_token, token_sha256, verify_password
from ..storage import repository
from ..storage import schema as s
from ..storage.writer import WriteTx
from .principals import Principal

log = logging.getLogger("queue_server.auth")


class Unauthorized(CoreError):
    status = 401
    code = "unauthorized"


class Forbidden(CoreError):
    status = 403
    code = "forbidden"


def refused(refusal: Refusal) -> TooManyRequests:
    minutes = max(1, round(refusal.retry_after_s / 60))
    if refusal.scope == "account":
        return TooManyRequests(
            f"too many wrong passwords: this account is locked for {refusal.retry_after_s} s"
            " (a manager can lift the lock)",
            f"密码错误次数过多，账号已锁定，请约 {minutes} 分钟后再试，或请管理员解锁",
            code=ErrorCode.LOGIN_LOCKED, retry_after_s=refusal.retry_after_s,
        )
    return TooManyRequests(
        f"too many failed logins from this address: try again in {refusal.retry_after_s} s",
        f"本机登录失败次数过多，请约 {minutes} 分钟后再试",
        code=ErrorCode.LOGIN_RATE_LIMITED, retry_after_s=refusal.retry_after_s,
    )


def _yield_to_the_hall() -> None:
    """The password-check thread runs at the lowest CPU priority (Linux keeps a nice value per
    thread): on a 2-core server a flood of logins then takes only the CPU that call-next, the
    screens' streams and the writer leave (bench/bench_login_flood.py, `no-lockout`)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except OSError:  # not Linux, or a sandbox that refuses: the checks still run, unprioritised
        pass


class PasswordChecks:
    """argon2 (~0.25 s of CPU each) on one thread of its own, never on the event loop; one check
    at a time leaves the other core to the hall. Beyond `waiting` queued checks a login is
    refused at once: a queue that only grows would delay every staff login behind a flood."""

    def __init__(self, waiting: int):
        self.waiting = waiting
        self._pending = 0
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="password-check", initializer=_yield_to_the_hall,
        )

    async def verify(self, password_hash: str, password: str) -> bool:
        if self._pending >= self.waiting:
            raise TooManyRequests(
                "too many logins are waiting for their password check: try again in a second",
                "登录人数较多，请稍后再试", code=ErrorCode.LOGIN_BUSY, retry_after_s=1,
            )
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, verify_password, password_hash, password)
        finally:
            self._pending -= 1


class TokenIndex:
    """Device tokens from the config, staff sessions from the database (cached briefly so a
    busy console does not hit the database on every request; logout clears the cache)."""

    CACHE_S = 30.0

    def __init__(self, rt: Runtime):
        self.rt = rt
        self._devices: dict[str, Principal] = {}
        for hall in rt.config.halls:
            for device in hall.devices:
                self._devices[device.token_sha256] = Principal(
                    hall_id=hall.id, kind=device.kind, id=device.id, name=device.name or device.id,
                    token_sha256=device.token_sha256,
                )
        self._sessions: dict[str, tuple[float, Principal | None, dt.datetime | None]] = {}
        self._watchers: dict[str, set[Callable[[], None]]] = {}
        limits = rt.config.server.login_limits
        self.limiter = LoginLimiter(limits)
        self.password_checks = PasswordChecks(limits.checks_waiting)

    def watch(self, digest: str, on_revoke: Callable[[], None]) -> Callable[[], None]:
        """Call `on_revoke` when this token is logged out (streams close at once)."""
        watchers = self._watchers.setdefault(digest, set())
        watchers.add(on_revoke)

        def unwatch() -> None:
            watchers.discard(on_revoke)
            if not watchers:
                self._watchers.pop(digest, None)

        return unwatch

    def watching(self, digest: str) -> int:
        """How many open streams of this process use this token (the manager's device board)."""
        return len(self._watchers.get(digest, ()))

    async def resolve(self, token: str) -> Principal | None:
        digest = token_sha256(token)
        device = self._devices.get(digest)
        if device is not None:
            return device
        cached = self._sessions.get(digest)
        now = self.rt.now()
        if cached is not None and time.monotonic() - cached[0] < self.CACHE_S:
            principal, expires = cached[1], cached[2]
            return principal if principal and expires and expires > now else None
        row = await self.rt.read(
            lambda conn: conn.execute(
                select(s.staff_sessions).where(s.staff_sessions.c.token_sha256 == digest)
            ).first()
        )
        principal = None
        expires = None
        if row is not None and row.revoked_at is None:
            principal = self._staff_principal(row.hall_id, row.staff_id, digest)
            expires = row.expires_at
        self._sessions[digest] = (time.monotonic(), principal, expires)
        return principal if principal and expires and expires > now else None

    def _staff_principal(self, hall_id: str, staff_id: str, digest: str) -> Principal | None:
        hall = self.rt.config.hall(hall_id)
        person = hall.person(staff_id) if hall else None
        if person is None:  # removed from the config since: the session is void
            return None
        return Principal(
            hall_id=hall_id,
            kind="manager" if person.role == "manager" else "staff",
            id=person.id,
            name=person.name,
            windows=tuple(person.windows),
            token_sha256=digest,
        )

    async def login(self, hall_id: str, staff_id: str, password: str, address: str) -> dict[str, Any]:
        """`address`: the client's (the proxy's forwarded one only when it comes from the proxy)."""
        account = (hall_id, staff_id)
        refusal = self.limiter.check(account, address, time.monotonic())
        if refusal is not None:  # refused before any password check: a flood costs nothing
            raise refused(refusal)
        hall = self.rt.config.hall(hall_id)
        person = hall.person(staff_id) if hall else None
        # Verify against a real hash even for unknown people, so timing does not tell who exists
        # (and unknown accounts are limited alike, so a 429 does not tell either).
        password_hash = person.password_hash if person else _DUMMY_HASH
        right = await self.password_checks.verify(password_hash, password)
        if not right or person is None or hall is None:
            started = self.limiter.failed(account, address, time.monotonic())
            if started:
                await self._audit_lockouts(started, address)
            raise Unauthorized("wrong hall, staff id or password", "工号或密码错误")
        self.limiter.succeeded(account)
        token = new_token()
        digest = token_sha256(token)
        now = self.rt.now()
        expires = now + dt.timedelta(hours=hall.staff_token_hours)

        def job(tx: WriteTx) -> None:
            tx.conn.execute(
                insert(s.staff_sessions).values(
                    token_sha256=digest, hall_id=hall_id, staff_id=staff_id,
                    created_at=now, expires_at=expires, revoked_at=None,
                )
            )

        await self.rt.write(job)
        principal = self._staff_principal(hall_id, staff_id, digest)
        assert principal is not None
        return {
            "token": token,
            "expires_at": expires.isoformat(),
            "staff": {"id": person.id, "name": person.name, "role": person.role},
            "windows": list(person.windows) if person.role == "staff" else [w.id for w in hall.windows],
            "hall": {"id": hall.id, "name": hall.name},
        }

    async def _audit_lockouts(self, started: list[LockOut], address: str) -> None:
        now = self.rt.now()
        for lockout in started:
            log.warning("login lock-out: %s %s at hall %s for %d s", lockout.scope, lockout.key,
                        lockout.hall_id, lockout.retry_after_s)
        known = [lockout for lockout in started if self.rt.config.hall(lockout.hall_id) is not None]

        def job(tx: WriteTx) -> None:
            for lockout in known:
                repository.audit(
                    tx.conn, lockout.hall_id, now, f"address:{address}", "login_lockout",
                    f"{lockout.scope}:{lockout.key}",
                    {"failures": lockout.failures, "lockout_s": lockout.retry_after_s},
                )

        if known:
            await self.rt.write(job)

    def lockouts(self, hall_id: str) -> list[LockOut]:
        return self.limiter.lockouts(hall_id, time.monotonic())

    async def lift(self, manager: Principal, *, staff_id: str | None, address: str | None) -> bool:
        """A manager lifts a lock-out of their hall (audited); False when none was in force."""
        if not self.limiter.lift(manager.hall_id, staff_id=staff_id, address=address, now=time.monotonic()):
            return False
        target = f"account:{staff_id}" if staff_id is not None else f"address:{address}"
        now = self.rt.now()
        await self.rt.write(
            lambda tx: repository.audit(tx.conn, manager.hall_id, now, manager.label, "login_lockout_lift", target, {})
        )
        return True

    async def logout(self, principal: Principal) -> None:
        now = self.rt.now()

        def job(tx: WriteTx) -> None:
            tx.conn.execute(
                update(s.staff_sessions)
                .where(s.staff_sessions.c.token_sha256 == principal.token_sha256)
                .values(revoked_at=now)
            )

        await self.rt.write(job)
        self._sessions.pop(principal.token_sha256, None)
        for on_revoke in list(self._watchers.get(principal.token_sha256, ())):
            on_revoke()


_DUMMY_HASH = hash_password("not a real password")
