"""A floor's speaker: every call and recall on its floor rendered as a WAV (`url = "file:DIR"`),
strictly one after another, then announced as `CallAudioReady` so the floor screens play it after
their chime. The server serves the files under `/audio/{device}/{file}.wav` from `folder`.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from server.domain.events import CallAudioReady, TicketCalled, TicketRecalled

from .speech import Announcer, SpeechError
from .worker import DeviceFault, Worker

log = logging.getLogger("hallq.devices")
KEEP_AUDIO_FILES = 200


@dataclass(frozen=True)
class Call:
    number: str
    window: str
    floor: int


class Speaker(Worker):
    subscribes = (TicketCalled, TicketRecalled)

    def __init__(self, device, config, hall, publish):
        super().__init__([device], config, hall, publish)
        self.floor = int(device.attach.partition(":")[2])
        self.folder = Path(device.url[len("file:"):])  # the config check allows only file:DIR
        self.announcer = Announcer(self.folder / ".cache", repeats=device.repeats)
        self.counter = 0

    def take(self, event) -> None:
        ticket = event.ticket
        if ticket.floor == self.floor and ticket.window is not None:
            self.submit(Call(ticket.number, ticket.window, ticket.floor))

    def handle(self, job: Call) -> None:
        self.counter += 1
        name = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{self.counter:04d}-{job.number}-{job.window}.wav"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.announcer.call(job.number, job.window, self.folder / name)
        except (SpeechError, OSError) as exc:
            raise DeviceFault("error", str(exc))
        self._prune()
        self.ok()
        try:
            self.publish([CallAudioReady(number=job.number, window=job.window, floor=job.floor,
                                         audio=f"/audio/{self.name}/{name}")])
        except Exception:  # the audio is there; a screen that missed it still has the chime and the text
            log.exception("speaker %s: could not announce %s", self.name, name)

    def _prune(self) -> None:
        for old in sorted(self.folder.glob("*.wav"))[:-KEEP_AUDIO_FILES]:
            old.unlink(missing_ok=True)
