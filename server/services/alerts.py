"""What the admin board's supervision list (电子监察) is told: an `alert` for each event that needs a
person, as the data the board shows and a Chinese sentence. One function per kind of event."""
from __future__ import annotations

from ..config import HallConfig
from ..domain import events as ev
from .views import iso

ALERT_LEVELS = {"online": "info", "unknown": "info", "paper_low": "warning",
                "offline": "error", "paper_out": "error", "error": "error"}
STATE_WORDS = {"online": "恢复正常", "paper_low": "纸将用尽", "paper_out": "缺纸", "offline": "离线", "error": "故障"}
KIND_WORDS = {"printer": "打印机", "speaker": "语音播报", "led": "LED屏", "pager": "呼叫器", "evaluator": "评价器"}


def _place(attach: str) -> str:
    kind, _, where = attach.partition(":")
    return {"kiosk": f"自助机 {where}", "floor": f"{where}楼", "window": f"{where}号窗口"}.get(kind, attach)


def device(event: ev.DeviceHealthChanged) -> dict:
    word = STATE_WORDS.get(event.state, event.state)
    data = {"source": "device", "device": event.device, "kind": event.device_kind, "attach": event.attach,
            "state": event.state, "was": event.was, "level": ALERT_LEVELS.get(event.state, "error"),
            "detail": event.detail, "at": iso(event.at),
            "message": f"{_place(event.attach)}的{KIND_WORDS.get(event.device_kind, event.device_kind)} "
                       f"{event.device} {word}：{event.detail}"}
    if event.device_kind == "printer":
        if event.unprinted:
            data["unprinted"] = sorted(owed.number for owed in event.unprinted)
        data["unprinted_tickets"] = [{"id": o.ticket_id, "number": o.number, "printer": o.printer}
                                     for o in event.unprinted]  # with ids, for the board's 补打
    return data


def case_deadline(event: ev.DeadlineWatch, config: HallConfig) -> dict:
    overdue = isinstance(event, ev.CaseOverdue)
    matter = config.matters[event.matter].name if event.matter in config.matters else event.matter
    due_local = event.due_at.astimezone(config.hall.tz).strftime("%Y-%m-%d")
    return {
        "source": "case", "kind": f"case_{event.kind}", "level": "critical" if overdue else "warning",
        "case": event.number, "case_id": event.case_id, "matter": matter, "departments": list(event.waiting),
        "due_at": iso(event.due_at), "at": iso(event.at),
        "message": f"办件{event.number}（{matter}）{'已超过办结时限' if overdue else '即将到期'}，承诺办结日期{due_local}。",
    }


def bad_rating(event: ev.BadRatingGiven) -> dict:
    return {"source": "rating", "window": event.window, "ticket": event.ticket_id, "clerk": event.clerk,
            "level": "warning", "rating": event.label, "at": iso(event.at),
            "message": f"{event.window}号窗口收到差评（{event.label}），票号 {event.number or '-'}"}
