"""Voice packs: a call said as recorded clips end to end (请 · A · 零 · 二 · 三 · 号 · 到 · 十五 · 号 …),
the way halls get a natural voice. A pack is a folder of WAV files, one per word, named in ASCII
(CLIPS below; docs/hardware.md "Voice packs"): mono, 16-bit PCM, 22050 Hz, trimmed of silence.

A hall records its own; until it does, `ensure_default_pack` makes a default pack once with espeak-ng
(synthetic: it sounds no better than espeak-ng itself, it only shows the way). `python -m
drivers.voice_pack DIR` makes that default pack at build time.
"""
from __future__ import annotations

import string
import sys
import wave
from pathlib import Path

from .speech import SAMPLE_RATE, MissingClips, SpeechError, silence, synthesise, write_wav

_DIGITS = "零一二三四五六七八九"
# The words a call sentence is made of (speech.spoken_call, spoken_calls) → the clip's file name.
CLIPS: dict[str, str] = {
    "请": "qing", "号": "hao", "到": "dao", "窗口": "chuangkou", "办理": "banli",
    "十": "shi", "百": "bai", "千": "qian",
    **{digit: str(value) for value, digit in enumerate(_DIGITS)},
    **{letter: letter for letter in string.ascii_uppercase},
}
PAUSES = {"，": 0.3, " ": 0.0}  # a comma between merged calls; letters are spelled with spaces
DEFAULT_MARK = "DEFAULT-SYNTHETIC.txt"
_SILENT = 400  # |sample| below this counts as silence when trimming synthesised clips
_MARGIN_S = 0.03


def clip_names(words: str) -> list[str | float]:
    """The sentence (as speech.py says it) as clip names, pauses as seconds; a word without a clip is
    returned as "?WORD"."""
    out: list[str | float] = []
    i = 0
    while i < len(words):
        two = words[i:i + 2]
        if two in CLIPS:
            out.append(CLIPS[two])
            i += 2
            continue
        ch = words[i]
        if ch in PAUSES:
            if PAUSES[ch]:
                out.append(PAUSES[ch])
        else:
            out.append(CLIPS.get(ch.upper(), f"?{ch}"))
        i += 1
    return out


def read_clip(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != SAMPLE_RATE:
            raise SpeechError(f"{path.name} is not mono 16-bit {SAMPLE_RATE} Hz")
        return w.readframes(w.getnframes())


class VoicePack:
    """The clips of one folder, read once (a hall replacing a clip restarts the devices)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._clips: dict[str, bytes] = {}

    def clip(self, name: str) -> bytes | None:
        if name not in self._clips:
            path = self.folder / f"{name}.wav"
            try:
                self._clips[name] = read_clip(path)
            except (OSError, EOFError, wave.Error, SpeechError):
                return None
        return self._clips[name]

    def pcm(self, words: str) -> bytes:
        """The sentence as its clips end to end; MissingClips when any is missing or unusable."""
        parts, missing = [], []
        for name in clip_names(words):
            if isinstance(name, float):
                parts.append(silence(name))
                continue
            clip = None if name.startswith("?") else self.clip(name)
            if clip is None:
                missing.append(name.removeprefix("?") + ("" if name.startswith("?") else ".wav"))
            else:
                parts.append(clip)
        if missing:
            raise MissingClips(f"no usable clip for {', '.join(sorted(set(missing)))}")
        return b"".join(parts)


def trim(pcm: bytes) -> bytes:
    """Cut the silence espeak-ng leaves before and after a word, keeping a short margin."""
    samples = memoryview(pcm).cast("h")
    loud = [i for i in range(len(samples)) if abs(samples[i]) >= _SILENT]
    if not loud:
        return pcm
    margin = int(SAMPLE_RATE * _MARGIN_S)
    start, end = max(loud[0] - margin, 0), min(loud[-1] + margin, len(samples))
    return pcm[2 * start:2 * end]


def ensure_default_pack(folder: Path) -> Path:
    """Make the synthetic default pack in `folder` unless every clip is there already."""
    folder = Path(folder)
    if (folder / DEFAULT_MARK).exists() and all((folder / f"{name}.wav").exists() for name in CLIPS.values()):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for word, name in CLIPS.items():
        raw = folder / f"{name}.raw.wav"
        synthesise(word, raw)
        with wave.open(str(raw), "rb") as w:
            pcm = w.readframes(w.getnframes())
        write_wav(folder / f"{name}.wav", trim(pcm))
        raw.unlink()
    (folder / DEFAULT_MARK).write_text(
        "These clips were made by espeak-ng (synthetic), so that the voice-pack driver works out of the box.\n"
        "Record the hall's own voice instead: docs/hardware.md, \"Voice packs\".\n", encoding="utf-8")
    return folder


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m drivers.voice_pack DIR  (makes the synthetic default pack in DIR)")
    print(ensure_default_pack(Path(sys.argv[1])))
