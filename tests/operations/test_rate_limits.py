"""The login limiter's decisions, clocked by the test (queue_server/core/rate_limits.py)."""

from __future__ import annotations

from queue_server.core.rate_limits import Failures, LoginLimiter, LoginLimits, Rule, after_failure, retry_after

RULE = Rule(failures=3, window_s=60, lockout_s=300)


def limiter(**rules: Rule) -> LoginLimiter:
    return LoginLimiter(LoginLimits(account=rules.get("account", RULE), address=rules.get("address", Rule(failures=5, window_s=60, lockout_s=120)), max_keys=100))


def test_failures_inside_the_window_lock_and_the_lock_ends_by_itself() -> None:
    state = Failures()
    state, locked = after_failure(state, RULE, 0)
    state, locked2 = after_failure(state, RULE, 10)
    assert not locked and not locked2 and retry_after(state, 10) is None
    state, locked = after_failure(state, RULE, 20)
    assert locked and retry_after(state, 20) == 300
    assert retry_after(state, 319.5) == 1  # whole seconds, rounded up
    assert retry_after(state, 320) is None


def test_failures_outside_the_window_do_not_add_up() -> None:
    state = Failures()
    for now in (0, 61, 122, 183):
        state, locked = after_failure(state, RULE, now)
        assert not locked
    assert len(state.times) == 1


def test_account_lockout_refuses_before_the_password_and_a_manager_lifts_it() -> None:
    limits = limiter()
    account = ("h1", "s01")
    started = [limits.failed(account, "10.0.0.5", t) for t in (0, 1, 2)]
    assert started[0] == [] and started[1] == []
    assert [(lo.scope, lo.key, lo.hall_id) for lo in started[2]] == [("account", "s01", "h1")]
    refusal = limits.check(account, "10.0.0.9", 3)  # from any address
    assert refusal is not None and refusal.scope == "account" and refusal.retry_after_s == 299
    assert limits.check(("h1", "s02"), "10.0.0.5", 3) is None  # other people are not affected
    assert limits.check(("h2", "s01"), "10.0.0.5", 3) is None  # nor the same id in another hall
    assert [lo.key for lo in limits.lockouts("h1", 3)] == ["s01"] and limits.lockouts("h2", 3) == []
    assert not limits.lift("h2", staff_id="s01", now=4)  # another hall's manager cannot
    assert limits.lift("h1", staff_id="s01", now=4)
    assert limits.check(account, "10.0.0.5", 4) is None
    assert not limits.lift("h1", staff_id="s01", now=5)  # nothing left to lift


def test_an_address_is_blocked_whatever_the_accounts_it_tries() -> None:
    limits = limiter()
    for index in range(4):
        assert limits.failed(("h1", f"x{index}"), "10.0.0.7", index) == []
    started = limits.failed(("h1", "x9"), "10.0.0.7", 4)
    assert [(lo.scope, lo.key) for lo in started] == [("address", "10.0.0.7")]
    refusal = limits.check(("h1", "s01"), "10.0.0.7", 5)
    assert refusal is not None and refusal.scope == "address" and refusal.retry_after_s == 119
    assert limits.check(("h1", "s01"), "10.0.0.8", 5) is None
    assert limits.lift("h1", address="10.0.0.7", now=6)
    assert not limits.lift("h1", address="10.0.0.8", now=6)


def test_a_right_password_clears_the_account_but_not_the_address() -> None:
    limits = limiter()
    account = ("h1", "s01")
    limits.failed(account, "a", 0)
    limits.failed(account, "a", 1)
    limits.succeeded(account)
    assert limits.failed(account, "a", 2) == []  # counting starts again
    assert limits.failed(("h1", "s02"), "a", 3) == []
    assert [lo.scope for lo in limits.failed(("h1", "s03"), "a", 4)] == ["address"]


def test_memory_stays_bounded_and_keeps_lockouts() -> None:
    limits = limiter()
    for _ in range(3):
        limits.failed(("h1", "locked"), "10.1.0.1", 0)
    for index in range(1000):
        limits.failed(("h1", f"made-up-{index}"), f"10.2.{index // 250}.{index % 250}", 1)
    assert len(limits._accounts.states) <= 100 and len(limits._addresses.states) <= 100
    assert limits.check(("h1", "locked"), "10.9.9.9", 2) is not None
