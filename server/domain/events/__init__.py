"""Domain events: every fact of the hall as a typed value, in the order it happened.

Aggregates record them (`Ticket.events`, `Window.events`, `Case.events`, `Rating.events`); the unit
of work collects them in order, adds a state message for each window and case a command saved
(`WindowUpdated`, `CaseUpdated`), and the command runner keeps the facts in the hall's event log
(the audit trail) in the same transaction. After the commit the message bus hands each event to the
audiences that `server/services/bus.py` names for its type. Events carry what their consumers need,
so no consumer re-reads state or parses a sentence.

`subject` and `kind` name a fact ("ticket", "called"); `stored` says whether it goes into the event
log (state messages and device output do not: they describe the moment, not a new fact).
"""
from .access import AccessRevoked
from .appointments import (AppointmentBooked, AppointmentCancelled, AppointmentCheckedIn, AppointmentEvent,
                           AppointmentFacts, AppointmentMissed)
from .base import Event, decode, encode, registry
from .cases import (CaseApproved, CaseClaimed, CaseDecided, CaseDueSoon, CaseEvent, CaseMailed, CaseOverdue,
                    CasePickedUp, CaseRejected, CaseReturned, CaseRouted, CaseUpdated, DeadlineWatch,
                    DepartmentDecision, MaterialsReceived, MaterialsRequested, ReadyCasesChanged)
from .floor import (TicketCalled, TicketCancelled, TicketEvent, TicketFacts, TicketFinished, TicketIssued,
                    TicketNoShow, TicketPrinted, TicketRecalled, TicketRequeued, TicketRouted, TicketTransferred, WindowEvent,
                    WindowFacts, WindowPaused, WindowQueuesSet, WindowResumed, WindowSignedIn, WindowSignedOut,
                    WindowStateSet, WindowUpdated)
from .supervision import (AlertAcknowledged, AlertCleared, AlertEvent, AlertFacts, AlertRaised, FollowUpEvent,
                          FollowUpOpened, FollowUpStep, RatingRemoved)
from .hall import (BadRatingGiven, CallAudioReady, DeviceHealthChanged, IdCardFacts, IdCardRead, OwedPrint,
                   QueueFigures, QueueFiguresChanged, RatingEvent, RatingGiven)
from .floor import TicketPrintDropped
from .hall import KioskPrinterChanged

__all__ = [
    "AccessRevoked",
    "AppointmentBooked", "AppointmentCancelled", "AppointmentCheckedIn", "AppointmentEvent", "AppointmentFacts",
    "AppointmentMissed", "TicketRequeued",
    "AlertAcknowledged", "AlertCleared", "AlertEvent", "AlertFacts", "AlertRaised", "FollowUpEvent",
    "FollowUpOpened", "FollowUpStep", "RatingRemoved",
    "BadRatingGiven", "CallAudioReady", "CaseApproved", "CaseClaimed", "CaseDecided", "CaseDueSoon",
    "CaseEvent", "CaseMailed", "CaseOverdue", "CasePickedUp", "CaseRejected", "CaseReturned", "CaseRouted",
    "CaseUpdated", "DeadlineWatch", "DepartmentDecision", "DeviceHealthChanged", "Event", "IdCardFacts", "IdCardRead", "MaterialsReceived",
    "MaterialsRequested", "OwedPrint", "QueueFigures", "QueueFiguresChanged", "RatingEvent", "RatingGiven",
    "ReadyCasesChanged", "TicketCalled", "TicketCancelled", "TicketEvent", "TicketFacts", "TicketFinished",
    "TicketIssued", "TicketNoShow", "TicketPrinted", "TicketRecalled", "TicketRouted", "TicketTransferred",
    "WindowEvent", "WindowFacts", "WindowPaused", "WindowQueuesSet", "WindowResumed", "WindowSignedIn",
    "WindowSignedOut", "WindowStateSet", "WindowUpdated", "decode", "encode", "registry",
    "KioskPrinterChanged", "TicketPrintDropped",
]
