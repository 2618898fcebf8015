"""Staff sessions and device tokens: who a bearer token belongs to."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select, update

from ..core.errors import CoreError
from ..runtime import Runtime
from ..security.passwords import new_token, token_sha256, verify_password
from ..storage import schema as s
from ..storage.writer import WriteTx
from .principals import Principal


class Unauthorized(CoreError):
    status = 401
    code = "unauthorized"


class Forbidden(CoreError):
    status = 403
    code = "forbidden"


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

    def watch(self, digest: str, on_revoke: Callable[[], None]) -> Callable[[], None]:
        """Call `on_revoke` when this token is logged out (streams close at once)."""
        watchers = self._watchers.setdefault(digest, set())
        watchers.add(on_revoke)

        def unwatch() -> None:
            watchers.discard(on_revoke)
            if not watchers:
                self._watchers.pop(digest, None)

        return unwatch

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

    async def login(self, hall_id: str, staff_id: str, password: str) -> dict[str, Any]:
        hall = self.rt.config.hall(hall_id)
        person = hall.person(staff_id) if hall else None
        # Verify against a real hash even for unknown people, so timing does not tell who exists.
        password_hash = person.password_hash if person else _DUMMY_HASH
        if not verify_password(password_hash, password) or person is None or hall is None:
            raise Unauthorized("wrong hall, staff id or password", "工号或密码错误")
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


from ..security.passwords import hash_password  # noqa: E402  (after the class, used once at import)

_DUMMY_HASH = hash_password("not a real password")
