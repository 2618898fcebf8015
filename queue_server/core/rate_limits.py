"""Login rate limits: pure decisions over the times of failed logins, clocked by the caller.

Two keys are limited, each by a `Rule`: an account (hall, staff id: known or not, so the answer
never tells who exists) and a client address. `failures` failed logins within `window_s` lock
the key for `lockout_s`; a locked key is refused before any password is checked, so a flood
costs microseconds per attempt instead of an argon2 check. A manager can lift a lock-out.

The memory (`LoginLimiter`) lives in one server process. With several processes behind a proxy
each keeps its own: an attacker spread over k processes gets up to k times the attempts, and a
manager's lift reaches the process that answered it (docs/operations.md, "Login limits").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

AccountKey = tuple[str, str]  # (hall id, staff id)
K = TypeVar("K", AccountKey, str)


class Rule(BaseModel):
    """`failures` failed logins within `window_s` seconds lock the key for `lockout_s` seconds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    failures: int = Field(ge=1, le=1000)
    window_s: float = Field(gt=0, le=86400)
    lockout_s: float = Field(gt=0, le=86400)


class LoginLimits(BaseModel):
    """Optional [server.login_limits] table (docs/config.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # 5 wrong passwords in 15 minutes lock an account for 15 minutes (or until a manager lifts it).
    account: Rule = Rule(failures=5, window_s=900, lockout_s=900)
    # 10 failed logins in a minute from one address block it for 5 minutes, whatever the account.
    address: Rule = Rule(failures=10, window_s=60, lockout_s=300)
    # Password checks run one at a time off the event loop; beyond this many waiting, a login
    # is answered 429 at once (the check costs ~0.25 s of CPU: a queue would only grow).
    checks_waiting: int = Field(default=4, ge=1, le=100)
    # Keys remembered at most (oldest unlocked ones forgotten first), so a flood of made-up
    # accounts or addresses cannot grow the memory without bound.
    max_keys: int = Field(default=10_000, ge=100, le=1_000_000)


@dataclass(frozen=True)
class Failures:
    """One key's recent failures (monotonic seconds) and its lock-out, if any."""

    times: tuple[float, ...] = ()
    locked_until: float | None = None


def retry_after(state: Failures, now: float) -> int | None:
    """Whole seconds until the key may try again, or None when it may try now."""
    if state.locked_until is None or state.locked_until <= now:
        return None
    return max(1, math.ceil(state.locked_until - now))


def after_failure(state: Failures, rule: Rule, now: float) -> tuple[Failures, bool]:
    """The state after one more failure, and whether this failure locked the key."""
    recent = tuple(t for t in state.times if now - t < rule.window_s) + (now,)
    if retry_after(state, now) is None and len(recent) >= rule.failures:
        return Failures(times=(), locked_until=now + rule.lockout_s), True
    return replace(state, times=recent[-rule.failures :]), False


def forgettable(state: Failures, rule: Rule, now: float) -> bool:
    """Nothing left worth remembering: no lock-out, no failure inside the window."""
    return retry_after(state, now) is None and all(now - t >= rule.window_s for t in state.times)


@dataclass(frozen=True)
class Refusal:
    scope: str  # "account" or "address"
    retry_after_s: int


@dataclass(frozen=True)
class LockOut:
    scope: str  # "account" or "address"
    key: str  # staff id or address
    hall_id: str
    failures: int
    retry_after_s: int


class _Keys(Generic[K]):
    """Failures per key under one rule, bounded in number."""

    def __init__(self, rule: Rule, max_keys: int):
        self.rule = rule
        self.max_keys = max_keys
        self.states: dict[K, Failures] = {}

    def refusal(self, key: K, now: float) -> int | None:
        state = self.states.get(key)
        return retry_after(state, now) if state else None

    def fail(self, key: K, now: float) -> bool:
        state, locked = after_failure(self.states.pop(key, Failures()), self.rule, now)
        self.states[key] = state  # re-inserted last: dict order is age order
        if len(self.states) > self.max_keys:
            self._shrink(now)
        return locked

    def _shrink(self, now: float) -> None:
        for key in [k for k, v in self.states.items() if forgettable(v, self.rule, now)]:
            del self.states[key]
        unlocked = (k for k, v in list(self.states.items()) if retry_after(v, now) is None)
        while len(self.states) > self.max_keys:
            victim = next(unlocked, None)
            if victim is None:
                break
            del self.states[victim]


class LoginLimiter:
    """The process's memory of failed logins. Every method takes `now` (monotonic seconds)."""

    def __init__(self, limits: LoginLimits):
        self.limits = limits
        self._accounts: _Keys[AccountKey] = _Keys(limits.account, limits.max_keys)
        self._addresses: _Keys[str] = _Keys(limits.address, limits.max_keys)
        self._address_halls: dict[str, str] = {}  # the hall an address last tried (for listings)

    def check(self, account: AccountKey, address: str, now: float) -> Refusal | None:
        wait = self._addresses.refusal(address, now)
        if wait is not None:
            return Refusal("address", wait)
        wait = self._accounts.refusal(account, now)
        return Refusal("account", wait) if wait is not None else None

    def failed(self, account: AccountKey, address: str, now: float) -> list[LockOut]:
        """Count one failure for both keys; the lock-outs it started (to audit)."""
        started = []
        self._address_halls.pop(address, None)
        self._address_halls[address] = account[0]
        if len(self._address_halls) > self.limits.max_keys:
            self._address_halls.pop(next(iter(self._address_halls)))
        if self._accounts.fail(account, now):
            started.append(self._lockout("account", account[1], account[0], self.limits.account, now))
        if self._addresses.fail(address, now):
            started.append(self._lockout("address", address, account[0], self.limits.address, now))
        return started

    def _lockout(self, scope: str, key: str, hall_id: str, rule: Rule, now: float) -> LockOut:
        return LockOut(scope, key, hall_id, rule.failures, max(1, math.ceil(rule.lockout_s)))

    def succeeded(self, account: AccountKey) -> None:
        """A right password clears the account's failures (the address keeps its own)."""
        self._accounts.states.pop(account, None)

    def lift(self, hall_id: str, *, staff_id: str | None = None, address: str | None = None, now: float) -> bool:
        """Lift a lock-out of this hall's account, or of an address that last tried this hall.
        True when one was in force."""
        if staff_id is not None:
            state = self._accounts.states.pop((hall_id, staff_id), None)
        elif address is not None and self._address_halls.get(address) == hall_id:
            state = self._addresses.states.pop(address, None)
        else:
            return False
        return state is not None and retry_after(state, now) is not None

    def lockouts(self, hall_id: str, now: float) -> list[LockOut]:
        """The lock-outs in force that concern this hall."""
        found = []
        for (hall, staff_id), state in self._accounts.states.items():
            wait = retry_after(state, now)
            if hall == hall_id and wait is not None:
                found.append(LockOut("account", staff_id, hall, self.limits.account.failures, wait))
        for address, state in self._addresses.states.items():
            wait = retry_after(state, now)
            if wait is not None and self._address_halls.get(address) == hall_id:
                found.append(LockOut("address", address, hall_id, self.limits.address.failures, wait))
        return found
