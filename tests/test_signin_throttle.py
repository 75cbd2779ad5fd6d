"""Sign-in throttling against a real server (docs/security.md "Sign-in, throttling and running behind a
proxy"): the count cannot be raced, it keys on the real client address behind a trusted proxy, a
named clerk is slowed down but never locked out, and the admin can unlock.

The numbers are the service's: 5 free failures per user and address, then a delay of 1, 2, 4 … s
(at most 60) before that address may try that user again; 30 failures per address in 15 minutes.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from harness import PASSWORD, Client, login

# Run after the parallel part of `make test`, alone (docs/decisions.md §30): the throttle's delays are seconds long; a loaded machine lets them pass before the next try.
pytestmark = pytest.mark.serial

FREE_FAILURES = 5
ADDRESS_LIMIT = 30
BEHIND_PROXY = ("--trusted-proxy", "127.0.0.1", "--trusted-proxy", "192.168.0.0/16")


def sign_in(server, username: str, password: str, forwarded_for: str | None = None) -> requests.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return requests.post(server.api + "/auth/login", json={"username": username, "password": password},
                         headers=headers, timeout=60)


def assert_throttled(r: requests.Response, at_most: int = 60) -> int:
    """A 429 in the contract's shape; a user is slowed down for at most a minute (an address that
    guessed 30 times in 15 minutes waits up to 15 minutes: it is the guesser's own)."""
    assert r.status_code == 429, r.text
    assert r.json()["error"]["reason"] == "too_many_attempts"
    retry_after = int(r.headers["Retry-After"])
    assert 1 <= retry_after <= at_most, retry_after
    return retry_after


def test_parallel_guesses_check_no_more_than_the_limit(fresh_hall):
    parallel_guesses(fresh_hall())


def test_parallel_guesses_on_postgresql_check_no_more_than_the_limit(fresh_hall, pg_url):
    """PostgreSQL runs the transactions at once (SQLite one after the other): the locks must hold."""
    parallel_guesses(fresh_hall(db=pg_url))


def parallel_guesses(hall) -> None:
    hall.add_clerk("race-clerk", None)
    passwords = [f"wrong-guess-{i}" for i in range(49)]
    passwords.insert(24, PASSWORD)  # the right one, in the middle of the burst

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda pw: sign_in(hall.server, "race-clerk", pw), passwords))
    lasted = time.monotonic() - started

    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {200, 401, 429}, statuses
    checked = [s for s in statuses if s != 429]
    # Five at once; then one more after 1 s, another 2 s after that … (the burst lasts a few seconds).
    delays_passed = next(k for k in range(20) if 2 ** (k + 1) - 1 > lasted)
    assert len(checked) <= FREE_FAILURES + delays_passed, f"{len(checked)} checked in {lasted:.1f} s: {statuses}"
    for r in answers:
        if r.status_code == 429:
            assert_throttled(r)

    # Then the right password: slowed down (or in at once if the burst's own right one got in), never locked out.
    r = sign_in(hall.server, "race-clerk", PASSWORD)
    if r.status_code == 429:
        time.sleep(assert_throttled(r))
        r = sign_in(hall.server, "race-clerk", PASSWORD)
    assert r.status_code == 200, r.text


def test_invented_names_from_behind_the_proxy_do_not_lock_out_a_clerk(fresh_hall):
    hall = fresh_hall(extra_args=BEHIND_PROXY)
    hall.add_clerk("real-clerk", None)
    # One attacker address, whatever it writes into the header itself (nginx appends the real peer).
    for i in range(ADDRESS_LIMIT):
        r = sign_in(hall.server, f"invented-{i}", "guess-guess", f"10.9.9.{i}, 203.0.113.7")
        assert r.status_code == 401, r.text
    assert_throttled(sign_in(hall.server, "invented-x", "guess-guess", "1.1.1.1, 203.0.113.7"), at_most=900)
    # Thirty failures with invented names, each from another address: none of them is limited.
    for i in range(ADDRESS_LIMIT):
        assert sign_in(hall.server, f"invented-{i}", "guess-guess", f"198.51.100.{i}").status_code == 401
    # The clerk, at its own terminal behind the same proxy (a chain of trusted proxies too), gets in.
    assert sign_in(hall.server, "real-clerk", PASSWORD, "10.1.1.5").status_code == 200
    assert sign_in(hall.server, "real-clerk", PASSWORD, "10.1.1.6, 192.168.3.4").status_code == 200


