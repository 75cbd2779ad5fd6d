"""Case rules (办件): parallel approval, claims, 补正 stopping the clock, return, hand-over, alerts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from server.domain.calendar import WorkingCalendar
from server.domain.cases import (PICKUP_CODE_DIGITS, PICKUP_FAILURE_LIMIT, Applicant, Case, CaseStatus, Deadline,
                                 DeadlinePolicy, ReviewStatus, mask_name, mask_phone, same_desk)
from server.domain.errors import Conflict, Forbidden, Invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICY = DeadlinePolicy(WorkingCalendar(), SHANGHAI, due_soon_days=1)
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


def later(days: float) -> dt.datetime:
    return MON + dt.timedelta(days=days)


def make_case(departments=("gat", "ybj", "rst"), promised_days=5) -> Case:
    return Case.accept(id="c1", number="202611230001", ticket="t1", ticket_number="K001", matter="yjs-xsr",
                       departments=list(departments), applicant=Applicant("张小三", "13812341234"),
                       materials=["出生医学证明"], note=None, window="57", clerk="wang",
                       now=MON, due_at=POLICY.due(MON, promised_days))


def test_a_one_thing_case_is_decided_only_when_every_department_has():
    case = make_case()
    case.decide("gat", "g1", True, None, later(1))
    case.decide("ybj", "y1", True, None, later(1))
    assert case.status is CaseStatus.IN_REVIEW
    with pytest.raises(Conflict, match="not decided yet: waiting for rst"):
        case.return_to_window("gat", later(1))
    case.decide("rst", "r1", True, "ok", later(2))
    assert case.status is CaseStatus.APPROVED and case.decided_at == later(2)
    assert [s.kind for s in case.events] == ["routed", "approved", "approved", "approved", "decided"]


def test_one_rejection_rejects_the_whole_case():
    case = make_case(("gat", "ybj"))
    case.decide("gat", "g1", False, "材料不符", later(1))
    case.decide("ybj", "y1", True, None, later(1))
    assert case.status is CaseStatus.REJECTED


def test_another_department_can_neither_claim_nor_decide():
    case = make_case(("gat",))
    for act in (lambda: case.claim("mzt", "m1"),
                lambda: case.decide("mzt", "m1", True, None, later(1)),
                lambda: case.return_to_window("mzt", later(1))):
        with pytest.raises(Forbidden):
            act()
    assert case.reviews[0].status is ReviewStatus.PENDING


def test_a_claim_reserves_the_review_for_its_claimant():
    case = make_case(("gat", "ybj"))
    case.claim("gat", "g1")
    with pytest.raises(Conflict, match="claimed by g1"):
        case.decide("gat", "g2", True, None, later(1))
    with pytest.raises(Conflict):
        case.claim("gat", "g2")
    case.decide("gat", "g1", True, None, later(1))
    with pytest.raises(Conflict, match="already decided"):
        case.decide("gat", "g1", False, "x", later(1))


def test_materials_stop_the_clock_until_the_window_records_them():
    case = make_case(("gat", "ybj"), promised_days=5)  # due Monday 30 November
    assert case.due_at == dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=SHANGHAI)
    case.request_materials("gat", "g1", ["结婚证"], "缺结婚证", later(2))  # Wednesday: 3 days left
    assert case.reviews[0].status is ReviewStatus.AWAITING_MATERIALS and case.stopped_at == later(2)
    with pytest.raises(Conflict, match="waits for materials"):
        case.decide("gat", "g1", True, None, later(3))
    # The other department goes on meanwhile.
    case.decide("ybj", "y1", True, None, later(3))
    # A fortnight later the clock is still judged at the moment it stopped: on time.
    assert case.deadline(POLICY, later(14)) is Deadline.ON_TIME
    case.record_materials(["结婚证"], None, later(9), POLICY)  # Wednesday 2 December
    assert case.stopped_at is None and case.reviews[0].status is ReviewStatus.CLAIMED
    assert case.due_at == dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=SHANGHAI)  # Wed + 3 working days = Mon 7
    with pytest.raises(Conflict, match="not waiting for materials"):
        case.record_materials(["x"], None, later(9), POLICY)
    case.decide("gat", "g1", True, None, later(10))
    assert case.status is CaseStatus.APPROVED


def test_return_and_hand_over():
    case = make_case(("gat",))
    case.decide("gat", "g1", True, None, later(1))
    with pytest.raises(Conflict):
        case.hand_over("pickup", None, later(1))
    case.return_to_window("gat", later(1))
    assert case.status is CaseStatus.READY_FOR_PICKUP
    with pytest.raises(Conflict, match="already returned"):
        case.return_to_window("gat", later(1))
    with pytest.raises(Invalid, match="tracking"):
        case.hand_over("mail", None, later(2))
    case.hand_over("mail", "SF1234567890", later(2))
    assert case.status is CaseStatus.PICKED_UP and case.handed_over == "mail"
    with pytest.raises(Conflict):
        case.hand_over("pickup", None, later(2))


def test_deadline_alerts_are_raised_once_per_state():
    case = make_case(("gat",), promised_days=2)  # due Wednesday 25 November
    assert case.observe_deadline(POLICY, MON) is None
    assert case.observe_deadline(POLICY, later(1)) is Deadline.DUE_SOON
    assert case.observe_deadline(POLICY, later(1.2)) is None
    assert case.observe_deadline(POLICY, later(2.5)) is None  # still due soon on its last day
    assert case.observe_deadline(POLICY, later(3)) is Deadline.OVERDUE
    assert case.observe_deadline(POLICY, later(4)) is None
    assert [s.kind for s in case.events][-2:] == ["due_soon", "overdue"]
    case.decide("gat", "g1", True, None, later(4))
    assert case.deadline(POLICY, later(30)) is Deadline.OVERDUE  # decided late stays late


@pytest.mark.parametrize("name, masked", [("张三", "张*"), ("张小三", "张*三"), ("欧阳小明", "欧**明"), ("李", "*")])
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


def test_phones_are_masked():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+8613812341234") == "+86*******1234"
    assert mask_phone("5551234") == "*****34"


@dataclass(frozen=True)
class Place:
    number: str
    floor: int
    department: str | None


@pytest.mark.parametrize("accepting, acting, may", [
    (Place("1", 1, "rst"), Place("1", 1, "rst"), True),      # the accepting window
    (Place("1", 1, "rst"), Place("64", 2, "rst"), True),     # its department, on another floor too
    (Place("1", 1, "rst"), Place("49", 1, None), False),     # a hall-staffed window
    (Place("1", 1, "rst"), Place("13", 1, "ybj"), False),    # another department
    (Place("49", 1, None), Place("57", 1, None), True),      # the floor's front desk
    (Place("49", 1, None), Place("123", 2, None), False),    # another floor's front desk
    (Place("49", 1, None), Place("1", 1, "rst"), False),     # a department's window
])
def test_the_desk_of_a_case(accepting, acting, may):
    assert same_desk(accepting, acting) is may
    case = make_case()
    if may:
        case.require_desk(accepting, acting, "hand over")
    else:
        with pytest.raises(Forbidden) as refused:
            case.require_desk(accepting, acting, "hand over")
        assert refused.value.reason == "case_of_other_window"


def test_the_pickup_code_and_the_id_card_prove_the_applicant():
    case = make_case()
    case.applicant_id = "43010419900101123X"
    assert len(case.pickup_code) == PICKUP_CODE_DIGITS and case.pickup_code.isdigit()
    assert case.proves_holder(case.pickup_code, None)
    assert not case.proves_holder(f"{(int(case.pickup_code) + 1) % 10**6:06d}", None)
    assert case.proves_holder(None, "43010419900101123x") and not case.proves_holder(None, "430104199001011241")
    assert not case.proves_holder(None, None)
    assert not make_case().proves_holder(None, "43010419900101123X")  # no ID recorded: the card proves nothing
    case.pickup_failures = PICKUP_FAILURE_LIMIT
    assert case.pickup_locked


@pytest.mark.parametrize("tracking", ["", "   ", "abc", "SF12", "1-2-3-4-5-6-7-8", "ABCDEFGHIJK1", "单号1234567890",
                                      "1" * 31])
def test_a_mail_needs_a_tracking_number_that_looks_like_one(tracking):
    case = make_case(departments=("gat",))
    case.decide("gat", "g1", True, None, later(1))
    case.return_to_window("gat", later(1))
    with pytest.raises(Invalid):
        case.hand_over("mail", tracking, later(2))
    assert case.status is CaseStatus.READY_FOR_PICKUP
    case.hand_over("mail", " ea123456789cn ", later(2))
    assert case.tracking == "EA123456789CN"
