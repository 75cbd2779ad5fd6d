"""Issue 13, point 6: the voice-pack speaker. Three calls on one floor within 10 s, through a real
`hallq serve` whose floor speaker says calls with recorded clips (here the default, synthetic pack):
the floor hears all three (the WAVs the screens are told to play hold every call, each at least as
long as its clips end to end), none dropped, and the admin board sees the backlog while it lasts.
Below: a missing clip falls back to espeak-ng for that call, and the backlog's policy."""
from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
import wave
from io import BytesIO

import pytest
import requests

from conftest import make_hall
from drivers.call_backlog import Call, CallBacklog
from drivers.speech import Announcer, spoken_call, spoken_calls
from drivers.voice_pack import CLIPS, DEFAULT_MARK, VoicePack, clip_names, ensure_default_pack
from harness import demo_config, wait_for
from test_drivers_server import _connect

RATE = 22050


def seconds_of(pcm: bytes) -> float:
    return len(pcm) / 2 / RATE


def clips_seconds(pack: VoicePack, words: str) -> float:
    return sum(seconds_of(pack.clip(name)) for name in clip_names(words) if isinstance(name, str))


@pytest.fixture(scope="module")
def speaking_hall(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("voice-pack")
    config = demo_config(tmp, f"""
[[devices]]
name = "floor-1-speaker"
kind = "speaker"
url = "file:{tmp / 'audio'}"
protocol = "tts"
attach = "floor:1"
repeats = 1
voice = "pack"
""")
    hall = make_hall(tmp, config=config)
    hall.audio = tmp / "audio"
    yield hall
    hall.server.stop()


def test_three_calls_within_10_s_are_all_heard_through_the_voice_pack(speaking_hall):
    hall = speaking_hall
    pack = VoicePack(ensure_default_pack(hall.audio / ".voice-pack"))  # made ahead, as at build time
    screen, events = _connect(hall.server.url, "/display", {"floor": 1})
    clerks = {window: hall.clerk_at(window) for window in ("1", "2", "3")}
    try:
        started = time.monotonic()
        called = []
        for window, clerk in clerks.items():
            assert hall.admin.post("/tickets", {"matter": "rst-sbk"}).status_code == 201
            r = clerk.post(f"/windows/{window}/call-next")
            assert r.status_code == 200, r.text
            called.append((r.json()["ticket"]["number"], window))
        assert time.monotonic() - started < 10
        # While the first call is being heard the other two wait: the admin board is told.
        seen = []
        assert wait_for(lambda: (seen.append(backlog_of(hall)) or (seen[-1] or {}).get("calls") == 2), 30), seen[-1]
        oldest_since = dt.datetime.fromisoformat(seen[-1]["since"])
        assert dt.timedelta(0) <= dt.datetime.now(dt.timezone.utc) - oldest_since < dt.timedelta(seconds=30)
        audio = lambda: {(d["number"], d["window"]): d["audio"] for e, d in events if e == "call_audio"}
        assert wait_for(lambda: set(audio()) >= set(called), 60), events  # every call, none dropped
        assert wait_for(lambda: backlog_of(hall) is None, 10)  # the backlog is gone
    finally:
        screen.disconnect()

    assert (pack.folder / DEFAULT_MARK).exists()
    announced: dict[str, list] = {}
    for call, url in audio().items():
        announced.setdefault(url, []).append(call)
    for url, calls in announced.items():
        r = requests.get(hall.server.url + url, timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("audio/")
        with wave.open(BytesIO(r.content)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
            seconds = w.getnframes() / RATE
        # Each announcement holds its calls: the chime, then every clip of its sentence(s).
        sentences = [spoken_calls(calls)] if len(calls) > 2 else [spoken_call(*call) for call in calls]
        assert seconds >= 0.9 + sum(clips_seconds(pack, words) for words in sentences), (url, seconds)
        assert all(f"{n}-{w}" in url for n, w in calls)
    # The first call alone, said in full; the two that waited meanwhile together, each said once.
    assert sorted(len(calls) for calls in announced.values()) == [1, 2], announced
    assert announced[audio()[called[0]]] == [called[0]]


def backlog_of(hall) -> dict | None:
    devices = hall.admin.get("/devices").json()["devices"]
    return next(d["backlog"] for d in devices if d["name"] == "floor-1-speaker")


def test_a_sentence_the_pack_cannot_say_is_said_by_espeak_ng_and_the_log_says_so(tmp_path, caplog):
    full = ensure_default_pack(tmp_path / "pack")
    partial = tmp_path / "partial"
    shutil.copytree(full, partial)
    (partial / "hao.wav").unlink()  # 号
    announcer = Announcer(tmp_path / "cache", repeats=1, voice_pack=VoicePack(partial))
    with caplog.at_level(logging.WARNING, logger="hallq.devices"):
        announcer.call("A023", "15", tmp_path / "call.wav")
    assert "no usable clip for hao.wav" in caplog.text and "espeak-ng" in caplog.text
    espeak = Announcer(tmp_path / "cache", repeats=1).speech_pcm(spoken_call("A023", "15"))
    with wave.open(str(tmp_path / "call.wav")) as w:
        assert espeak in w.readframes(w.getnframes())  # espeak-ng's sentence, not clips
    # With every clip there, the pack's clips end to end (no espeak-ng at call time).
    pack = VoicePack(full)
    Announcer(tmp_path / "cache", repeats=1, voice_pack=pack).call("B102", "62", tmp_path / "pack.wav")
    with wave.open(str(tmp_path / "pack.wav")) as w:
        assert pack.pcm(spoken_call("B102", "62")) in w.readframes(w.getnframes())
    assert set(CLIPS.values()) <= {p.stem for p in full.glob("*.wav")}


def test_the_backlog_drops_the_repeat_then_merges_and_never_drops_a_call():
    backlog = CallBacklog(clock=iter(range(100)).__next__)
    calls = [Call(f"A00{i}", str(i), 1) for i in range(1, 8)]
    backlog.add(calls[0])
    first = backlog.next_announcement()
    assert (first.form, first.calls) == ("full", (calls[0],))
    backlog.said(first)
    for call in calls[1:3]:
        backlog.add(call)
    assert backlog.next_announcement().form == "once"
    for call in calls[3:] + [calls[1]]:  # a recall of a waiting call waits too
        backlog.add(call)
    assert backlog.status() == (7, 7)  # (calls, seconds the oldest waited: ticks of the clock)
    said = []
    while (announcement := backlog.next_announcement()) is not None:
        said += announcement.calls
        assert announcement.form == ("merged" if len(announcement.calls) > 2 else "once")
        backlog.said(announcement)
    assert said == calls[1:] + [calls[1]] and backlog.status() == (0, 0.0)
    assert spoken_calls([("A004", "1"), ("A005", "3")]) == "请A零零四到一号窗口，A零零五到三号窗口"
