"""What the admin board's device panel is told (`device_health`): a device's new state, as the data the
board shows and a Chinese sentence, with the tickets printers still owe (for 补打). The supervision
alerts of 电子监察 are supervision.py's."""
from __future__ import annotations

from ..domain import events as ev
from .views import iso

ALERT_LEVELS = {"online": "info", "unknown": "info", "paper_low": "warning",
                "offline": "error", "paper_out": "error", "error": "error"}
STATE_WORDS = {"online": "恢复正常", "paper_low": "纸将用尽", "paper_out": "缺纸", "offline": "离线", "error": "故障"}
KIND_WORDS = {"printer": "打印机", "speaker": "语音播报", "led": "LED屏", "pager": "呼叫器", "evaluator": "评价器"}


def place(attach: str) -> str:
    """Where a device is, in words: kiosk:k1 → 自助机 k1, floor:2 → 2楼, window:7 → 7号窗口."""
    kind, _, where = attach.partition(":")
    return {"kiosk": f"自助机 {where}", "floor": f"{where}楼", "window": f"{where}号窗口"}.get(kind, attach)


def device(event: ev.DeviceHealthChanged) -> dict:
    word = STATE_WORDS.get(event.state, event.state)
    data = {"source": "device", "device": event.device, "kind": event.device_kind, "attach": event.attach,
            "state": event.state, "was": event.was, "level": ALERT_LEVELS.get(event.state, "error"),
            "detail": event.detail, "at": iso(event.at),
            "message": f"{place(event.attach)}的{KIND_WORDS.get(event.device_kind, event.device_kind)} "
                       f"{event.device} {word}：{event.detail}"}
    if event.device_kind == "printer":
        if event.unprinted:
            data["unprinted"] = sorted(owed.number for owed in event.unprinted)
        data["unprinted_tickets"] = [{"id": o.ticket_id, "number": o.number, "printer": o.printer}
                                     for o in event.unprinted]  # with ids, for the board's 补打
    return data
