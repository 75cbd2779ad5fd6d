"""A floor's speaker: every call and recall on its floor rendered as a WAV (`url = "file:DIR"`), then
announced as `CallAudioReady` so the floor screens play it after their chime. The server serves the
files under `/audio/{device}/{file}.wav` from `folder`.

The floor hears one announcement at a time, so the speaker paces itself by the length of what it
rendered: the next announcement is made just before the floor has heard the last one, from every call
waiting by then (call_backlog.py: the repeat dropped first, then calls merged; none dropped). The
backlog is shown on the admin board's device panel (the device's detail).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
import wave
from pathlib import Path

from server.domain.events import CallAudioReady, TicketCalled, TicketRecalled

from .call_backlog import Announcement, Call, CallBacklog
from .speech import Announcer, SpeechError, spoken_call, spoken_calls
from .voice_pack import VoicePack, ensure_default_pack
from .worker import DeviceFault, Worker

log = logging.getLogger("hallq.devices")
KEEP_AUDIO_FILES = 200
GAP_S = 0.3    # the floor screen's pause between two sounds (display_ui/chime.js GAP_MS)
LEAD_S = 1.0   # render the next announcement this long before the floor has heard the last one
BACKLOG_SHOWN_FROM = 2  # calls waiting: from this many the admin board is told
BACKLOG_LOOK_S = 1.0    # how often the backlog is looked at while the floor hears an announcement


class _Wake:
    """Queued for each call: the speaker's thread looks at the backlog."""


class Speaker(Worker):
    subscribes = (TicketCalled, TicketRecalled)

    def __init__(self, device, config, hall, publish):
        super().__init__([device], config, hall, publish)
        self.floor = int(device.attach.partition(":")[2])
        self.folder = Path(device.url[len("file:"):])  # the config check allows only file:DIR
        self.default_pack = device.voice == "pack" and not device.voice_pack
        pack = None
        if device.voice == "pack":
            pack = VoicePack(Path(device.voice_pack) if device.voice_pack else self.folder / ".voice-pack")
        self.announcer = Announcer(self.folder / ".cache", repeats=device.repeats, voice_pack=pack)
        self.backlog = CallBacklog()
        self.busy_until = 0.0  # time.monotonic() when the floor will have heard the last announcement
        self.counter = 0
        self._shown_backlog = 0  # the calls the admin board was last told of (0: no backlog shown)

    def take(self, event) -> None:
        ticket = event.ticket
        if ticket.floor == self.floor and ticket.window is not None:
            self.backlog.add(Call(ticket.number, ticket.window, ticket.floor))
            self.submit(_Wake())

    def handle(self, _wake) -> None:
        if self.default_pack:
            self._make_default_pack()
        while True:
            self._show_backlog()
            wait = self.busy_until - LEAD_S - time.monotonic()
            if wait > 0:  # the floor is still hearing the last one: look at the backlog again soon
                if not self.pause(min(wait, BACKLOG_LOOK_S)):
                    return
                continue
            announcement = self.backlog.next_announcement()
            if announcement is None:
                return
            self._announce(announcement)

    def _make_default_pack(self) -> None:
        try:
            ensure_default_pack(self.announcer.voice_pack.folder)
        except (SpeechError, OSError) as exc:  # the calls are still said, by espeak-ng (Announcer)
            log.warning("speaker %s: could not make the default voice pack (%s); espeak-ng says the calls", self.name, exc)
        self.default_pack = False

    def _announce(self, announcement: Announcement) -> None:
        self.counter += 1
        distinct = list(dict.fromkeys(announcement.calls))  # a call and its recall, both waiting
        calls = "_".join(f"{c.number}-{c.window}" for c in distinct)
        name = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{self.counter:04d}-{calls}.wav"
        out = self.folder / name
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if announcement.form == "full":
                call = announcement.calls[0]
                self.announcer.announcement(spoken_call(call.number, call.window), out)
            elif announcement.form == "once":
                self.announcer.sentences([spoken_call(c.number, c.window) for c in announcement.calls], out)
            else:
                self.announcer.sentences([spoken_calls([(c.number, c.window) for c in distinct])], out)
            with wave.open(str(out), "rb") as w:
                seconds = w.getnframes() / w.getframerate()
        except (SpeechError, OSError, wave.Error) as exc:
            raise DeviceFault("error", str(exc))
        if announcement.form != "full":
            log.info("speaker %s: %d calls waiting; said %s %s", self.name, self.backlog.status()[0],
                     "merged:" if announcement.form == "merged" else "once each:", calls)
        self.busy_until = max(self.busy_until, time.monotonic()) + seconds + GAP_S
        self.backlog.said(announcement)
        self._prune()
        self.ok()
        try:
            self.publish([CallAudioReady(number=c.number, window=c.window, floor=c.floor, audio=f"/audio/{self.name}/{name}")
                          for c in announcement.calls])
        except Exception:  # the audio is there; a screen that missed it still has the chime and the text
            log.exception("speaker %s: could not announce %s", self.name, name)

    def _show_backlog(self) -> None:
        """The admin board's figures: the calls waiting while they queue up (from BACKLOG_SHOWN_FROM), none
        once they are gone; told again only when the number changes (the board ages the oldest itself)."""
        waiting, oldest = self.backlog.status()
        shown = waiting if waiting >= BACKLOG_SHOWN_FROM else 0
        if shown == self._shown_backlog:
            return
        try:
            self.hall.speech_backlog(self.name, shown, oldest)
            self._shown_backlog = shown
        except Exception:  # the server's trouble, not the speaker's: the next look tries again
            log.exception("speaker %s: could not show its backlog", self.name)

    def _prune(self) -> None:
        for old in sorted(self.folder.glob("*.wav"))[:-KEEP_AUDIO_FILES]:
            old.unlink(missing_ok=True)
