"""How an event reaches Socket.IO: the rooms of each audience, and the name and data each event takes
on the wire (CONTRACT "Socket.IO push"). An event type without its own entry in WIRE goes out under
`{subject}_{kind}` with its fields (events.encode), so a new event needs only its audiences."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from ..domain import events as ev
from ..domain.prediction import Wait
from ..domain.wording import call_text
from ..services import alerts, views
from ..services.bus import Audience
from ..services.hall import Hall
from ..services.views import FULL, MASKED, PUBLIC

A = Audience
SCREENS = (A.FLOOR_SCREENS, A.WINDOW_SCREENS)  # anonymous: public data only (CONTRACT v2)
NAMESPACES = {A.FLOOR_SCREENS: "/display", A.WINDOW_SCREENS: "/display", A.TRACKING: "/display",
              A.CLERKS: "/clerk", A.ADMIN: "/admin", A.BACK_OFFICE: "/backoffice", A.KIOSKS: "/kiosk"}


@dataclass(frozen=True)
class Delivery:
    namespace: str
    rooms: tuple[str, ...] | None  # None: everyone in the namespace
    name: str
    data: object


def rooms(audience: Audience, event: ev.Event) -> tuple[str, ...] | None:
    if audience is A.FLOOR_SCREENS:
        return (f"floor:{event.floor}",)
    if audience is A.WINDOW_SCREENS:
        return tuple(f"window:{w}" for w in getattr(event, "windows", None) or (event.window,))
    if audience is A.TRACKING:
        return (f"ticket:{event.ticket_id}",) if hasattr(event, "ticket_id") else (f"case:{event.case_id}",)
    if audience is A.CLERKS:
        return (f"window:{event.window}",) if hasattr(event, "window") else None
    if audience is A.ADMIN:
        return ("admin",)
    if audience is A.BACK_OFFICE:
        return tuple(f"department:{d}" for d in event.departments)
    if audience is A.KIOSKS:
        return (f"kiosk:{event.kiosk}",)
    raise ValueError(f"{audience} is not a Socket.IO audience")


class Wire:
    """(event, audience) → the name and data to emit; built with the hall for names and case views."""

    def __init__(self, hall: Hall):
        self.hall = hall
        # The same message for every audience of an event (case views and figures differ: below).
        self.formats: dict[type, Callable[[ev.Event], tuple[str, object]]] = {
            ev.TicketCalled: self._call, ev.TicketRecalled: self._call,
            ev.WindowUpdated: lambda e: ("window_updated", views.window(e.facts, e.current)),
            ev.ReadyCasesChanged: lambda e: ("ready_cases", {"floor": e.floor, "numbers": list(e.numbers)}),
            ev.AlertRaised: self._alert, ev.AlertCleared: self._alert, ev.AlertAcknowledged: self._alert,
            ev.DeviceHealthChanged: lambda e: ("device_health", alerts.device(e)),
            **dict.fromkeys((ev.AppointmentBooked, ev.AppointmentCheckedIn, ev.AppointmentCancelled,
                             ev.AppointmentMissed), self._appointment),
            ev.CallAudioReady: lambda e: ("call_audio", {"number": e.number, "window": e.window, "floor": e.floor,
                                                              "audio": e.audio}),
            ev.IdCardRead: lambda e: ("id_card", {"number": e.card.number, "name": e.card.name,
                                                  "birth": e.card.birth.isoformat(), "sex": e.card.sex}),
            ev.KioskPrinterChanged: lambda e: ("printer", {"name": e.printer, "state": e.state, "ready": e.ready}),
        }
        self._last: tuple[ev.Event | None, tuple] = (None, ())  # the last event's wire form, for its other audiences
        self._floor_stats: dict[int, list] = {}  # each floor's figures as last pushed to its screens

    def deliveries(self, event: ev.Event, audience: Audience, window: ev.WindowUpdated | None = None) -> list[Delivery]:
        """`window`: for a call, its window's state after it, which the screens' `ticket_called` carries
        as `window_state` (public: no username, no ticket id; docs/screens.md "One frame per call")."""
        if isinstance(event, ev.QueueFiguresChanged):
            return self._figures(event, audience)
        if isinstance(event, ev.TicketEvent) and audience is A.TRACKING:
            name, data = "ticket_updated", self._tracked_ticket(event)
        elif isinstance(event, ev.CaseUpdated):  # each audience sees the case its own way
            name, data = self._case(event, audience)
        elif isinstance(event, ev.WindowUpdated) and audience in SCREENS:  # no username, no ticket id
            name, data = "window_updated", views.public_window(event.facts, event.current)
        elif self._last[0] is event:  # the same message for every other audience: built once
            name, data = self._last[1]
        else:
            name, data = self.formats.get(type(event), self._default)(event)
            if window is not None and name == "ticket_called":
                data["window_state"] = views.public_window(window.facts, window.current)
            self._last = (event, (name, data))
        return [Delivery(NAMESPACES[audience], rooms(audience, event), name, data)]

    @staticmethod
    def _default(event: ev.Event) -> tuple[str, object]:
        return f"{event.subject}_{event.kind}", ev.encode(event)

    @staticmethod
    def _alert(event: ev.AlertEvent) -> tuple[str, dict]:
        return "alert", views.alert(event.alert)  # raised, cleared or acknowledged: the ALERT says which

    def _appointment(self, event: ev.AppointmentEvent) -> tuple[str, dict]:
        return "appointment", self.hall.appointments.view_of(event.appointment)  # the masked APPOINTMENT

    @staticmethod
    def _call(event: ev.TicketCalled | ev.TicketRecalled) -> tuple[str, dict]:
        t = event.ticket
        recall = isinstance(event, ev.TicketRecalled)
        at = event.at if recall else t.called_at
        return "ticket_called", {"number": t.number, "window": t.window, "floor": t.floor, "queue": t.queue,
                                 "text": call_text(t.number, t.window), "recall": recall, "at": views.iso(at)}

    @staticmethod
    def _tracked_ticket(event: ev.TicketEvent) -> dict:
        return views.ticket(event.ticket, getattr(event, "ahead", None),
                            Wait.of(getattr(event, "eta_minutes", None), getattr(event, "eta_range", None)))

    def _case(self, event: ev.CaseUpdated, audience: Audience) -> tuple[str, dict]:
        now = self.hall.clock()
        case_views = self.hall.case_views
        if audience is A.BACK_OFFICE:  # with the applicant: the case's departments only
            return ("case_routed" if event.routed else "case_updated"), case_views.view(event.case, FULL, now)
        if audience is A.CLERKS:  # masked, to the window that accepted it
            return "case_updated", case_views.view(event.case, MASKED, now)
        return "case_updated", case_views.view(event.case, PUBLIC, now)

    def _figures(self, event: ev.QueueFiguresChanged, audience: Audience) -> list[Delivery]:
        if self._last[0] is not event:
            self._last = (event, ("stats", [asdict(q) for q in event.queues]))
        every = self._last[1][1]
        if audience is A.FLOOR_SCREENS:  # each floor's screens, their floor's queues, when they changed
            out = []
            for floor in self.hall.config.floors:
                figures = [q for q in every if q["floor"] == floor]
                if self._floor_stats.get(floor) != figures:
                    self._floor_stats[floor] = figures
                    out.append(Delivery("/display", (f"floor:{floor}",), "stats", figures))
            return out
        return [Delivery(NAMESPACES[audience], ("admin",) if audience is A.ADMIN else None, "stats", every)]
