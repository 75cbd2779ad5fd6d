"""Argon2 holds 64 MiB per hash while it runs: sign-ins arriving together take turns, at most
ARGON2_AT_ONCE at a time, so a morning's sign-ins do not add 64 MiB each to the server's peak."""
from __future__ import annotations

import threading
import time

from server.services.accounts import ARGON2_AT_ONCE, Accounts


def test_hashes_started_together_run_at_most_argon2_at_once():
    running, most, lock = [0], [0], threading.Lock()

    def slow_hash(_password):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return "hash"

    accounts = Accounts(unit_of_work=None, clock=None, departments=())
    threads = [threading.Thread(target=accounts.argon2, args=(slow_hash, "pw")) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert most[0] == ARGON2_AT_ONCE == 2
