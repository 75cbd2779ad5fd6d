"""The call-out: espeak-ng audio after a chime, and the speaker device rendering its floor's calls and
publishing CallAudioReady."""
from __future__ import annotations

import subprocess
import wave

from device_doubles import NOW, ticket
from drivers.speech import Announcer, spoken_call
from harness import wait_for
from server.domain.events import CallAudioReady, TicketCalled, TicketRecalled
from server.services.bus import Audience


def test_call_out_is_espeak_ng_audio_after_a_chime_repeated(tmp_path):
    assert spoken_call("A023", "15") == "请A零二三号到十五号窗口办理"
    announcer = Announcer(tmp_path / "cache", repeats=2)
    out = announcer.call("A023", "15", tmp_path / "call.wav")
    reference = tmp_path / "espeak.wav"
    subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "150", "-w", str(reference),
                    "请A零二三号到十五号窗口办理"], check=True, capture_output=True, timeout=30)
    with wave.open(str(reference)) as ref, wave.open(str(out)) as got:
        speech = ref.readframes(ref.getnframes())
        assert got.getframerate() == ref.getframerate() == 22050
        pcm = got.readframes(got.getnframes())
        seconds = got.getnframes() / got.getframerate()
    assert 2.0 < len(speech) / 2 / 22050 < 10, "a plausible length for one sentence"
    assert pcm.count(speech) == 2, "the sentence as espeak-ng says it, twice"
    assert pcm.index(speech) > 22050  # after the chime
    assert 2 * len(speech) / 2 / 22050 < seconds < 2 * len(speech) / 2 / 22050 + 4


def test_speaker_renders_its_floors_calls_and_publishes_call_audio_ready(router_for, tmp_path):
    published: list = []
    router, hall = router_for(dict(name="spk-1", kind="speaker", url=f"file:{tmp_path / 'audio'}", protocol="tts",
                                   attach="floor:1", repeats=1), publish=published.extend)
    router.handle(TicketCalled(ticket=ticket(floor=2, window="40")), Audience.DEVICES)  # not its floor
    router.handle(TicketCalled(ticket=ticket()), Audience.DEVICES)
    router.handle(TicketRecalled(ticket=ticket(), at=NOW), Audience.DEVICES)
    assert wait_for(lambda: len(published) == 2, 60), published
    assert all(isinstance(e, CallAudioReady) for e in published)
    assert [(e.number, e.window, e.floor) for e in published] == [("A023", "15", 1)] * 2
    folder = router.audio_folder("spk-1")
    assert folder == tmp_path / "audio" and router.audio_folder("p1") is None
    for event in published:
        prefix, name = event.audio.rsplit("/", 1)
        assert prefix == "/audio/spk-1" and name.endswith(".wav")
        with wave.open(str(folder / name)) as got:
            assert got.getframerate() == 22050 and got.getnframes() > 22050
    if published[0].audio == published[1].audio:  # the recall came while the call waited: one WAV says both
        with wave.open(str(folder / published[0].audio.rsplit("/", 1)[1])) as got:
            assert got.getnframes() > 4 * 22050
    assert ("spk-1", "online", "ready") in hall.health
