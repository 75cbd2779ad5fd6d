"""Cases' facts (办件), and the state messages screens and consoles get of them."""
from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from typing import ClassVar

from .base import Event


# ---------------------------------------------------------------- cases
@dataclass(frozen=True)
class CaseEvent(Event):
    subject: ClassVar[str] = "case"
    case_id: str
    number: str

    @property
    def subject_id(self) -> str:
        return self.case_id


@dataclass(frozen=True)
class CaseRouted(CaseEvent):
    kind: ClassVar[str] = "routed"
    window: str
    departments: tuple[str, ...]


@dataclass(frozen=True)
class CaseClaimed(CaseEvent):
    kind: ClassVar[str] = "claimed"
    department: str


@dataclass(frozen=True)
class DepartmentDecision(CaseEvent):
    """One department decided (并联审批: the case is decided when all have)."""
    department: str
    note: str | None


@dataclass(frozen=True)
class CaseApproved(DepartmentDecision):
    kind: ClassVar[str] = "approved"


@dataclass(frozen=True)
class CaseRejected(DepartmentDecision):
    kind: ClassVar[str] = "rejected"


@dataclass(frozen=True)
class CaseDecided(CaseEvent):
    """Every department has decided; `result` is approved or rejected."""
    kind: ClassVar[str] = "decided"
    department: str
    result: str


@dataclass(frozen=True)
class MaterialsRequested(CaseEvent):
    kind: ClassVar[str] = "materials_requested"
    department: str
    materials: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class MaterialsReceived(CaseEvent):
    kind: ClassVar[str] = "materials_received"
    materials: tuple[str, ...]
    note: str | None
    due_before: dt.datetime
    due_at: dt.datetime


@dataclass(frozen=True)
class CaseReturned(CaseEvent):
    kind: ClassVar[str] = "returned"
    department: str
    window: str


@dataclass(frozen=True)
class CasePickedUp(CaseEvent):
    kind: ClassVar[str] = "picked_up"


@dataclass(frozen=True)
class CaseMailed(CaseEvent):
    kind: ClassVar[str] = "mailed"
    tracking: str


@dataclass(frozen=True)
class DeadlineWatch(CaseEvent):
    """The deadline check (限时办结) saw a case in review come close to its due time, or pass it."""
    matter: str
    due_at: dt.datetime
    waiting: tuple[str, ...]  # departments that have not decided yet
    at: dt.datetime  # when the check saw it


@dataclass(frozen=True)
class CaseDueSoon(DeadlineWatch):
    kind: ClassVar[str] = "due_soon"


@dataclass(frozen=True)
class CaseOverdue(DeadlineWatch):
    kind: ClassVar[str] = "overdue"


@dataclass(frozen=True)
class CaseUpdated(Event):
    """State message: a case as a command left it. `case` is a copy taken at the commit (a
    `server.domain.cases.Case`); consumers read it and never change it."""
    subject: ClassVar[str] = "case"
    kind: ClassVar[str] = "updated"
    stored: ClassVar[bool] = False
    case: typing.Any
    routed: bool  # the command created it (the back office hears `case_routed`)

    @property
    def subject_id(self) -> str:
        return self.case.id

    @property
    def case_id(self) -> str:
        return self.case.id

    @property
    def window(self) -> str:
        return self.case.window

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(self.case.departments)


@dataclass(frozen=True)
class ReadyCasesChanged(Event):
    """State message: the numbers of the cases ready for pickup on a floor (screens show them)."""
    subject: ClassVar[str] = "floor"
    kind: ClassVar[str] = "ready_cases"
    stored: ClassVar[bool] = False
    floor: int
    numbers: tuple[str, ...]
    windows: tuple[str, ...]  # the floor's windows, whose screens list them too
