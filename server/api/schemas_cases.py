"""Answer schemas of cases (办件): CASE with its departments and audit trail (split from schemas.py,
which keeps the request bodies)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, RootModel

from .schemas import ApplicantOut

ReviewStatusOut = Literal["pending", "claimed", "awaiting_materials", "approved", "rejected"]


class CaseDepartmentOut(BaseModel):
    code: str
    name: str
    status: ReviewStatusOut
    claimed_by: str | None
    note: str | None
    requested: list[str] = Field(description="materials this department asked for (补正)")
    decided_at: str | None


class CaseStepOut(BaseModel):
    at: str
    kind: str
    actor: str | None
    department: str | None
    detail: dict | None


class CaseOut(BaseModel):
    id: str
    number: str
    ticket: str = Field(description="id of the ticket the case was accepted from")
    ticket_number: str
    matter: str
    matter_name: str
    departments: list[CaseDepartmentOut]
    status: Literal["in_review", "approved", "rejected", "ready_for_pickup", "picked_up"]
    accepted_at: str
    due_at: str
    window: str
    clerk: str | None
    applicant: ApplicantOut | None = Field(description="null on the public tracking view")
    materials: list[str]
    supplements: list[str]
    note: str | None
    deadline: Literal["on_time", "due_soon", "overdue"]
    clock_stopped: bool = Field(description="the promised time stands still while materials are awaited (补正)")
    decided_at: str | None
    returned_at: str | None
    handed_over: Literal["pickup", "mail"] | None
    tracking: str | None
    handed_over_at: str | None
    pickup_code: str | None = Field(description="取件码 on the acceptance receipt: only to the back office of the "
                                               "case's departments and the clerk of the accepting window")
    history: list[CaseStepOut] | None = None


class CaseEnvelope(BaseModel):
    case: CaseOut


class CaseList(RootModel[list[CaseOut]]):
    """Cases, soonest due first (a JSON array)."""
