"""Mandarin call-out: compose the words of a call as they are said, synthesise them with espeak-ng
(voice cmn-latn-pinyin) in a child process with a timeout, put a chime in front, repeat it, cache it.

The child is the `espeak-ng` program when it is installed (README: the espeak-ng package), else
pyttsx3 over libespeak-ng (`python -m drivers.speech`). pyttsx3 2.99 writes its WAV when espeak
reports the end of the message, before it appends the samples of that same callback, so now and
then (about 1 call in 15 here) the end of the sentence was cut off; the program has no such race
and gives the same samples. Either way a stuck native call can never freeze the server: the child
is killed after the timeout.
"""
from __future__ import annotations

import hashlib
import logging
import math
import shutil
import string
import struct
import subprocess
import sys
import wave
from pathlib import Path

log = logging.getLogger("hallq.devices")
VOICE = "cmn-latn-pinyin"
RATE = 150
SAMPLE_RATE = 22050  # espeak-ng's (and pyttsx3's) WAV: mono, 16 bit, 22050 Hz
SYNTH_TIMEOUT_S = 15
_DIGITS = "零一二三四五六七八九"


class SpeechError(RuntimeError):
    pass


class MissingClips(SpeechError):
    """A voice pack cannot say a sentence: it lacks clips (or they are not mono 16-bit 22050 Hz)."""


def cardinal(n: int) -> str:
    """A number read as a number: 15 → 十五, 102 → 一百零二 (up to 9999)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = (n // value) % 10
        if d:
            out += ("零" if zero and out else "") + _DIGITS[d] + unit
            zero = False
        elif out:
            zero = True
    return out


def digits_one_by_one(text: str) -> str:
    return "".join(_DIGITS[int(ch)] if ch in string.digits else ch for ch in text)


def spoken_number(number: str) -> str:
    """A023 → "A零二三": the queue's letters spelled, the ticket's digits one by one."""
    rest = number.lstrip(string.ascii_letters)
    return " ".join(number[:len(number) - len(rest)]) + digits_one_by_one(rest)


def spoken_window(window: str) -> str:
    """15 → 十五: a window as a number (a name that is not one, character by character)."""
    return cardinal(int(window)) if window.isdecimal() and window.isascii() else digits_one_by_one(window)


def spoken_call(number: str, window: str) -> str:
    """(A023, 15) → 请A零二三号到十五号窗口办理: `call_text(number, window)` as it is said."""
    return f"请{spoken_number(number)}号到{spoken_window(window)}号窗口办理"


def spoken_calls(calls) -> str:
    """Several (number, window) calls in one shorter sentence, for a busy floor (docs/hardware.md):
    请A零零四到一号窗口，A零零五到三号窗口."""
    return "请" + "，".join(f"{spoken_number(n)}到{spoken_window(w)}号窗口" for n, w in calls)


def chime(seconds: float = 0.9) -> bytes:
    """叮咚: two decaying tones (E6 then C6), 16-bit mono PCM."""
    frames = bytearray()
    half = int(SAMPLE_RATE * seconds / 2)
    for freq in (1318.5, 1046.5):
        for i in range(half):
            amp = 0.45 * math.exp(-4.0 * i / half)
            frames += struct.pack("<h", int(32767 * amp * math.sin(2 * math.pi * freq * i / SAMPLE_RATE)))
    return bytes(frames)


def silence(seconds: float) -> bytes:
    return bytes(2 * int(SAMPLE_RATE * seconds))


def synthesise(text: str, out: Path, timeout: float = SYNTH_TIMEOUT_S) -> None:
    """Render `text` (already as it is said) to a WAV file in a child process."""
    program = shutil.which("espeak-ng")
    if program:
        cmd = [program, "-v", VOICE, "-s", str(RATE), "-w", str(out), text]
    else:
        cmd = [sys.executable, "-m", "drivers.speech", str(out), text]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        raise SpeechError(f"speech synthesis took longer than {timeout:.0f} s and was stopped")
    if done.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
        raise SpeechError("speech synthesis failed: " + done.stderr.decode(errors="replace").strip()[-300:])


def read_pcm(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise SpeechError(f"{path}: expected mono 16-bit audio")
        return w.readframes(w.getnframes())


def write_wav(path: Path, pcm: bytes) -> None:
    tmp = path.with_suffix(".part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)
    tmp.replace(path)


class Announcer:
    """Builds the announcement WAV of a call; speech is cached per spoken sentence. With a voice pack
    (drivers/voice_pack.py) a sentence is its recorded clips end to end; a sentence the pack lacks a
    clip for is said by espeak-ng, and the log says so."""

    def __init__(self, cache_dir: Path, repeats: int = 2, voice_pack=None):
        self.cache_dir = Path(cache_dir)
        self.repeats = repeats
        self.voice_pack = voice_pack

    def sentence_pcm(self, words: str) -> bytes:
        if self.voice_pack is not None:
            try:
                return self.voice_pack.pcm(words)
            except MissingClips as exc:
                log.warning("voice pack %s: %s; this call is said by espeak-ng instead", self.voice_pack.folder, exc)
        return self.speech_pcm(words)

    def speech_pcm(self, words: str) -> bytes:
        key = hashlib.sha256(f"{VOICE}|{RATE}|{words}".encode()).hexdigest()[:24]
        cached = self.cache_dir / f"{key}.wav"
        if not cached.exists():
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            synthesise(words, cached.with_suffix(".tmp.wav"))
            cached.with_suffix(".tmp.wav").replace(cached)
        return read_pcm(cached)

    def announcement(self, words: str, out: Path, repeats: int | None = None) -> Path:
        """A chime, then `words` (already as they are said) `repeats` times."""
        speech = self.sentence_pcm(words)
        write_wav(out, chime() + silence(0.3) + (speech + silence(0.8)) * (repeats or self.repeats))
        return out

    def sentences(self, sentences: list[str], out: Path) -> Path:
        """A chime, then each sentence once (a busy floor: the repeat dropped)."""
        write_wav(out, chime() + silence(0.3) + b"".join(self.sentence_pcm(w) + silence(0.6) for w in sentences))
        return out

    def call(self, number: str, window: str, out: Path) -> Path:
        return self.announcement(spoken_call(number, window), out)


def _child(out: str, text: str) -> int:
    """Without the espeak-ng program: pyttsx3 over libespeak-ng."""
    import pyttsx3
    engine = pyttsx3.init("espeak")
    engine.setProperty("voice", VOICE)
    engine.setProperty("rate", RATE)
    engine.save_to_file(text, out)
    engine.runAndWait()
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], sys.argv[2]))
