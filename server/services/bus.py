"""The message bus: after a commit, every event goes to the audiences its type names in AUDIENCES.

One table says who hears of what. Adapters subscribe a consumer per audience when the hall is built
(`hallq/bootstrap.py`): the Socket.IO push serves the rooms, the device router the devices, the
figures ticker the queue figures, the notices' worker its wake-up. A consumer only queues work (no I/O on the caller's thread), and
a failing consumer never stops the others.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from enum import StrEnum

from ..domain import events as ev

log = logging.getLogger("hallq.bus")


class Audience(StrEnum):
    FLOOR_SCREENS = "floor_screens"    # /display room floor:N
    WINDOW_SCREENS = "window_screens"  # /display room window:W (or every window of the event's floor)
    TRACKING = "tracking"              # /display room ticket:ID or case:ID (the citizen's own page)
    CLERKS = "clerks"                  # /clerk room window:W (all clerks when the event has no window)
    ADMIN = "admin"                    # /admin room admin
    BACK_OFFICE = "back_office"        # /backoffice rooms department:CODE of the event's departments
    DEVICES = "devices"                # printers, LED screens, speakers, pagers (drivers/)
    QUEUE_FIGURES = "queue_figures"    # the ticker that recomputes GET /stats and pushes it
    SUPERVISION = "supervision"        # 电子监察: wakes the watch that raises and clears alerts
    KIOSKS = "kiosks"                  # /kiosk room kiosk:NAME (one kiosk's page: its ID card reader)
    NOTICES = "notices"                # wakes the worker that posts the notices these commits queued
    SESSIONS = "sessions"              # every process closes the open sockets of a principal whose access ended


A = Audience
_MOVES_QUEUES = (A.TRACKING, A.QUEUE_FIGURES, A.SUPERVISION)
_MOVES_QUEUES_TOLD = (*_MOVES_QUEUES, A.NOTICES)  # may bring a ticket near enough for its `ahead` notice
_ALERT = (A.ADMIN,)

AUDIENCES: dict[type[ev.Event], tuple[Audience, ...]] = {
    ev.TicketIssued: (A.DEVICES, A.QUEUE_FIGURES),
    ev.TicketCalled: (A.FLOOR_SCREENS, A.WINDOW_SCREENS, A.TRACKING, A.DEVICES, A.QUEUE_FIGURES, A.SUPERVISION,
                     A.NOTICES),
    ev.TicketRecalled: (A.FLOOR_SCREENS, A.WINDOW_SCREENS, A.TRACKING, A.DEVICES),
    ev.TicketTransferred: _MOVES_QUEUES_TOLD,
    ev.TicketFinished: _MOVES_QUEUES,
    ev.TicketNoShow: _MOVES_QUEUES,
    ev.TicketRouted: _MOVES_QUEUES,
    ev.TicketCancelled: _MOVES_QUEUES_TOLD,
    ev.TicketRequeued: _MOVES_QUEUES_TOLD,  # 过号顺延: waits again
    ev.WindowUpdated: (A.FLOOR_SCREENS, A.WINDOW_SCREENS, A.CLERKS, A.ADMIN, A.DEVICES, A.QUEUE_FIGURES,
                       A.SUPERVISION),
    ev.CaseUpdated: (A.BACK_OFFICE, A.CLERKS, A.TRACKING, A.SUPERVISION, A.NOTICES),
    ev.ReadyCasesChanged: (A.FLOOR_SCREENS, A.WINDOW_SCREENS),
    ev.CaseDueSoon: (A.SUPERVISION,),
    ev.CaseOverdue: (A.SUPERVISION,),
    ev.BadRatingGiven: (A.SUPERVISION,),
    ev.FollowUpStep: (A.SUPERVISION,),
    ev.RatingRemoved: (A.SUPERVISION,),
    ev.AlertRaised: _ALERT,
    ev.AlertCleared: _ALERT,
    ev.AlertAcknowledged: _ALERT,
    ev.DeviceHealthChanged: (A.ADMIN, A.SUPERVISION),
    # 预约: the board's 今日预约 panel (the facts are masked: the board is no serving window).
    ev.AppointmentBooked: (A.ADMIN,),
    ev.AppointmentCheckedIn: (A.ADMIN,),
    ev.AppointmentCancelled: (A.ADMIN,),
    ev.AppointmentMissed: (A.ADMIN,),
    ev.CallAudioReady: (A.FLOOR_SCREENS, A.WINDOW_SCREENS),
    ev.IdCardRead: (A.KIOSKS,),  # the full ID number: to the reader's own kiosk, nowhere else
    ev.KioskPrinterChanged: (A.KIOSKS,),  # the kiosk warns before issuing when its printer is down
    ev.QueueFiguresChanged: (A.FLOOR_SCREENS, A.CLERKS, A.ADMIN, A.DEVICES),
    ev.AccessRevoked: (A.SESSIONS,),  # a logout, a changed password, a disabled account, a revoked device
    # Kept in the event log only (the audit trail; reports read them there): TicketPrinted, TicketPrintDropped,
    # WindowSignedIn/SignedOut/Paused/Resumed/StateSet/QueuesSet (their windows' WindowUpdated wakes
    # the watch), CaseRouted, CaseClaimed, CaseApproved/Rejected/Decided, MaterialsRequested/Received,
    # CaseReturned, CasePickedUp, CaseMailed, RatingGiven, FollowUpOpened (with its
    # BadRatingGiven).
}

Consumer = Callable[[ev.Event, Audience], None]


class MessageBus:
    def __init__(self, audiences: dict[type[ev.Event], tuple[Audience, ...]] = AUDIENCES):
        self.audiences = audiences
        self._consumers: dict[Audience, list[Consumer]] = {}

    def subscribe(self, audience: Audience, consumer: Consumer) -> None:
        self._consumers.setdefault(audience, []).append(consumer)

    def publish(self, events: Iterable[ev.Event]) -> None:
        """Called after a commit (or by a device, for what it produced): hand each event on, in order."""
        for event in events:
            for audience in self.audiences.get(type(event), ()):
                for consumer in self._consumers.get(audience, ()):
                    try:
                        consumer(event, audience)
                    except Exception:  # one broken consumer must not keep the others from hearing
                        log.exception("%s could not take %s", audience, type(event).__name__)