def test_forwarded_for_from_an_untrusted_peer_is_ignored(fresh_hall):
    hall = fresh_hall()  # no trusted proxy: the peer 127.0.0.1 is the client
    for i in range(ADDRESS_LIMIT):
        assert sign_in(hall.server, f"invented-{i}", "guess-guess", f"198.51.100.{i}").status_code == 401
    assert_throttled(sign_in(hall.server, "admin", PASSWORD, "198.51.100.200"), at_most=900)


def test_a_named_clerk_is_slowed_down_not_locked_out(fresh_hall):
    hall = fresh_hall(extra_args=BEHIND_PROXY)
    hall.add_clerk("named-clerk", None)
    attacker = "203.0.113.50"
    for _ in range(FREE_FAILURES):
        assert sign_in(hall.server, "named-clerk", "guess-guess", attacker).status_code == 401
    assert_throttled(sign_in(hall.server, "named-clerk", PASSWORD, attacker))
    # The clerk from its own terminal: in at once.
    assert sign_in(hall.server, "named-clerk", PASSWORD, "10.1.1.7").status_code == 200
    # The attacker keeps guessing as fast as allowed: each wait grows but stays short.
    waits = []
    for _ in range(3):
        r = sign_in(hall.server, "named-clerk", "guess-guess", attacker)
        if r.status_code == 429:
            waits.append(assert_throttled(r))
            time.sleep(waits[-1])
            r = sign_in(hall.server, "named-clerk", "guess-guess", attacker)
        assert r.status_code == 401, r.text
    assert waits and waits == sorted(waits), waits
    # Even from the attacker's address, the right password gets in after the short delay.
    r = sign_in(hall.server, "named-clerk", PASSWORD, attacker)
    if r.status_code == 429:
        time.sleep(assert_throttled(r))
        r = sign_in(hall.server, "named-clerk", PASSWORD, attacker)
    assert r.status_code == 200, r.text


def test_admin_unlocks_a_user_and_an_address(fresh_hall):
    hall = fresh_hall(extra_args=BEHIND_PROXY)
    hall.add_clerk("locked-clerk", None)
    for _ in range(FREE_FAILURES):
        assert sign_in(hall.server, "locked-clerk", "guess-guess", "10.2.2.2").status_code == 401
    assert_throttled(sign_in(hall.server, "locked-clerk", PASSWORD, "10.2.2.2"))
    clerk = login(hall.server, "locked-clerk")  # the test's own address is another one
    assert clerk.post("/users/locked-clerk/unlock").status_code == 403  # only the admin unlocks
    r = hall.admin.post("/users/locked-clerk/unlock")
    assert r.status_code == 200, r.text
    assert sign_in(hall.server, "locked-clerk", PASSWORD, "10.2.2.2").status_code == 200

    for i in range(ADDRESS_LIMIT):
        assert sign_in(hall.server, f"invented-{i}", "guess-guess", "10.3.3.3").status_code == 401
    assert_throttled(sign_in(hall.server, "locked-clerk", PASSWORD, "10.3.3.3"), at_most=900)
    r = hall.admin.post("/sign-in/unlock", {"address": "10.3.3.3"})
    assert r.status_code == 200, r.text
    assert sign_in(hall.server, "locked-clerk", PASSWORD, "10.3.3.3").status_code == 200
    bad = hall.admin.post("/sign-in/unlock", {"address": "not an address"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid", bad.text
    assert Client(hall.server).post("/sign-in/unlock", {"address": "10.3.3.3"}).status_code == 401
