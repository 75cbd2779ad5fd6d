"""A busy floor heard on the floor screen itself (1920×1080): three calls within a few seconds, a
voice-pack speaker. The screen plays every call (the two that waited in one merged WAV, played once),
one sound at a time, and adds no chime of its own while the speaker holds calls back."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from conftest import make_hall
from drivers.voice_pack import ensure_default_pack
from harness import demo_config, wait_for


@pytest.fixture(scope="module")
def voiced(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("floor-voice")
    ensure_default_pack(tmp / "audio" / ".voice-pack")  # made ahead, as at build time
    # repeats: the default 2, so the first announcement lasts long enough (13 s) for the screen's
    # fallback chime (6 s) to come due while the other calls wait behind it.
    config = demo_config(tmp, f"""
[[devices]]
name = "floor-1-speaker"
kind = "speaker"
url = "file:{tmp / 'audio'}"
protocol = "tts"
attach = "floor:1"
voice = "pack"
""")
    hall = make_hall(tmp, config=config)
    yield hall
    hall.server.stop()


def test_the_floor_screen_plays_every_call_of_a_busy_floor_once_and_in_order(voiced, open_page):
    screen = open_page(voiced.server, "/display?floor=1")
    expect(screen.page.locator("body")).to_have_attribute("data-link", "up")
    called = []
    for window in ("4", "5", "6"):
        clerk = voiced.clerk_at(window)
        assert voiced.admin.post("/tickets", {"matter": "rst-sbk"}).status_code == 201
        called.append((clerk.post(f"/windows/{window}/call-next").json()["ticket"]["number"], window))
    expect(screen.page.locator("#latest-number")).to_have_text(called[-1][0])

    played = lambda: json.loads(screen.page.locator("body").get_attribute("data-played") or "[]")
    assert wait_for(lambda: len(played()) >= 2 and all(e.get("end") for e in played()), 60), played()
    log = played()
    sounds = [entry["sound"] for entry in log]
    assert "chime" not in sounds, log  # the late (merged) audio was waited for, not replaced by a chime
    assert len(sounds) == len(set(sounds)) == 2, log  # the first call alone, then the two that waited
    heard = "".join(sounds)
    assert all(f"{number}-{window}" in heard for number, window in called), (called, sounds)
    assert heard.index(f"{called[0][0]}-") < heard.index(f"{called[1][0]}-")
    assert all(entry["outcome"] == "ended" for entry in log), log
    assert all(later["start"] >= earlier["end"] for earlier, later in zip(log, log[1:])), "two sounds overlapped"
    screen.assert_stayed_local()
