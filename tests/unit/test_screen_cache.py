"""The screens' snapshot cache and per-socket allowance (server/push/screens.py), on a fake clock."""
from __future__ import annotations

from server.push.screens import EVENT_BURST, REFUSALS_BEFORE_CUT, SnapshotCache, SocketAllowance, Verdict


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_snapshot_is_built_once_per_change_and_a_change_during_a_build_is_not_kept():
    clock, builds = Clock(), []
    cache: SnapshotCache

    def build(room: str) -> dict:
        builds.append(room)
        if len(builds) == 2:
            cache.changed("/display", "floor:1")  # delivered while this one was being read
        return {"room": room, "build": len(builds)}
    cache = SnapshotCache(build, lambda floor: ["49", "50"] if floor == 1 else [], clock)
    assert cache.get("floor:1")["build"] == 1
    assert cache.get("floor:1")["build"] == 1  # served from the cache
    cache.changed("/display", ["floor:1"])
    assert cache.get("floor:1")["build"] == 2  # rebuilt; a change came in meanwhile: not kept
    assert cache.get("floor:1")["build"] == 3
    assert cache.get("window:49")["build"] == 4
    cache.changed("/display", "floor:1")  # the floor's figures are in its windows' snapshots too
    assert cache.get("window:49")["build"] == 5
    cache.changed("/clerk", "window:49")  # another namespace's room of the same name: no change here
    assert cache.get("window:49")["build"] == 5
    clock.now += 10  # the figures in it age: rebuilt after MAX_AGE_S
    assert cache.get("window:49")["build"] == 6
    cache.changed(None, None)  # the message queue came back: everything may have changed
    assert cache.get("window:49")["build"] == 7


def test_a_socket_gets_a_burst_then_refusals_then_is_cut_and_recovers_with_time():
    clock = Clock()
    allowance = SocketAllowance(clock)
    assert [allowance.check("a") for _ in range(EVENT_BURST)] == [Verdict.ALLOWED] * EVENT_BURST
    assert [allowance.check("a") for _ in range(REFUSALS_BEFORE_CUT)] == [Verdict.REFUSED] * REFUSALS_BEFORE_CUT
    assert allowance.check("a") == Verdict.CUT
    assert allowance.check("b") == Verdict.ALLOWED  # per socket
    clock.now += 60
    assert allowance.check("a") == Verdict.ALLOWED
    allowance.forget("a")
